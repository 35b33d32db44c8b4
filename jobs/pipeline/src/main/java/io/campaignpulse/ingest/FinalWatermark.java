package io.campaignpulse.ingest;

import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;

/**
 * Passes a source's records, watermarks and idleness through, and at the end of its input (a stop
 * with drain, or a bounded source's end) moves event time to its end even when every partition
 * was idle: Flink 2.2 drops a drained source's final watermark while the source's output is idle
 * (FLINK-40499), so the last windows, misfire-rate verdicts and roll-ups would never close. Its
 * {@link #finish} runs only when the input ends for good, never for a stop that a later run
 * resumes. Stateless.
 */
public final class FinalWatermark<T> extends AbstractStreamOperator<T> implements OneInputStreamOperator<T, T> {

    @Override
    public void processElement(StreamRecord<T> element) {
        output.collect(element);
    }

    @Override
    public void finish() throws Exception {
        // Active first: an idle output drops watermarks. Downstream ignores a repeated end of input.
        output.emitWatermarkStatus(WatermarkStatus.ACTIVE);
        output.emitWatermark(Watermark.MAX_WATERMARK);
        super.finish();
    }
}
