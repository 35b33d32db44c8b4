package io.campaignpulse.ingest;

import static io.campaignpulse.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.campaignpulse.contract.DeadLetterReason;
import io.campaignpulse.contract.OfferType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.util.clock.RelativeClock;
import org.junit.jupiter.api.Test;

/**
 * One partition's watermarks, with the wall clock and the broker's answers in the test's hands:
 * a quiet partition is idle only once it is caught up; one that is merely behind (a backlog, a
 * starved reader) keeps holding event time back however long it is quiet.
 */
class CustomerEventWatermarksTest {

    private static final Duration BOUND = Duration.ofMinutes(5);
    private static final long QUIET_MS = 1_000;
    private static final Duration PUBLICATION = Duration.ofMillis(100);
    private static final long INTERVAL_MS = 200;

    private final ManualClock clock = new ManualClock();
    private final ScriptedBacklog backlog = new ScriptedBacklog();
    private final RecordingOutput out = new RecordingOutput();

    private CustomerEventWatermarks generator(Backlog b) {
        return new CustomerEventWatermarks(BOUND, Duration.ZERO, new QuietPartition(QUIET_MS, b, clock));
    }

    /** A partition whose producers promise each record is readable within PUBLICATION of its event time. */
    private CustomerEventWatermarks promised() {
        return new CustomerEventWatermarks(BOUND, PUBLICATION, new QuietPartition(QUIET_MS, backlog, clock));
    }

    private static Envelope sendAt(long t, long offset) {
        return new Envelope("campaign-sends", 1, offset, send("s" + offset, "C1", "cust-1", t));
    }

    /** A partition that has delivered up to offset 41 (a 09:00 send), and the broker says nothing follows. */
    private CustomerEventWatermarks caughtUpAfterOffset41() {
        CustomerEventWatermarks g = generator(backlog);
        read(g, sendAt(T0900, 41));
        backlog.answers.put("campaign-sends-1@42", Boolean.TRUE);
        return g;
    }

    private static void read(WatermarkGenerator<Envelope> g, Envelope e) {
        g.onEvent(e, EventTimes.of(e), new RecordingOutput());
    }

    @Test
    void theAlignmentComparesThePartitionsAsOftenAsConfigured() {
        var eventTime = config(
                        Map.of("event-time.alignment-max-drift", "2h", "event-time.alignment-update-interval", "250ms"))
                .eventTime();

        var alignment =
                CustomerEventWatermarks.strategy(eventTime, backlog, true).getAlignmentParameters();

        assertThat(alignment.getMaxAllowedWatermarkDrift())
                .isEqualTo(Duration.ofHours(2).toMillis());
        assertThat(alignment.getUpdateInterval()).isEqualTo(250L);
        assertThat(CustomerEventWatermarks.strategy(eventTime, backlog, false)
                        .getAlignmentParameters()
                        .isEnabled())
                .isFalse();
    }

    @Test
    void theWatermarkTrailsTheLargestEventTimeByTheAllowedDisorder() {
        CustomerEventWatermarks g = generator(backlog);
        g.onPeriodicEmit(out);
        assertThat(out.watermarks).as("nothing read, nothing known").isEmpty();
        read(g, sendAt(T0905, 10));
        read(g, sendAt(T0900, 11)); // out of order, within the bound
        g.onPeriodicEmit(out);
        assertThat(out.last()).isEqualTo(T0905 - BOUND.toMillis() - 1);
        assertThat(out.idle).isFalse();
    }

    @Test
    void aDeadLetterNeverMovesEventTime() {
        CustomerEventWatermarks g = generator(backlog);
        read(g, sendAt(T0900, 1));
        Envelope bad = EnvelopeDecoder.deadLetter(
                "campaign-sends", 1, 2, null, new byte[] {1}, DeadLetterReason.INVALID_TIMESTAMP, "2099");
        read(g, bad);
        g.onPeriodicEmit(out);
        assertThat(out.last()).isEqualTo(T0900 - BOUND.toMillis() - 1);
    }

