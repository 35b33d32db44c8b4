package io.campaignpulse;

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
 * Flushes a keyed step's RocksDB memtables in the background shortly before its next checkpoint
 * is due, so that the checkpoint's synchronous phase finds little left to flush.
 *
 * <p>Flink writes RocksDB without a write-ahead log, so an incremental checkpoint's synchronous
 * phase has RocksDB flush every memtable of the instance before it takes its native checkpoint,
 * and the task processes nothing until that is done: with checkpoints every 10 s and a live feed of
 * 22,000 events/s, the seconds holding a checkpoint had the slowest at-least-once alerts by far.
 * Started {@link #LEAD_SHARE} of the interval before the next checkpoint is due (one interval
 * after the step's last), a flush that does not wait hands most of that work to RocksDB's flush
 * threads while the step goes on, and the checkpoint flushes only what came since.
 *
 * <p>Only while the step keeps up with its input: if its event time moved more than {@link
 * #CATCH_UP_PACE} times as fast as the clock since its last checkpoint, it is working through a
 * backlog, where a checkpoint's pause delays no live alert, and the flush ahead would only give
 * RocksDB a second, smaller level-0 file per checkpoint to compact (with every customer's key in
 * every file, each compaction rewrites most of the level below).
 *
 * <p>Flink has no API for this, so the database and its column families are read from the
 * backend's fields. Any other backend (hashmap, changelog) turns it off; so does a Flink whose
 * fields differ, with a warning, and checkpoints then flush everything themselves as before.
 */
public final class MemtablePreflush {

    private static final Logger LOG = LoggerFactory.getLogger(MemtablePreflush.class);

    /** How long before the next checkpoint is due the flush starts, as a share of the interval. */
    public static final double LEAD_SHARE = 0.2;

    /** Event time moving faster than this many times the clock: catching up, no flush ahead. */
    public static final double CATCH_UP_PACE = 2.0;

    private static final MemtablePreflush NONE = new MemtablePreflush(null, null, null, 0);

    private final RocksDBKeyedStateBackend<?> backend;
    private final RocksDB db;
    private final Method stateInformation;
    private final long delayMs;
    private ScheduledFuture<?> pending;
    private long snapshotAt;
    private long eventTimeAtSnapshot;

    private MemtablePreflush(RocksDBKeyedStateBackend<?> backend, RocksDB db, Method stateInformation, long delayMs) {
        this.backend = backend;
        this.db = db;
        this.stateInformation = stateInformation;
        this.delayMs = delayMs;
    }

    /**
     * @param checkpointInterval the job's checkpoint interval; zero or less turns it off
     * @return a preflush for the backend, or one that does nothing if it is not RocksDB's
     */
    public static MemtablePreflush of(KeyedStateBackend<?> backend, Duration checkpointInterval) {
        if (!(backend instanceof RocksDBKeyedStateBackend<?> rocks) || checkpointInterval.toMillis() <= 0) {
            return NONE;
        }
        try {
            Field dbField = RocksDBKeyedStateBackend.class.getDeclaredField("db");
            dbField.setAccessible(true);
            Method stateInformation = RocksDBKeyedStateBackend.class.getDeclaredMethod("getKvStateInformation");
            stateInformation.setAccessible(true);
            long interval = checkpointInterval.toMillis();
            return new MemtablePreflush(
                    rocks, (RocksDB) dbField.get(rocks), stateInformation, interval - (long) (interval * LEAD_SHARE));
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
     * Called after each of the step's snapshots: the next flush starts when the next checkpoint
     * is {@link #LEAD_SHARE} of an interval away, replacing one still waiting, unless the step's
     * event time runs ahead of the clock by then.
     *
     * @param eventTime the step's current watermark
     */
    public void afterSnapshot(ProcessingTimeService time, LongSupplier eventTime) {
        if (!active()) {
            return;
        }
        if (pending != null) {
            pending.cancel(false);
        }
        snapshotAt = time.getCurrentProcessingTime();
        eventTimeAtSnapshot = eventTime.getAsLong();
        pending = time.registerTimer(snapshotAt + delayMs, at -> {
            pending = null;
            if (keepingUp(time.getCurrentProcessingTime() - snapshotAt, eventTime.getAsLong())) {
                flushOrWarn();
            }
        });
    }

    private boolean keepingUp(long wallMs, long eventTimeNow) {
        if (eventTimeAtSnapshot == Long.MIN_VALUE || eventTimeNow == Long.MIN_VALUE) {
            return false; // no event time yet: the job has only just started
        }
        return eventTimeNow - eventTimeAtSnapshot <= CATCH_UP_PACE * Math.max(wallMs, 1);
    }

    /** A flush that fails leaves the work to the checkpoint, as without this: it never fails the task. */
    private void flushOrWarn() {
        try {
            flush();
        } catch (RocksDBException | RuntimeException e) {
            LOG.warn("RocksDB memtables not flushed ahead of the next checkpoint (it flushes them itself)", e);
        }
    }

    /** Starts a flush of every column family's memtable and returns without waiting for it. */
    void flush() throws RocksDBException {
        List<ColumnFamilyHandle> families = columnFamilies();
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
        long entries = 0;
        for (ColumnFamilyHandle family : columnFamilies()) {
            entries += db.getLongProperty(family, "rocksdb.num-entries-active-mem-table");
        }
        return entries;
    }

    /** Memtables switched out and not yet written to a file (for tests). */
    long immutableMemtables() throws RocksDBException {
        long tables = 0;
        for (ColumnFamilyHandle family : columnFamilies()) {
            tables += db.getLongProperty(family, "rocksdb.num-immutable-mem-table");
        }
        return tables;
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
