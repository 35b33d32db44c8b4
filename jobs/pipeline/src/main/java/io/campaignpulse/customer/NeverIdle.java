package io.campaignpulse.customer;

import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

/**
 * Passes the per-customer step's records and watermarks on, but never its idleness. Every
 * instance of that step reads every source instance, so they go idle only together, when no
 * event time moves anyway; an idle instance downstream only lets another input run ahead of the
 * records it still sends: the control input past the verdicts and roll-ups an alerting step has
 * yet to see, or, at a drain, one instance's end of event time past the last records of another
 * that has not woken yet (late to every window then). Stateless.
 */
public final class NeverIdle<T> extends AbstractStreamOperator<T> implements OneInputStreamOperator<T, T> {

    @Override
    public void processElement(StreamRecord<T> element) {
        output.collect(element);
    }

    @Override
    public void processWatermarkStatus(WatermarkStatus watermarkStatus) {
        // Not forwarded: the output stays active, its watermark where the step left it.
    }
}