    @Test
    void aQuietPartitionThatIsBehindIsNeverIdle() {
        CustomerEventWatermarks g = generator(backlog);
        read(g, sendAt(T0900, 41));
        backlog.answers.put("campaign-sends-1@42", Boolean.FALSE); // records after offset 41 are unread
        clock.advance(Duration.ofHours(1).toMillis()); // a starved reader: quiet for an hour
        g.onPeriodicEmit(out);
        assertThat(out.idle).isFalse();
        assertThat(out.last()).isEqualTo(T0900 - BOUND.toMillis() - 1);
        assertThat(backlog.asked).containsExactly("campaign-sends-1@42");
    }

    @Test
    void whileTheAnswerIsPendingThePartitionKeepsHoldingEventTime() {
        CustomerEventWatermarks g = generator(backlog);
        read(g, sendAt(T0900, 7));
        clock.advance(QUIET_MS);
        g.onPeriodicEmit(out); // backlog has no answer yet (null)
        assertThat(out.idle).isFalse();
    }

    @Test
    void aQuietPartitionThatIsCaughtUpIsIdleUntilItsNextRecord() {
        CustomerEventWatermarks g = caughtUpAfterOffset41();
        clock.advance(QUIET_MS - 1);
        g.onPeriodicEmit(out);
        assertThat(out.idle).as("not quiet long enough").isFalse();
        assertThat(backlog.asked)
                .as("the broker is asked only after the quiet period")
                .isEmpty();
        clock.advance(1);
        g.onPeriodicEmit(out);
        assertThat(out.idle).isTrue();

        read(g, sendAt(T1000, 42));
        g.onPeriodicEmit(out);
        assertThat(out.idle).isFalse();
        assertThat(out.last())
                .as("woken by a record: holds its old watermark while the others wake")
                .isEqualTo(T0900 - BOUND.toMillis() - 1);
        clock.advance(QuietPartition.WAKE_HOLD_MS);
        g.onPeriodicEmit(out);
        assertThat(out.last()).isEqualTo(T1000 - BOUND.toMillis() - 1);
    }

    @Test
    void anIdlePartitionWakesAsSoonAsTheBrokerHasRecordsForItAgain() {
        CustomerEventWatermarks g = caughtUpAfterOffset41();
        clock.advance(QUIET_MS);
        g.onPeriodicEmit(out);
        assertThat(out.idle).isTrue();
        g.onPeriodicEmit(out);
        assertThat(out.idle).as("still caught up: still idle").isTrue();

        backlog.answers.put("campaign-sends-1@42", Boolean.FALSE); // a burst after a quiet night, not fetched yet
        g.onPeriodicEmit(out);
        assertThat(out.idle)
                .as("holds event time for the records it has not read yet")
                .isFalse();
        assertThat(out.last()).isEqualTo(T0900 - BOUND.toMillis() - 1);
    }

    @Test
    void aPartitionThatWakesBeforeItEverHadAWatermarkHoldsEventTimeWithoutOne() {
        CustomerEventWatermarks g = generator(backlog);
        clock.advance(QuietPartition.UNSEEN_MIN_MS);
        g.onPeriodicEmit(out);
        assertThat(out.idle).isTrue();
        read(g, sendAt(T0900, 0));
        g.onPeriodicEmit(out);
        assertThat(out.idle).as("active: the source's minimum now waits for it").isFalse();
        assertThat(out.watermarks).isEmpty();
    }

    @Test
    void aPartitionThatNeverDeliveredIsTakenForEmptyOnlyAfterTheLongerStartPeriod() {
        CustomerEventWatermarks g = generator(backlog);
        clock.advance(QuietPartition.UNSEEN_MIN_MS - 1);
        g.onPeriodicEmit(out);
        assertThat(out.idle).isFalse();
        clock.advance(1);
        g.onPeriodicEmit(out);
        assertThat(out.idle).isTrue();
    }

