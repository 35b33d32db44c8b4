package io.campaignpulse.ingest;

import java.time.Duration;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * Watermarks for reference data that is not a timeline: the campaigns topic and the control
 * log. Until the topic's backlog is read (quiet for {@code settle} and caught up to its end
 * offset, see {@link QuietPartition}), it holds event time back at the start, so no send is
 * judged before its campaign is known, and no alert is raised before the mutes and thresholds in
 * force are. From then on it declares itself idle, so it never holds the customer streams back.
 * A bounded replay file holds event time back until it has been read to its end.
 *
 * <p>Idle, not a maximal watermark: when every customer partition is quiet too (a night without
 * traffic), an operator whose other input sits at +infinity would take that as its event time
 * and judge every later event late. With both inputs idle, event time simply waits. A campaign
 * created later than the settling is covered by {@code campaign-grace} in the misfire detector;
 * a later control message applies from when it arrives.
 */
public final class SettlingWatermarks implements WatermarkGenerator<Envelope> {

    private final QuietPartition quiet;
    private boolean settled;

    private SettlingWatermarks(QuietPartition quiet) {
        this.quiet = quiet;
    }

    /** @param topic the one topic the source reads (campaigns, or the control log) */
    public static WatermarkStrategy<Envelope> strategy(Duration settle, Backlog backlog, String topic) {
        return WatermarkStrategy.<Envelope>forGenerator(ctx -> new SettlingWatermarks(
                        new QuietPartition(settle.toMillis(), backlog, ctx.getInputActivityClock(), topic)))
                .withTimestampAssigner((envelope, ts) -> EventTimes.of(envelope));
    }

    @Override
    public void onEvent(Envelope event, long eventTimestamp, WatermarkOutput output) {
        quiet.recordRead(event);
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        if (!settled) {
            settled = quiet.idle();
        }
        if (settled) {
            // Re-declared on every tick: a new campaign record makes the output active again.
            output.markIdle();
        }
    }
}
