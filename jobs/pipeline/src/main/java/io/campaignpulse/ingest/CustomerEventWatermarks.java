package io.campaignpulse.ingest;

import io.campaignpulse.config.PulseConfig;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * Watermarks for one partition of the customer-event topics: bounded out-of-orderness (send logs
 * and CRM changelogs arrive a little out of order), idle only when the partition is quiet
 * <em>and</em> caught up ({@link QuietPartition}). An idle partition wakes, holding event time at
 * its old watermark, as soon as the broker has records for it again; one woken by a record holds
 * its old watermark for {@link QuietPartition#WAKE_HOLD_MS}, so a burst after a quiet night is
 * read in step rather than by whichever partition happens to be fetched first. Timestamps the
 * decoder refused (dead letters, including INVALID_TIMESTAMP) never reach the maximum, so a bad
 * clock cannot move event time.
 *
 * <p>Run inside the source ({@code env.fromSource}), so each Kafka partition has its own
 * generator and the source emits the minimum over its partitions.
 */
public final class CustomerEventWatermarks implements WatermarkGenerator<Envelope> {

    private final long outOfOrdernessMs;
    private final QuietPartition quiet;
    private long maxTimestamp = Long.MIN_VALUE;
    private long emitted = Long.MIN_VALUE;
    private long holdUntil = Long.MIN_VALUE;
    private boolean idle;

    CustomerEventWatermarks(Duration outOfOrderness, QuietPartition quiet) {
        this.outOfOrdernessMs = outOfOrderness.toMillis();
        this.quiet = quiet;
    }

    /**
     * @param backlog how the source tells a partition that is behind from one that is caught up;
     *     {@link Backlog#BOUNDED} for replays, which are never idle
     * @param alignment whether to align the partitions' watermarks (a Kafka source; pauses the
     *     partitions that run more than {@code event-time.alignment-max-drift} ahead)
     */
    public static WatermarkStrategy<Envelope> strategy(
            PulseConfig.EventTime config, Backlog backlog, boolean alignment) {
        long idlenessMs = config.idleness().toMillis();
        WatermarkStrategy<Envelope> strategy = WatermarkStrategy.<Envelope>forGenerator(
                        ctx -> new CustomerEventWatermarks(
                                config.maxOutOfOrderness(),
                                new QuietPartition(idlenessMs, backlog, ctx.getInputActivityClock())))
                .withTimestampAssigner((envelope, kafkaTimestamp) -> EventTimes.of(envelope));
        return alignment
                ? strategy.withWatermarkAlignment(
                        "campaign-pulse-customer-events", config.alignmentMaxDrift(), config.alignmentUpdateInterval())
                : strategy;
    }

    @Override
    public void onEvent(Envelope event, long eventTimestamp, WatermarkOutput output) {
        quiet.recordRead(event);
        if (idle) {
            // Woken by a record: others idle until now may be waking in the same burst.
            idle = false;
            holdUntil = quiet.now() + QuietPartition.WAKE_HOLD_MS;
        }
        if (eventTimestamp != Long.MIN_VALUE) {
            maxTimestamp = Math.max(maxTimestamp, eventTimestamp);
        }
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        if (idle) {
            if (quiet.stillCaughtUp()) {
                output.markIdle();
                return;
            }
            idle = false; // the broker has records for it again: hold event time at its watermark until they are read
        } else if (quiet.idle()) {
            idle = true;
            output.markIdle();
            return;
        }
        long watermark = quiet.now() < holdUntil || maxTimestamp == Long.MIN_VALUE
                ? emitted
                : maxTimestamp - outOfOrdernessMs - 1;
        if (watermark == Long.MIN_VALUE) {
            output.markActive();
        } else {
            emitted = Math.max(emitted, watermark);
            output.emitWatermark(new Watermark(emitted));
        }
    }
}
