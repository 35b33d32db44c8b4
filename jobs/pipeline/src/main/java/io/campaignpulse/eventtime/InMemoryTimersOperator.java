package io.campaignpulse.eventtime;

import java.util.List;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.streaming.api.operators.TimerHeapInternalTimer;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.api.watermark.Watermark;

/**
 * Runs a keyed-broadcast step whose timers are in memory ({@link InMemoryTimers}): Flink's
 * keyed-broadcast operator, except that when a watermark arrives every instant it passes fires
 * first, in order, with the instant's key as the current key, exactly as a Flink timer would call
 * {@code onTimer} (the output carries the instant as its timestamp); then the watermark goes on
 * as usual. Flink's timer service stays, for the timers a savepoint of an earlier release holds.
 *
 * <p>While the instants fire, the step's {@code ctx.timerService().currentWatermark()} is still
 * the previous watermark (Flink's timer service advances after them): a step reads the instant's
 * time, not the watermark, in {@code onTimer}.
 *
 * <p>Given the job's checkpoint interval, it also flushes the step's RocksDB memtables ahead of each
 * checkpoint while it keeps up with its input ({@link MemtablePreflush}), so that the checkpoint
 * holds the step up for less time.
 *
 * <p>Wired with {@code keyedStream.connect(other.broadcast()).transform(name, type, operator)}:
 * the broadcast input's state is found by the descriptors given here.
 */
public final class InMemoryTimersOperator<IN1, IN2, OUT> extends CoBroadcastWithKeyedOperator<String, IN1, IN2, OUT> {

    private static final long serialVersionUID = 1L;

    private final MemtablePreflush.Schedule preflushSchedule;
    private transient MemtablePreflush preflush;
    private transient long watermark;

    /** Without flushes ahead of checkpoints. */
    public <F extends KeyedBroadcastProcessFunction<String, IN1, IN2, OUT> & InMemoryTimers> InMemoryTimersOperator(
            F step, List<MapStateDescriptor<?, ?>> broadcastStates) {
        this(step, broadcastStates, MemtablePreflush.Schedule.NONE);
    }

    /** @param preflushSchedule when to flush RocksDB's memtables ahead of checkpoints */
    public <F extends KeyedBroadcastProcessFunction<String, IN1, IN2, OUT> & InMemoryTimers> InMemoryTimersOperator(
            F step, List<MapStateDescriptor<?, ?>> broadcastStates, MemtablePreflush.Schedule preflushSchedule) {
        super(step, broadcastStates);
        this.preflushSchedule = preflushSchedule;
    }

    @Override
    public void open() throws Exception {
        super.open();
        watermark = Long.MIN_VALUE;
        preflush = MemtablePreflush.of(getKeyedStateBackend(), preflushSchedule);
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        if (preflush != null) {
            preflush.afterSnapshot(getProcessingTimeService(), () -> watermark);
        }
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        DueInstants instants = ((InMemoryTimers) getUserFunction()).dueInstants();
        DueInstants.Instant due;
        while ((due = instants.pollDue(mark.getTimestamp())) != null) {
            setCurrentKey(due.key());
            onEventTime(new TimerHeapInternalTimer<>(due.time(), due.key(), VoidNamespace.INSTANCE));
        }
        super.processWatermark(mark);
        watermark = mark.getTimestamp();
    }
}
