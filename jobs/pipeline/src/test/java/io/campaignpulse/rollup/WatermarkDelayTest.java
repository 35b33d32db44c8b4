package io.campaignpulse.rollup;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class WatermarkDelayTest {

    @Test
    void recordsPassUnchangedAndEventTimeIsHeldBackByTheDelayButEndOfInputStaysEndOfInput() throws Exception {
        try (var h = new OneInputStreamOperatorTestHarness<String, String>(new WatermarkDelay<>(600_000))) {
            h.open();
            h.processWatermark(new Watermark(Long.MIN_VALUE + 5)); // no underflow
            h.processElement(new StreamRecord<>("a", 1_000_000));
            h.processWatermark(new Watermark(1_000_000));
            h.processWatermark(new Watermark(Long.MAX_VALUE));

            assertThat(h.getOutput())
                    .containsExactly(
                            new Watermark(Long.MIN_VALUE),
                            new StreamRecord<>("a", 1_000_000),
                            new Watermark(400_000),
                            new Watermark(Long.MAX_VALUE));
        }
    }
}
