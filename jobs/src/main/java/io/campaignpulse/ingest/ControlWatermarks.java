package io.campaignpulse.ingest;

import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * Watermarks for the control topic: none. Control messages take effect when they arrive, not at
 * an event time, so the topic declares itself idle on every tick and never holds the alerting
 * operators' event time back (a message makes it active until the next tick).
 */
public final class ControlWatermarks implements WatermarkGenerator<Envelope> {

    public static WatermarkStrategy<Envelope> strategy() {
        return WatermarkStrategy.<Envelope>forGenerator(ctx -> new ControlWatermarks())
                .withTimestampAssigner((envelope, ts) -> EventTimes.of(envelope));
    }

    @Override
    public void onEvent(Envelope event, long eventTimestamp, WatermarkOutput output) {}

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        output.markIdle();
    }
}
