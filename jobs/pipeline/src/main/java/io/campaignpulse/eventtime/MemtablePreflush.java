package io.campaignpulse.eventtime;

import io.campaignpulse.config.PulseConfig;
import java.io.Serializable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.function.LongSupplier;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.state.rocksdb.RocksDBKeyedStateBackend;
import org.apache.flink.streaming.runtime.tasks.ProcessingTimeService;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.FlushOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flushes a keyed step's RocksDB memtables in the background twice shortly before its next
 * checkpoint is due, so that the checkpoint's synchronous phase finds little left to flush.
 *
 * <p>Flink writes RocksDB without a write-ahead log, so an incremental checkpoint's synchronous
 * phase has RocksDB flush every memtable of the instance before it takes its native checkpoint,
 * and the task processes nothing until that is done: with checkpoints every 10 s and a live feed of
 * 22,000 events/s, the seconds holding a checkpoint had the slowest at-least-once alerts by far.
 * A flush that does not wait hands that work to RocksDB's flush threads while the step goes on,
 * and the checkpoint flushes only what came since. Started {@link #LEAD_SHARE} of the interval
 * before the next checkpoint is due (one interval after the step's last), the first writes most
 * of the interval's state; the second, {@link #LAST_LEAD_SHARE} before, writes what came in
 * between and is done before the checkpoint. With the first alone, the native checkpoint (nearly
 * all of it the flush of the last fifth's writes) held the step up for 120-228 ms on a busy 2-core
 * machine; with the second, 58-214 ms, median 117 against 189 (README, Performance).
 *
 * <p>Only while the step keeps up with its input: when a flush is due, its watermark must be
 * within {@code event-time.max-out-of-orderness} plus {@link #KEEPING_UP_SLACK} of the clock.
 * Further behind, it is working through a backlog, where a checkpoint's pause delays no live
 * alert, and a flush ahead would only give RocksDB more, smaller level-0 files per checkpoint to
 * compact (with every customer's key in every file, each compaction rewrites most of the level
 * below).
 *
 * <p>Flink has no API for this, so the database and its column families are read from the
 * backend's fields. Any other backend (hashmap, changelog) turns it off; so does a Flink whose
 * fields differ, with a warning, and checkpoints then flush everything themselves as before.
 */
public final class MemtablePreflush {

    private static final Logger LOG = LoggerFactory.getLogger(MemtablePreflush.class);

    /** How long before the next checkpoint is due the first flush starts, as a share of the interval. */
    public static final double LEAD_SHARE = 0.2;

    /** How long before the next checkpoint is due the second flush starts, as a share of the interval. */
    public static final double LAST_LEAD_SHARE = 0.05;

    /** How far a watermark keeping up may be behind the clock beyond the out-of-orderness bound. */
    public static final Duration KEEPING_UP_SLACK = Duration.ofMinutes(1);

    /**
     * When a step flushes ahead. Serializable: it travels with the operator.
     *
     * @param checkpointInterval the job's; zero or less for none
     * @param keepingUpWithin how far behind the clock the step's watermark may be for it to flush
     */
    public record Schedule(Duration checkpointInterval, Duration keepingUpWithin) implements Serializable {

        private static final long serialVersionUID = 1L;

        /** Never flushes ahead. */
        public static final Schedule NONE = new Schedule(Duration.ZERO, Duration.ZERO);

        /** The job's: its checkpoint interval, its out-of-orderness bound plus the slack. */
        public static Schedule of(PulseConfig config) {
            return new Schedule(
                    config.checkpoints().interval(),
                    config.eventTime().maxOutOfOrderness().plus(KEEPING_UP_SLACK));
        }
    }

    private static final String IMMUTABLE_MEMTABLES = "rocksdb.num-immutable-mem-table";

    private static final MemtablePreflush NONE = new MemtablePreflush(null, null, null, new long[0], 0);

    private final RocksDBKeyedStateBackend<?> backend;
    private final RocksDB db;
    private final Method stateInformation;
    /** After a snapshot, when each flush starts. */
    private final long[] delaysMs;

    private final long keepingUpWithinMs;
    private final List<ScheduledFuture<?>> pending = new ArrayList<>(2);

    private MemtablePreflush(
            RocksDBKeyedStateBackend<?> backend,
            RocksDB db,
            Method stateInformation,
            long[] delaysMs,
            long keepingUpWithinMs) {
        this.backend = backend;
        this.db = db;
        this.stateInformation = stateInformation;
        this.delaysMs = delaysMs;
        this.keepingUpWithinMs = keepingUpWithinMs;
    }

    /** @return a preflush for the backend, or one that does nothing if it is not RocksDB's */
    public static MemtablePreflush of(KeyedStateBackend<?> backend, Schedule schedule) {
        long interval = schedule.checkpointInterval().toMillis();
        if (!(backend instanceof RocksDBKeyedStateBackend<?> rocks) || interval <= 0) {
            return NONE;
        }
        try {
            Field dbField = RocksDBKeyedStateBackend.class.getDeclaredField("db");
            dbField.setAccessible(true);
            Method stateInformation = RocksDBKeyedStateBackend.class.getDeclaredMethod("getKvStateInformation");
            stateInformation.setAccessible(true);
            return new MemtablePreflush(
                    rocks,
                    (RocksDB) dbField.get(rocks),
                    stateInformation,
                    new long[] {
                        interval - (long) (interval * LEAD_SHARE), interval - (long) (interval * LAST_LEAD_SHARE)
                    },
                    schedule.keepingUpWithin().toMillis());
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn(
                    "RocksDB memtables are not flushed ahead of checkpoints: this Flink's RocksDB backend"
                            + " does not have the fields the job expects ({})",
                    e.toString());
            return NONE;
        }
    }

    /** Whether this one flushes at all. */
    public boolean active() {
        return db != null;
    }

    /**
     * Called after each of the step's snapshots: the next flushes start when the next checkpoint
     * is {@link #LEAD_SHARE} and {@link #LAST_LEAD_SHARE} of an interval away, replacing those
     * still waiting, each if the step is keeping up with its input by then.
     *
     * @param watermark the step's current watermark
     */
    public void afterSnapshot(ProcessingTimeService time, LongSupplier watermark) {
        if (!active()) {
            return;
        }
        for (ScheduledFuture<?> waiting : pending) {
            waiting.cancel(false);
        }
        pending.clear();
        long snapshotAt = time.getCurrentProcessingTime();
        for (long delay : delaysMs) {
            pending.add(time.registerTimer(snapshotAt + delay, now -> {
                if (keepingUp(now, watermark.getAsLong())) {
                    flushUnlessPendingOrWarn();
                }
            }));
        }
    }

    private boolean keepingUp(long now, long watermark) {
        // No watermark yet (a start) is not keeping up; the subtraction cannot overflow for any other.
        return watermark != Long.MIN_VALUE && now - watermark <= keepingUpWithinMs;
    }

    /**
     * A flush that fails leaves the work to the checkpoint, as without this: it never fails the task.
     * Nor does it start while an earlier one is still being written: with a memtable waiting for
     * its flush and the active one switched out as well, RocksDB would stop the step's writes until
     * the first was written (max_write_buffer_number), so the checkpoint flushes what is left.
     */
    private void flushUnlessPendingOrWarn() {
        try {
            List<ColumnFamilyHandle> families = columnFamilies();
            if (sumOver(families, IMMUTABLE_MEMTABLES) == 0) {
                flush(families);
            }
        } catch (RocksDBException | RuntimeException e) {
            LOG.warn("RocksDB memtables not flushed ahead of the next checkpoint (it flushes them itself)", e);
        }
    }

    /** Starts a flush of the column families' memtables and returns without waiting for it. */
    private void flush(List<ColumnFamilyHandle> families) throws RocksDBException {
        if (families.isEmpty()) {
            return;
        }
        // Not waiting for the flush, nor for one that would not stall writes: the task thread goes on.
        try (FlushOptions options = new FlushOptions().setWaitForFlush(false).setAllowWriteStall(true)) {
            db.flush(options, families);
        }
    }

    /** Entries in the column families' active memtables (for tests). */
    long unflushedEntries() throws RocksDBException {
        return sumOver(columnFamilies(), "rocksdb.num-entries-active-mem-table");
    }

    /** Memtables switched out and not yet written to a file (for tests). */
    long immutableMemtables() throws RocksDBException {
        return sumOver(columnFamilies(), IMMUTABLE_MEMTABLES);
    }

    /** Holds RocksDB's flushes and compactions back until {@link #resumeBackgroundWork} (for tests). */
    void pauseBackgroundWork() throws RocksDBException {
        db.pauseBackgroundWork();
    }

    void resumeBackgroundWork() throws RocksDBException {
        db.continueBackgroundWork();
    }

    private long sumOver(List<ColumnFamilyHandle> families, String property) throws RocksDBException {
        long sum = 0;
        for (ColumnFamilyHandle family : families) {
            sum += db.getLongProperty(family, property);
        }
        return sum;
    }

    /** The step's states' column families, read each time: a state registered later has its own. */
    private List<ColumnFamilyHandle> columnFamilies() {
        Map<?, ?> states;
        try {
            states = (Map<?, ?>) stateInformation.invoke(backend);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot list the RocksDB backend's states", e);
        }
        List<ColumnFamilyHandle> families = new ArrayList<>(states.size());
        for (Object state : states.values()) {
            families.add(((RocksDBKeyedStateBackend.RocksDbKvStateInfo) state).columnFamilyHandle);
        }
        return families;
    }
}