    @Test
    void withAPublicationDelayAQuietPartitionReadToItsEndFollowsTheClockAndIsNeverIdle() {
        CustomerEventWatermarks g = promised();
        read(g, sendAt(T0900, 41));
        g.onPeriodicEmit(out);
        assertThat(out.last()).isEqualTo(T0900 - BOUND.toMillis() - 1);
        long asked = T0900 + 60_000; // the broker said at 09:01 that nothing follows offset 41
        backlog.caughtUpAt.put("campaign-sends-1@42", asked);

        clock.advance(INTERVAL_MS);
        g.onPeriodicEmit(out);
        assertThat(backlog.asked).containsExactly("campaign-sends-1@42");
        assertThat(out.last())
                .as("a record still to come was readable after 09:01, so its event time is after 09:01 minus the delay")
                .isEqualTo(asked - PUBLICATION.toMillis() - BOUND.toMillis() - 1);

        clock.advance(Duration.ofHours(1).toMillis()); // far past the idleness
        backlog.caughtUpAt.put(
                "campaign-sends-1@42", asked + Duration.ofHours(1).toMillis());
        g.onPeriodicEmit(out);
        assertThat(out.idle).as("it follows the clock instead").isFalse();
        assertThat(out.last())
                .isEqualTo(asked + Duration.ofHours(1).toMillis() - PUBLICATION.toMillis() - BOUND.toMillis() - 1);
    }

    @Test
    void withAPublicationDelayAPartitionThatIsBehindOrNotYetAnsweredMovesOnlyWithItsRecords() {
        CustomerEventWatermarks g = promised();
        read(g, sendAt(T0900, 41));
        g.onPeriodicEmit(out);
        // The broker answered for the position after offset 40: a record came since, so it says nothing about 42.
        backlog.caughtUpAt.put("campaign-sends-1@41", T1000);
        clock.advance(Duration.ofHours(1).toMillis());
        g.onPeriodicEmit(out);
        assertThat(backlog.asked).containsExactly("campaign-sends-1@42");
        assertThat(out.idle).isFalse();
        assertThat(out.last()).isEqualTo(T0900 - BOUND.toMillis() - 1);
    }

    @Test
    void withAPublicationDelayAPartitionWithARecordSinceTheLastWatermarkIsNotLookedUp() {
        CustomerEventWatermarks g = promised();
        read(g, sendAt(T0900, 41));
        g.onPeriodicEmit(out);
        clock.advance(INTERVAL_MS);
        read(g, sendAt(T0905, 42));
        g.onPeriodicEmit(out);
        assertThat(backlog.asked).as("its own record is as recent as an answer").isEmpty();
        assertThat(out.last()).isEqualTo(T0905 - BOUND.toMillis() - 1);
    }

    @Test
    void withAPublicationDelayAnOlderAnswerNeverMovesEventTimeBack() {
        CustomerEventWatermarks g = promised();
        read(g, sendAt(T1000, 41));
        g.onPeriodicEmit(out);
        backlog.caughtUpAt.put("campaign-sends-1@42", T0900); // asked before the 10:00 record's time
        clock.advance(INTERVAL_MS);
        g.onPeriodicEmit(out);
        assertThat(out.watermarks).containsOnly(T1000 - BOUND.toMillis() - 1);
    }

    @Test
    void withAPublicationDelayAPartitionThatNeverDeliveredIsStillTakenForEmpty() {
        CustomerEventWatermarks g = promised();
        clock.advance(QuietPartition.UNSEEN_MIN_MS);
        g.onPeriodicEmit(out);
        assertThat(out.idle)
                .as("it cannot be looked up before it names its partition")
                .isTrue();
    }

    @Test
    void aBoundedReplayIsNeverIdle() {
        CustomerEventWatermarks g = generator(Backlog.BOUNDED);
        clock.advance(Duration.ofDays(1).toMillis());
        g.onPeriodicEmit(out);
        assertThat(out.idle).isFalse();
        read(g, sendAt(T0900, 1));
        clock.advance(Duration.ofDays(1).toMillis());
        g.onPeriodicEmit(out);
        assertThat(out.idle).isFalse();
    }

