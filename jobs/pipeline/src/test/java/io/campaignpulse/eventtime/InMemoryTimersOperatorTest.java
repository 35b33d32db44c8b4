package io.campaignpulse.eventtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

class InMemoryTimersOperatorTest {

    private static final MapStateDescriptor<String, String> SETTINGS =
            new MapStateDescriptor<>("settings", Types.STRING, Types.STRING);

    /** Schedules an instant for each record "key:time" and says which key fired at which time. */
    static final class Echo extends KeyedBroadcastProcessFunction<String, String, String, String>
            implements CheckpointedFunction, InMemoryTimers {

        private transient DueInstants instants;

        @Override
        public void initializeState(FunctionInitializationContext context) {
            instants = new DueInstants();
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) {}

        @Override
        public DueInstants dueInstants() {
            return instants;
        }

        @Override
        public void processElement(String record, ReadOnlyContext ctx, Collector<String> out) {
            instants.schedule(ctx.getCurrentKey(), Long.parseLong(record.split(":")[1]));
        }

        @Override
        public void onTimer(long timestamp, OnTimerContext ctx, Collector<String> out) {
            out.collect(ctx.getCurrentKey() + "@" + timestamp + " (" + ctx.timestamp() + ")");
        }

        @Override
        public void processBroadcastElement(String value, Context ctx, Collector<String> out) {}
    }

    @Test
    void theInstantsAWatermarkPassesFireBeforeItInOrderOfTimeThenKeyAsTheirKey() throws Exception {
        try (var harness = new KeyedBroadcastOperatorTestHarness<>(
                new InMemoryTimersOperator<>(new Echo(), List.of(SETTINGS)),
                (String r) -> r.split(":")[0],
                Types.STRING,
                128,
                1,
                0)) {
            harness.open();
            harness.getTwoInputOperator().processWatermarkStatus2(WatermarkStatus.IDLE);
            for (String r : List.of("b:20", "a:30", "c:10", "a:20")) {
                harness.processElement(r, 0);
            }
            harness.processWatermark(20);
            harness.processWatermark(25);
            harness.processWatermark(30);

            List<Object> out = new ArrayList<>();
            for (Object o : harness.getOutput()) {
                out.add(o instanceof StreamRecord<?> r ? r.getValue() + " t=" + r.getTimestamp() : o);
            }
            assertThat(out)
                    .containsExactly(
                            "c@10 (10) t=10",
                            "a@20 (20) t=20",
                            "b@20 (20) t=20",
                            new Watermark(20),
                            new Watermark(25),
                            "a@30 (30) t=30",
                            new Watermark(30));
            assertThat(harness.numEventTimeTimers()).as("no Flink timers").isZero();
        }
    }
}
