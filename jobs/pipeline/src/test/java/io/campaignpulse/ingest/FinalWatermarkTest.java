package io.campaignpulse.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * Flink calls an operator's finish only when its input ends for good (a drain or a bounded end;
 * StreamOperatorWrapper skips it for a stop without drain), which the harness cannot show: its
 * close always finishes.
 */
class FinalWatermarkTest {

    @Test
    void recordsWatermarksAndIdlenessPassAndTheEndOfInputEndsEventTimeEvenWhenIdle() throws Exception {
        try (var h = new OneInputStreamOperatorTestHarness<String, String>(new FinalWatermark<>())) {
            h.open();
            h.processElement(new StreamRecord<>("a", 1_000));
            h.processWatermark(new Watermark(900));
            h.processWatermarkStatus(WatermarkStatus.IDLE);
            assertThat(h.getOutput())
                    .containsExactly(new StreamRecord<>("a", 1_000), new Watermark(900), WatermarkStatus.IDLE);

            // The source's own final watermark was dropped while idle: the drain's finish ends event time.
            h.getOutput().clear();
            h.getOneInputOperator().finish();
            assertThat(h.getOutput()).containsExactly(WatermarkStatus.ACTIVE, new Watermark(Long.MAX_VALUE));
        }
    }
}