    @Test
    void referenceDataHoldsEventTimeBackUntilItsBacklogIsReadThenStepsAside() {
        SettlingWatermarks g = settling("campaigns");
        Envelope campaign = new Envelope("campaigns", 0, 5L, campaign("C1", "Card", OfferType.CROSS_SELL, "P"));
        g.onEvent(campaign, EventTimes.of(campaign), out);
        backlog.answers.put("campaigns-0@6", Boolean.FALSE);
        clock.advance(Duration.ofMinutes(10).toMillis()); // quiet, but the broker says more is there
        g.onPeriodicEmit(out);
        assertThat(out.idle).isFalse();
        assertThat(out.watermarks).as("holds event time at its start").isEmpty();
        backlog.answers.put("campaigns-0@6", Boolean.TRUE);
        g.onPeriodicEmit(out);
        assertThat(out.idle).isTrue();
        assertThat(out.watermarks).as("idle, never a watermark at +infinity").isEmpty();
    }

    @Test
    void anEmptyControlLogIsNotWaitedForButOneNotYetFetchedIs() {
        SettlingWatermarks g = settling("pulse-control");
        clock.advance(QUIET_MS);
        g.onPeriodicEmit(out);
        assertThat(out.idle)
                .as("nothing delivered yet, and the broker has not answered")
                .isFalse();
        backlog.emptyTopics.put("pulse-control", Boolean.FALSE);
        g.onPeriodicEmit(out);
        assertThat(out.idle)
                .as("the log has records the reader has not delivered yet")
                .isFalse();
        backlog.emptyTopics.put("pulse-control", Boolean.TRUE);
        g.onPeriodicEmit(out);
        assertThat(out.idle).as("an empty log: nothing to wait for").isTrue();
    }

    private SettlingWatermarks settling(String topic) {
        return (SettlingWatermarks) SettlingWatermarks.strategy(Duration.ofMillis(QUIET_MS), backlog, topic)
                .createWatermarkGenerator(new WatermarkGeneratorSupplier.Context() {
                    @Override
                    public MetricGroup getMetricGroup() {
                        return new UnregisteredMetricsGroup();
                    }

                    @Override
                    public RelativeClock getInputActivityClock() {
                        return clock;
                    }
                });
    }

    private static final class ManualClock implements RelativeClock {
        private long now = 1_000_000;

        void advance(long ms) {
            now += ms;
        }

        @Override
        public long relativeTimeMillis() {
            return now;
        }

        @Override
        public long relativeTimeNanos() {
            return now * 1_000_000;
        }
    }

    private static final class ScriptedBacklog implements Backlog {
        final Map<String, Boolean> answers = new HashMap<>();
        final Map<String, Long> caughtUpAt = new HashMap<>();
        final Map<String, Boolean> emptyTopics = new HashMap<>();
        final List<String> asked = new ArrayList<>();

        @Override
        public Boolean empty(String topic) {
            return emptyTopics.get(topic);
        }

        @Override
        public long caughtUpAsOf(String topic, int partition, long nextOffset) {
            String key = topic + "-" + partition + "@" + nextOffset;
            asked.add(key);
            return caughtUpAt.getOrDefault(key, Long.MIN_VALUE);
        }

        @Override
        public Boolean caughtUp(String topic, int partition, long nextOffset) {
            String key = topic + "-" + partition + "@" + nextOffset;
            asked.add(key);
            return answers.get(key);
        }
    }

    private static final class RecordingOutput implements WatermarkOutput {
        final List<Long> watermarks = new ArrayList<>();
        boolean idle;

        long last() {
            return watermarks.get(watermarks.size() - 1);
        }

        @Override
        public void emitWatermark(Watermark watermark) {
            watermarks.add(watermark.getTimestamp());
            idle = false;
        }

        @Override
        public void markIdle() {
            idle = true;
        }

        @Override
        public void markActive() {
            idle = false;
        }
    }
}
