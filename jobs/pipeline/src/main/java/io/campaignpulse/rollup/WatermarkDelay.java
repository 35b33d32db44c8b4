package io.campaignpulse.rollup;

import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Passes records through and holds event time back by a fixed delay: downstream windows close
 * that much later, so records up to that late (feedback scored after the watermark) still count
 * in the window they belong to. Stateless.
 */
public final class WatermarkDelay<T> extends AbstractStreamOperator<T> implements OneInputStreamOperator<T, T> {

    private final long delayMs;

    public WatermarkDelay(long delayMs) {
        this.delayMs = delayMs;
    }

    @Override
    public void processElement(StreamRecord<T> element) {
        output.collect(element);
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        long t = mark.getTimestamp();
        // Long.MAX_VALUE (end of input) stays the end of input.
        super.processWatermark(
                t == Long.MAX_VALUE
                        ? mark
                        : new Watermark(t < Long.MIN_VALUE + delayMs ? Long.MIN_VALUE : t - delayMs));
    }
}
