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
 * <p>With {@code event-time.max-publication-delay} (the producers' promise that a record is
 * readable in Kafka within that long of its event time), a quiet partition does not wait for its
 * next record or for idleness: at each periodic watermark it asks the broker whether it is read to
 * its end, and if it was at time t, every record still to come became readable after t and so has
 * an event time after t minus the delay. Its watermark follows the clock that far behind (and
 * max-out-of-orderness further), so a sparse topic (reviews at night) no longer holds back the
 * judgement of every send, and it never needs to be idle.
 *
 * <p>Run inside the source ({@code env.fromSource}), so each Kafka partition has its own
 * generator and the source emits the minimum over its partitions.
 */
public final class CustomerEventWatermarks implements WatermarkGenerator<Envelope> {

    private final long outOfOrdernessMs;
    /** 0: no promise, the partition's watermark moves with its records only. */
    private final long publicationDelayMs;

    private final QuietPartition quiet;
    private long readsAtLastEmit;
    private long maxTimestamp = Long.MIN_VALUE;
    private long emitted = Long.MIN_VALUE;
    private long holdUntil = Long.MIN_VALUE;
    private boolean idle;

    CustomerEventWatermarks(Duration outOfOrderness, Duration publicationDelay, QuietPartition quiet) {
        this.outOfOrdernessMs = outOfOrderness.toMillis();
        this.publicationDelayMs = publicationDelay.toMillis();
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
                                config.maxPublicationDelay(),
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
        } else if ((publicationDelayMs == 0 || !quiet.delivered()) && quiet.idle()) {
            // With a publication delay, a partition that can be looked up follows the clock instead.
            idle = true;
            output.markIdle();
            return;
        }
        long now = quiet.now();
        boolean holding = now < holdUntil;
        long watermark = holding || maxTimestamp == Long.MIN_VALUE ? emitted : maxTimestamp - outOfOrdernessMs - 1;
        // Asked only when no record came since the last watermark: a busier partition's own records
        // are at least as recent.
        if (publicationDelayMs > 0 && !holding && quiet.reads() == readsAtLastEmit) {
            long asOf = quiet.caughtUpAsOf();
            if (asOf != Long.MIN_VALUE) {
                watermark = Math.max(watermark, asOf - publicationDelayMs - outOfOrdernessMs - 1);
            }
        }
        readsAtLastEmit = quiet.reads();
        if (watermark == Long.MIN_VALUE) {
            output.markActive();
        } else {
            emitted = Math.max(emitted, watermark);
            output.emitWatermark(new Watermark(emitted));
        }
    }
}
