package io.campaignpulse.alerting;

import static io.campaignpulse.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.campaignpulse.contract.AlertKind;
import io.campaignpulse.contract.CampaignStats;
import io.campaignpulse.contract.ControlMessage;
import io.campaignpulse.contract.ControlScope;
import io.campaignpulse.contract.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.state.rocksdb.RocksDBKeyedStateBackend;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SENTIMENT_DROP and TICKET_SURGE signals from a campaign's successive roll-up windows (24 h
 * sliding by 1 h): thresholds, texts, window order, cleanup. (One incident across the windows is
 * the IncidentTracker's job.)
 */
class SentimentAlerterTest {

    private static final long HOUR = Duration.ofHours(1).toMillis();

    private KeyedBroadcastOperatorTestHarness<String, CampaignStats, ControlMessage, AlertSignal> harness;

    @BeforeEach
    void setUp() throws Exception {
        harness = harness();
        harness.open();
        harness.getTwoInputOperator().processWatermarkStatus2(WatermarkStatus.IDLE);
    }

    private static KeyedBroadcastOperatorTestHarness<String, CampaignStats, ControlMessage, AlertSignal> harness()
            throws Exception {
        // On RocksDB, as in production.
        var h = new KeyedBroadcastOperatorTestHarness<>(
                new CoBroadcastWithKeyedOperator<>(
                        new SentimentAlerter(config(Map.of())), List.of(AlertControls.DESCRIPTOR)),
                CampaignStats::getCampaignId,
                Types.STRING,
                1,
                1,
                0);
        h.setStateBackend(new EmbeddedRocksDBStateBackend());
        return h;
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    /**
     * A window of campaign C1 ending at {@code end}: 1,000 sends, the given feedback and its
     * average sentiment and negative share, the given tickets; the baseline is all feedback at
     * +0.10 with 15 % negative and 10 tickets per 1,000 sends.
     */
    private static CampaignStats window(long end, long feedback, double avg, double negativeShare, long tickets) {
        return CampaignStats.newBuilder()
                .setCampaignId("C1")
                .setCampaignName("Double Cashback Card")
                .setWindowStart(Instant.ofEpochMilli(end - 24 * HOUR))
                .setWindowEnd(Instant.ofEpochMilli(end))
                .setSends(1000)
                .setMisfires(0)
                .setMisfiresByRule(Map.of())
                .setConvertedRecipients(12)
                .setFeedback(feedback)
                .setTickets(tickets)
                .setTicketsFromWindowSends(tickets)
                .setReviews(feedback - tickets)
                .setAvgSentiment(feedback == 0 ? null : avg)
                .setNegativeShare(feedback == 0 ? null : negativeShare)
                .setPositiveShare(feedback == 0 ? null : 1 - negativeShare)
                .setAvgRating(1.5)
                .setAvgCsat(null)
                .setTicketsPer1000Sends((double) tickets)
                .setBaselineFeedback(400)
                .setBaselineAvgSentiment(0.10)
                .setBaselineNegativeShare(0.15)
                .setBaselineTicketsPer1000Sends(10.0)
                .setSampleNegativeFeedbackIds(List.of("tkt-1", "rev-9"))
                .setScorerVersion("test")
                .build();
    }

    /** One window's figures, then the watermark that completes it. */
    private void push(CampaignStats s) throws Exception {
        harness.processElement(s, s.getWindowEnd().toEpochMilli() - 1);
        harness.processWatermark(s.getWindowEnd().toEpochMilli() - 1);
    }

    /** The windows where a condition held (the all-clears are checked on their own). */
    private List<AlertSignal> alerts() {
        return harness.<AlertSignal>extractOutputValues().stream()
                .filter(AlertSignal::getHolds)
                .toList();
    }

    private List<AlertSignal> allClears() {
        return harness.<AlertSignal>extractOutputValues().stream()
                .filter(a -> !a.getHolds())
                .toList();
    }

    private int keyedStateEntries() {
        return ((RocksDBKeyedStateBackend<?>)
                        ((AbstractStreamOperator<?>) harness.getOperator()).getKeyedStateBackend())
                .numKeyValueStateEntries();
    }

    @Test
    void sentimentFarBelowTheBaselineRaisesAWarningWithTheFiguresSamplesAndAnAction() throws Exception {
        push(window(at("12:00"), 20, -0.20, 0.50, 0)); // 0.30 below +0.10, but only 50 % negative

        assertThat(alerts()).singleElement().satisfies(a -> {
            assertThat(a.getKind()).isEqualTo(AlertKind.SENTIMENT_DROP);
            assertThat(a.getSeverity()).isEqualTo(Severity.WARNING);
            assertThat(a.getCampaignId()).isEqualTo("C1");
            assertThat(a.getTitle())
                    .startsWith(
                            "Double Cashback Card is souring its recipients: sentiment -0.20 vs +0.10 baseline, 50 % negative");
            assertThat(a.getDetail())
                    .contains("tkt-1, rev-9")
                    .contains("Suggested action:")
                    .contains("1.5 stars");
            assertThat(a.getMetrics())
                    .containsEntry("avg_sentiment", -0.20)
                    .containsEntry("baseline_avg_sentiment", 0.10)
                    .containsEntry("feedback", 20.0);
            assertThat(a.getWindowEnd()).isEqualTo(at("12:00"));
            assertThat(a.getExampleIds()).containsExactly("tkt-1", "rev-9");
            assertThat(a.getCumulative())
                    .as("overlapping windows: a level, not a sum")
                    .isFalse();
            assertThat(a.getCount()).isEqualTo(20);
            assertThat(a.getAction()).startsWith("read the example tickets");
        });
    }

    @Test
    void mostlyNegativeFeedbackNotFarBelowTheBaselineIsAWarningThatSaysSo() throws Exception {
        push(window(at("12:00"), 20, -0.05, 0.70, 0)); // only 0.15 below the baseline, but 70 % negative
        assertThat(alerts()).singleElement().satisfies(a -> {
            assertThat(a.getSeverity()).isEqualTo(Severity.WARNING);
            assertThat(a.getTitle())
                    .startsWith(
                            "Double Cashback Card draws mostly negative feedback: 70 % negative, sentiment -0.05 vs +0.10 baseline");
        });
    }

    @Test
    void belowTheBaselineAndMostlyNegativeIsCritical() throws Exception {
        push(window(at("12:00"), 20, -0.40, 0.80, 0));
        assertThat(alerts())
                .singleElement()
                .satisfies(a -> assertThat(a.getSeverity()).isEqualTo(Severity.CRITICAL));
    }

    @Test
    void aControlMessageForTheKindChangesTheNegativeShareThatCounts() throws Exception {
        harness.processBroadcastElement(
                ControlMessage.newBuilder()
                        .setControlId("k1")
                        .setScope(ControlScope.KIND)
                        .setTarget("SENTIMENT_DROP")
                        .setSettings(Map.of("sentiment-negative-share", "0.9"))
                        .setAuthor("ops")
                        .setIssuedAt(Instant.ofEpochMilli(0))
                        .build(),
                0);
        push(window(
                at("12:00"),
                20,
                -0.05,
                0.70,
                0)); // 70 % negative: enough by default (60 %), not under the 90 % in force
        assertThat(alerts()).isEmpty();
    }

    @Test
    void tooLittleFeedbackOrAMildDipRaisesNothing() throws Exception {
        push(window(at("12:00"), 9, -0.90, 1.0, 0)); // below sentiment-min-feedback (10)
        push(window(at("13:00"), 30, -0.10, 0.40, 0)); // 0.20 below the baseline (< 0.25), 40 % negative (< 60 %)
        push(window(at("14:00"), 0, 0, 0, 0)); // no feedback at all
        assertThat(alerts()).isEmpty();
    }

    @Test
    void everyWindowThatShowsTheDropIsSignalledAndNothingIsKept() throws Exception {
        push(window(at("12:00"), 20, -0.20, 0.50, 0));
        push(window(at("13:00"), 25, -0.22, 0.52, 0));
        push(window(at("14:00"), 30, 0.20, 0.20, 0)); // recovered: no signal
        push(window(at("15:00"), 30, -0.40, 0.70, 0));
        assertThat(alerts())
                .extracting(AlertSignal::getWindowEnd, AlertSignal::getSeverity)
                .containsExactly(
                        Tuple.tuple(at("12:00"), Severity.WARNING),
                        Tuple.tuple(at("13:00"), Severity.WARNING),
                        Tuple.tuple(at("15:00"), Severity.CRITICAL));
        assertThat(keyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void windowsArrivingOutOfOrderAreSignalledInWindowOrder() throws Exception {
        // The parallel window join may deliver 13:00 before 12:00; both are here when the watermark passes 13:00.
        CampaignStats opens = window(at("12:00"), 20, -0.20, 0.50, 0); // WARNING
        CampaignStats worse = window(at("13:00"), 30, -0.40, 0.80, 0); // CRITICAL
        harness.processElement(worse, at("13:00") - 1);
        harness.processElement(opens, at("12:00") - 1);
        assertThat(alerts()).as("nothing before the watermark").isEmpty();
        harness.processWatermark(at("13:00") - 1);

        // In window order, so the incident downstream opens at 12:00 as a WARNING and escalates at 13:00.
        assertThat(alerts()).extracting(AlertSignal::getWindowEnd).containsExactly(at("12:00"), at("13:00"));
        assertThat(keyedStateEntries()).as("no window left waiting").isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void ticketsAboveTheLevelAndTwiceTheBaselineAreATicketSurge() throws Exception {
        push(window(at("12:00"), 30, 0.30, 0.10, 30)); // 30 per 1,000 >= 20, and >= 2 x 10: WARNING
        push(window(at("13:00"), 45, 0.30, 0.10, 45)); // >= 2 x the level (40): CRITICAL
        assertThat(alerts())
                .extracting(AlertSignal::getKind, AlertSignal::getSeverity)
                .containsExactly(
                        Tuple.tuple(AlertKind.TICKET_SURGE, Severity.WARNING),
                        Tuple.tuple(AlertKind.TICKET_SURGE, Severity.CRITICAL));
        assertThat(alerts().get(0).getTitle())
                .isEqualTo(
                        "Double Cashback Card is driving tickets: 30 tickets from its 1000 sends (30.0 per 1,000, baseline 10.0, between 2026-11-19 12:00 and 2026-11-20 12:00 UTC)");
    }

    @Test
    void ticketsBelowTwiceTheBaselineOrTooFewAreNoSurge() throws Exception {
        CampaignStats busyDay = CampaignStats.newBuilder(window(at("12:00"), 30, 0.30, 0.10, 30))
                .setBaselineTicketsPer1000Sends(16.0)
                .build();
        push(busyDay); // 30 < 2 x 16: everyone is calling, not this campaign's recipients in particular
        CampaignStats few = CampaignStats.newBuilder(window(at("13:00"), 4, 0.30, 0.10, 4))
                .setSends(100)
                .setTicketsPer1000Sends(40.0)
                .build();
        push(few); // 40 per 1,000, but 4 tickets (< 5)
        CampaignStats tail = CampaignStats.newBuilder(window(at("14:00"), 28, 0.30, 0.10, 28))
                .setSends(21)
                .setTicketsPer1000Sends(1333.3)
                .build();
        push(tail); // the campaign stopped sending: its tickets trail 21 sends in this window (< 100)
        assertThat(alerts()).isEmpty();
    }

    @Test
    void aWindowWithoutTheConditionIsAnAllClearWithTheFiguresOfNow() throws Exception {
        push(window(at("12:00"), 40, 0.05, 0.20, 8)); // fine on both counts
        push(window(at("13:00"), 6, 0.05, 0.20, 2)); // too little to judge

        assertThat(alerts()).isEmpty();
        assertThat(allClears())
                .extracting(AlertSignal::getKind, AlertSignal::getTitle)
                .containsExactly(
                        Tuple.tuple(
                                AlertKind.SENTIMENT_DROP,
                                "Double Cashback Card's feedback has recovered: sentiment +0.05 vs +0.10 baseline, 20 % negative "
                                        + "(40 feedback, between 2026-11-19 12:00 and 2026-11-20 12:00 UTC)"),
                        Tuple.tuple(
                                AlertKind.TICKET_SURGE,
                                "Double Cashback Card's ticket rate is back to normal: 8 tickets from its 1000 sends "
                                        + "(8.0 per 1,000, baseline 10.0, between 2026-11-19 12:00 and 2026-11-20 12:00 UTC)"),
                        Tuple.tuple(
                                AlertKind.SENTIMENT_DROP,
                                "Double Cashback Card draws too little feedback to judge: 6 feedback, fewer than 10 "
                                        + "(between 2026-11-19 13:00 and 2026-11-20 13:00 UTC)"),
                        Tuple.tuple(
                                AlertKind.TICKET_SURGE,
                                "Double Cashback Card has too few tickets or sends to judge: 2 tickets from its 1000 sends, "
                                        + "fewer than 5 or 100 (between 2026-11-19 13:00 and 2026-11-20 13:00 UTC)"));
        assertThat(allClears()).allSatisfy(c -> {
            assertThat(c.getSeverity()).isEqualTo(Severity.INFO);
            assertThat(c.getMetrics()).containsKey("sends");
        });
        assertThat(allClears())
                .extracting(AlertSignal::getClearly)
                .as("by a margin: all but the feedback too thin to judge")
                .containsExactly(true, true, false, true);
        assertThat(keyedStateEntries()).isZero();
    }

    @Test
    void aWindowJustUnderTheLineIsAnAllClearButNotByAMargin() throws Exception {
        // -0.10 is not 0.25 below +0.10, but not above +0.10 - 0.125 either; 55 % is under 60 % but not under 50 %.
        push(window(at("12:00"), 40, -0.10, 0.55, 8));
        assertThat(alerts()).isEmpty();
        assertThat(allClears())
                .filteredOn(c -> c.getKind() == AlertKind.SENTIMENT_DROP)
                .singleElement()
                .satisfies(c -> assertThat(c.getClearly()).isFalse());
        CampaignStats nearLevel = CampaignStats.newBuilder(window(at("13:00"), 40, 0.05, 0.20, 18))
                .setBaselineTicketsPer1000Sends(9.5)
                .build(); // 18 per 1,000: under 20 and under 2 x 9.5, but not under 15 or 14.25
        push(nearLevel);
        assertThat(allClears())
                .filteredOn(c -> c.getKind() == AlertKind.TICKET_SURGE)
                .extracting(AlertSignal::getClearly)
                .containsExactly(true, false);
    }
}
