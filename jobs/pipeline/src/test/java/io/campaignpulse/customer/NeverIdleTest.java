package io.campaignpulse.customer;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class NeverIdleTest {

    @Test
    void recordsAndWatermarksPassButIdlenessDoesNot() throws Exception {
        try (var h = new OneInputStreamOperatorTestHarness<String, String>(new NeverIdle<>())) {
            h.open();
            h.processElement(new StreamRecord<>("a", 1_000));
            h.processWatermark(new Watermark(900));
            h.processWatermarkStatus(WatermarkStatus.IDLE);
            h.processWatermarkStatus(WatermarkStatus.ACTIVE);
            h.processElement(new StreamRecord<>("b", 2_000));
            h.processWatermark(new Watermark(Long.MAX_VALUE));

            assertThat(h.getOutput())
                    .containsExactly(
                            new StreamRecord<>("a", 1_000),
                            new Watermark(900),
                            new StreamRecord<>("b", 2_000),
                            new Watermark(Long.MAX_VALUE));
        }
    }
}
