package io.campaignpulse.alerting;

import static io.campaignpulse.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.campaignpulse.campaign.CampaignDirectory;
import io.campaignpulse.contract.Alert;
import io.campaignpulse.contract.AlertKind;
import io.campaignpulse.contract.AlertState;
import io.campaignpulse.contract.Campaign;
import io.campaignpulse.contract.ControlMessage;
import io.campaignpulse.contract.ControlScope;
import io.campaignpulse.contract.OfferType;
import io.campaignpulse.contract.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
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
 * The alert lifecycle: one incident per (campaign, kind, rule) across windows — opened once,
 * updated on escalation or growth (not more often than the cooldown), resolved after a quiet
 * period; deterministic ids; state cleaned up. Defaults: cooldown 1 h, update step 50 %,
 * resolve-after 2 h, allowed lateness 10 min, 3 examples.
 */
class IncidentTrackerTest {

    private static final long HOUR = Duration.ofHours(1).toMillis();
    private static final long LATENESS = Duration.ofMinutes(10).toMillis();
    private static final Campaign PLATINUM = campaign("C1", "Platinum Card Push", OfferType.CROSS_SELL, "CARD-PLAT");

    private KeyedBroadcastOperatorTestHarness<String, AlertSignal, AlertBroadcast, Alert> harness;

    @BeforeEach
    void setUp() throws Exception {
        harness = harness();
        harness.open();
        campaignsIdle(harness);
        harness.processBroadcastElement(new AlertBroadcast(PLATINUM, null, null), 0);
    }

    private static KeyedBroadcastOperatorTestHarness<String, AlertSignal, AlertBroadcast, Alert> harness()
            throws Exception {
        var h = new KeyedBroadcastOperatorTestHarness<>(
                new CoBroadcastWithKeyedOperator<>(
                        new IncidentTracker(config(Map.of())),
                        List.of(CampaignDirectory.DESCRIPTOR, AlertControls.DESCRIPTOR, InputHorizon.DESCRIPTOR)),
                IncidentTracker::keyOf,
                Types.STRING,
                1,
                1,
                0);
        h.setStateBackend(new EmbeddedRocksDBStateBackend());
        return h;
    }

    /** As in production once the campaigns topic has settled: idle, so it never holds event time back. */
    private static void campaignsIdle(KeyedBroadcastOperatorTestHarness<String, AlertSignal, AlertBroadcast, Alert> h)
            throws Exception {
        h.getTwoInputOperator().processWatermarkStatus2(WatermarkStatus.IDLE);
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    /** The 1 h misfire-rate window starting at {@code start}: {@code misfires} of {@code sends} broke ALREADY_HOLDS_PRODUCT. */
    private static AlertSignal misfireWindow(
            long start, long misfires, long sends, Severity severity, String... examples) {
        return AlertSignal.newBuilder()
                .setKind(AlertKind.MISFIRE_RATE)
                .setCampaignId("C1")
                .setCampaignName("Platinum Card Push")
                .setRule("ALREADY_HOLDS_PRODUCT")
                .setSeverity(severity)
                .setWindowStart(start)
                .setWindowEnd(start + HOUR)
                .setCumulative(true)
                .setCount(misfires)
                .setBase(sends)
                .setProduct("CARD-PLAT")
                .setChannel("EMAIL")
                .setMetrics(Map.of("misfires", (double) misfires, "sends", (double) sends))
                .setExampleIds(List.of(examples))
                .setExampleCustomerIds(
                        List.of(examples).stream().map(e -> "cust-" + e).toList())
                .setTitle("window title")
                .setDetail("Rule ALREADY_HOLDS_PRODUCT. Window evidence.")
                .setAction("exclude current holders.")
                .build();
    }

    /** A signal as its detector emits it: when the window closes, allowed-lateness after its end. */
    private void signal(AlertSignal s) throws Exception {
        long closes = s.getWindowEnd() - 1 + LATENESS;
        harness.processElement(s, closes);
        harness.processWatermark(closes);
    }

    /** The input has reached {@code t}, then ends: the final watermark fires every timer. */
    private void inputEndsAt(long t) throws Exception {
        harness.processBroadcastElement(new AlertBroadcast(null, null, t), 0);
        harness.processWatermark(Long.MAX_VALUE);
    }

    private List<Alert> alerts() {
        return harness.extractOutputValues();
    }

    private int keyedStateEntries() {
        return ((RocksDBKeyedStateBackend<?>)
                        ((AbstractStreamOperator<?>) harness.getOperator()).getKeyedStateBackend())
                .numKeyValueStateEntries();
    }

    @Test
    void consecutiveWindowsAreOneIncidentOpenedOnceAndResolvedAfterTheQuietPeriod() throws Exception {
        signal(misfireWindow(at("10:00"), 30, 1000, Severity.WARNING, "s1", "s2"));
        signal(misfireWindow(at("11:00"), 10, 1000, Severity.WARNING, "s3", "s4")); // 40: not yet 50 % more than 30
        assertThat(alerts()).singleElement().satisfies(a -> {
            assertThat(a.getState()).isEqualTo(AlertState.OPENED);
            assertThat(a.getSequence()).isEqualTo(1);
            assertThat(a.getOwner()).isEqualTo("owner-C1");
            assertThat(a.getRule()).isEqualTo("ALREADY_HOLDS_PRODUCT");
            assertThat(a.getCountTotal()).isEqualTo(30);
            assertThat(a.getTitle())
                    .isEqualTo("Platinum Card Push is reaching current holders of CARD-PLAT: 30 of 1,000 sends (3.0 %) "
                            + "between 2026-11-20 10:00 and 11:00 UTC");
            assertThat(a.getSuggestedAction()).isEqualTo("exclude current holders.");
        });

        // 2 h after the last window (12:00) and its lateness, no further window: resolved.
        harness.processWatermark(at("14:00") + LATENESS);
        assertThat(alerts()).hasSize(2);
        Alert resolved = alerts().get(1);
        assertThat(resolved.getState()).isEqualTo(AlertState.RESOLVED);
        assertThat(resolved.getAlertId()).isEqualTo(alerts().get(0).getAlertId());
        assertThat(resolved.getSequence()).isEqualTo(2);
        assertThat(resolved.getCountTotal()).as("both windows").isEqualTo(40);
        assertThat(resolved.getCountSinceLast()).isEqualTo(10);
        assertThat(resolved.getTitle())
                .as("what is true now, not the figures of the windows that opened it")
                .isEqualTo("Resolved: Platinum Card Push is no longer reaching current holders of CARD-PLAT: "
                        + "no sends since 2026-11-20 12:00 UTC");
        assertThat(resolved.getExampleIds()).containsExactly("s1", "s2", "s3");
        assertThat(resolved.getExampleCustomerIds()).containsExactly("cust-s1", "cust-s2", "cust-s3");
        assertThat(resolved.getDetectedAt().toEpochMilli()).isEqualTo(at("14:00"));
        assertThat(keyedStateEntries()).as("a resolved incident leaves nothing").isZero();
    }

    @Test
    void growthPastTheStepIsAnUpdateButNotMoreOftenThanTheCooldown() throws Exception {
        harness.close();
        harness = harnessWith(Map.of("alerting.cooldown", "2h"));
        signal(misfireWindow(at("10:00"), 20, 1000, Severity.WARNING));
        signal(misfireWindow(
                at("11:00"), 20, 1000, Severity.WARNING)); // 40 >= 20 + 50 %, but only 1 h since the last message
        signal(misfireWindow(at("12:00"), 20, 1000, Severity.WARNING)); // 60, 2 h later: updated
        signal(misfireWindow(at("13:00"), 5, 1000, Severity.WARNING)); // 65: not 50 % more than 60
        assertThat(alerts())
                .extracting(Alert::getState, Alert::getCountTotal, Alert::getCountSinceLast)
                .containsExactly(Tuple.tuple(AlertState.OPENED, 20L, 20L), Tuple.tuple(AlertState.UPDATED, 60L, 40L));
        assertThat(alerts().get(1).getDetail()).contains("40 more since the last message");
    }

    @Test
    void aHandfulOfBreachesIsNotReannouncedEveryCooldownButAfterTheAbsoluteMinimumStep() throws Exception {
        // One breach an hour: 50 % growth is always met (1 -> 2 -> 3), the absolute minimum of 5 is not.
        for (int hour = 10; hour < 18; hour++) {
            signal(misfireWindow(at(hour + ":00"), 1, 1000, Severity.CRITICAL));
        }
        assertThat(alerts())
                .extracting(Alert::getState, Alert::getCountTotal, Alert::getCountSinceLast)
                .containsExactly(Tuple.tuple(AlertState.OPENED, 1L, 1L), Tuple.tuple(AlertState.UPDATED, 6L, 5L));

        harness.close();
        harness = harnessWith(Map.of("alerting.update-min-step", "1"));
        for (int hour = 10; hour < 13; hour++) {
            signal(misfireWindow(at(hour + ":00"), 1, 1000, Severity.CRITICAL));
        }
        assertThat(alerts())
                .as("with a minimum of 1, as before")
                .extracting(Alert::getCountTotal)
                .containsExactly(1L, 2L, 3L);
    }

    private KeyedBroadcastOperatorTestHarness<String, AlertSignal, AlertBroadcast, Alert> harnessWith(
            Map<String, String> settings) throws Exception {
        var h = new KeyedBroadcastOperatorTestHarness<>(
                new CoBroadcastWithKeyedOperator<>(
                        new IncidentTracker(config(settings)),
                        List.of(CampaignDirectory.DESCRIPTOR, AlertControls.DESCRIPTOR, InputHorizon.DESCRIPTOR)),
                IncidentTracker::keyOf,
                Types.STRING,
                1,
                1,
                0);
        h.setStateBackend(new EmbeddedRocksDBStateBackend());
        h.open();
        campaignsIdle(h);
        h.processBroadcastElement(new AlertBroadcast(PLATINUM, null, null), 0);
        return h;
    }

    @Test
    void aRiseInSeverityIsAnUpdateAtOnceEvenWithinTheCooldown() throws Exception {
        signal(misfireWindow(at("10:00"), 30, 1000, Severity.WARNING));
        AlertSignal noConsentFirst = AlertSignal.newBuilder(misfireWindow(at("10:00"), 31, 1000, Severity.CRITICAL))
                .build();
        harness.processElement(noConsentFirst, at("10:59")); // same window, signalled again, now critical
        assertThat(alerts())
                .extracting(Alert::getState, Alert::getSeverity)
                .containsExactly(
                        Tuple.tuple(AlertState.OPENED, Severity.WARNING),
                        Tuple.tuple(AlertState.UPDATED, Severity.CRITICAL));
        assertThat(alerts().get(1).getCountTotal())
                .as("the same window counts once")
                .isEqualTo(31);
        assertThat(alerts().get(1).getDetail()).contains("severity rose from WARNING to CRITICAL");
    }

    @Test
    void aWindowSignalledAgainAfterTheNextWindowsFirstSignalCountsOnceWithItsFinalFigures() throws Exception {
        // NO_CONSENT: signalled at its first occurrence in a window and again when the window closes;
        // the 11:00 window's first occurrence (11:02) comes before the 10:00 window closes (11:10).
        // (Any growth is an update here: the counting is under test, not the minimum step.)
        harness.close();
        harness = harnessWith(Map.of("alerting.update-min-step", "1"));
        AlertSignal first10 = AlertSignal.newBuilder(misfireWindow(at("10:00"), 1, 40, Severity.CRITICAL))
                .setRule("NO_CONSENT")
                .build();
        AlertSignal first11 = AlertSignal.newBuilder(misfireWindow(at("11:00"), 1, 3, Severity.CRITICAL))
                .setRule("NO_CONSENT")
                .build();
        AlertSignal close10 = AlertSignal.newBuilder(misfireWindow(at("10:00"), 3, 100, Severity.CRITICAL))
                .setRule("NO_CONSENT")
                .build();
        AlertSignal close11 = AlertSignal.newBuilder(misfireWindow(at("11:00"), 2, 90, Severity.CRITICAL))
                .setRule("NO_CONSENT")
                .build();
        harness.processElement(first10, at("10:05"));
        harness.processElement(first11, at("11:02"));
        harness.processElement(close10, at("11:09"));
        harness.processWatermark(at("11:10"));
        harness.processElement(close11, at("12:09"));
        inputEndsAt(at("00:00") + 7 * 24 * HOUR); // a week of input: every quiet period ran its course

        List<Alert> alerts = alerts();
        assertThat(alerts)
                .extracting(Alert::getState)
                .containsExactly(AlertState.OPENED, AlertState.UPDATED, AlertState.RESOLVED);
        assertThat(alerts)
                .extracting(Alert::getAlertId)
                .containsOnly(alerts.get(0).getAlertId());
        Alert resolved = alerts.get(2);
        assertThat(resolved.getCountTotal())
                .as("3 in the 10:00 window and 2 in the 11:00 window")
                .isEqualTo(5);
        assertThat(resolved.getMetrics()).containsEntry("base_total", 190.0);
        assertThat(resolved.getWindowEnd().toEpochMilli())
                .as("the latest window, not the one signalled last")
                .isEqualTo(at("12:00"));
    }

    @Test
    void aWindowAfterTheQuietPeriodResolvesTheOldIncidentAndOpensANewOneWhateverTheWatermark() throws Exception {
        harness.processElement(misfireWindow(at("10:00"), 30, 1000, Severity.WARNING), at("11:09"));
        // The next holding window comes 3 h later, in the same watermark jump (a catch-up): the
        // old incident still resolves first, at its own time.
        harness.processElement(misfireWindow(at("13:00"), 30, 1000, Severity.WARNING), at("14:09"));
        harness.processWatermark(at("14:09"));
        assertThat(alerts())
                .extracting(Alert::getState)
                .containsExactly(AlertState.OPENED, AlertState.RESOLVED, AlertState.OPENED);
        assertThat(alerts().get(1).getDetectedAt().toEpochMilli()).isEqualTo(at("13:00"));
        assertThat(alerts().get(2).getAlertId()).isNotEqualTo(alerts().get(0).getAlertId());

        inputEndsAt(at("00:00") + 7 * 24 * HOUR); // a week of input: every quiet period ran its course
        assertThat(alerts()).extracting(Alert::getState).endsWith(AlertState.RESOLVED);
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(keyedStateEntries()).isZero();
    }

    @Test
    void overlappingSentimentWindowsCountAsALevelNotASum() throws Exception {
        for (int h = 10; h <= 12; h++) {
            long end = at(h + ":00");
            AlertSignal s = AlertSignal.newBuilder()
                    .setKind(AlertKind.SENTIMENT_DROP)
                    .setCampaignId("C1")
                    .setCampaignName("Platinum Card Push")
                    .setRule(null)
                    .setSeverity(Severity.WARNING)
                    .setWindowStart(end - 24 * HOUR)
                    .setWindowEnd(end)
                    .setCumulative(false)
                    .setCount(20 + h)
                    .setBase(20 + h)
                    .setMetrics(Map.of())
                    .setExampleIds(List.of("tkt-" + h))
                    .setExampleCustomerIds(List.of())
                    .setTitle("souring at " + h)
                    .setDetail("evidence")
                    .setAction("brief service.")
                    .build();
            harness.processElement(s, end - 1);
            harness.processWatermark(end - 1);
        }
        inputEndsAt(at("00:00") + 7 * 24 * HOUR); // a week of input: every quiet period ran its course
        assertThat(alerts())
                .extracting(Alert::getState, Alert::getCountTotal, Alert::getTitle)
                .containsExactly(
                        Tuple.tuple(AlertState.OPENED, 30L, "souring at 10"),
                        Tuple.tuple(
                                AlertState.RESOLVED,
                                32L,
                                "Resolved: Platinum Card Push has had no sends or feedback since 2026-11-20 12:00 UTC: "
                                        + "nothing is left to judge"));
        assertThat(alerts().get(1).getExampleIds()).containsExactly("tkt-10", "tkt-11", "tkt-12");
    }

    @Test
    void idsAreTheSameOnAReplayAndTheIncidentSurvivesARestore() throws Exception {
        signal(misfireWindow(at("10:00"), 30, 1000, Severity.WARNING));
        String id = alerts().get(0).getAlertId();
        assertThat(id)
                .isEqualTo(IncidentTracker.alertId(AlertKind.MISFIRE_RATE, "C1", "ALREADY_HOLDS_PRODUCT", at("10:00")));
        OperatorSubtaskState snapshot = harness.snapshot(1, at("11:10"));
        harness.close();

        harness = harness();
        harness.initializeState(snapshot);
        harness.open();
        campaignsIdle(harness);
        signal(misfireWindow(at("11:00"), 100, 1000, Severity.CRITICAL)); // continues the restored incident
        assertThat(alerts()).singleElement().satisfies(a -> {
            assertThat(a.getState()).isEqualTo(AlertState.UPDATED);
            assertThat(a.getAlertId()).isEqualTo(id);
            assertThat(a.getCountTotal()).isEqualTo(130);
            assertThat(a.getOwner())
                    .as("the campaigns broadcast is restored too")
                    .isEqualTo("owner-C1");
        });
    }

    @Test
    void incidentsOfOtherRulesOrCampaignsAreSeparate() throws Exception {
        signal(misfireWindow(at("10:00"), 30, 1000, Severity.WARNING));
        signal(AlertSignal.newBuilder(misfireWindow(at("10:00"), 5, 1000, Severity.CRITICAL))
                .setRule("NO_CONSENT")
                .build());
        signal(AlertSignal.newBuilder(misfireWindow(at("10:00"), 30, 1000, Severity.WARNING))
                .setCampaignId("C2")
                .build());
        assertThat(alerts())
                .extracting(Alert::getState)
                .containsOnly(AlertState.OPENED)
                .hasSize(3);
        assertThat(alerts()).extracting(Alert::getAlertId).doesNotHaveDuplicates();
        assertThat(alerts().get(2).getOwner())
                .as("a campaign not in the directory")
                .isNull();
    }

    private void control(ControlScope scope, String target, Map<String, String> settings) throws Exception {
        harness.processBroadcastElement(
                new AlertBroadcast(
                        null,
                        ControlMessage.newBuilder()
                                .setControlId("ctl-" + settings.hashCode())
                                .setScope(scope)
                                .setTarget(target)
                                .setSettings(settings)
                                .setAuthor("ops")
                                .setIssuedAt(Instant.ofEpochMilli(0))
                                .build(),
                        null),
                0);
    }

    @Test
    void aMuteBeforeAnyDataWithholdsMessagesAndAfterTheMuteTheFeedCatchesUp() throws Exception {
        control(ControlScope.CAMPAIGN, "C1", Map.of("mute", "true"));
        signal(misfireWindow(at("10:00"), 30, 1000, Severity.WARNING));
        signal(misfireWindow(at("11:00"), 30, 1000, Severity.CRITICAL));
        assertThat(alerts()).as("muted").isEmpty();

        control(ControlScope.CAMPAIGN, "C1", Map.of("mute", ""));
        signal(misfireWindow(at("12:00"), 30, 1000, Severity.CRITICAL));
        assertThat(alerts()).singleElement().satisfies(a -> {
            assertThat(a.getState())
                    .as("the first message published opens the incident")
                    .isEqualTo(AlertState.OPENED);
            assertThat(a.getSequence()).isEqualTo(1);
            assertThat(a.getCountTotal()).isEqualTo(90);
            assertThat(a.getSeverity()).isEqualTo(Severity.CRITICAL);
        });
    }

    @Test
    void anIncidentMutedAllItsLifeResolvesSilentlyAndAKindMuteLeavesOtherKindsAlone() throws Exception {
        control(ControlScope.KIND, "MISFIRE_RATE", Map.of("mute", "true"));
        signal(misfireWindow(at("10:00"), 30, 1000, Severity.WARNING));
        long end = at("12:00");
        harness.processElement(
                AlertSignal.newBuilder()
                        .setKind(AlertKind.TICKET_SURGE)
                        .setCampaignId("C1")
                        .setCampaignName("Platinum Card Push")
                        .setRule(null)
                        .setSeverity(Severity.WARNING)
                        .setWindowStart(end - 24 * HOUR)
                        .setWindowEnd(end)
                        .setCumulative(false)
                        .setCount(40)
                        .setBase(1000)
                        .setMetrics(Map.of())
                        .setExampleIds(List.of())
                        .setExampleCustomerIds(List.of())
                        .setTitle("tickets")
                        .setDetail("evidence")
                        .setAction("tell service.")
                        .build(),
                end - 1);
        inputEndsAt(at("00:00") + 7 * 24 * HOUR); // a week of input: every quiet period ran its course
        assertThat(alerts())
                .extracting(Alert::getKind, Alert::getState)
                .containsExactly(
                        Tuple.tuple(AlertKind.TICKET_SURGE, AlertState.OPENED),
                        Tuple.tuple(AlertKind.TICKET_SURGE, AlertState.RESOLVED));
        assertThat(keyedStateEntries()).isZero();
    }

    @Test
    void aLongerResolveAfterSetAtRuntimeKeepsTheIncidentOpen() throws Exception {
        signal(misfireWindow(at("10:00"), 30, 1000, Severity.WARNING));
        control(ControlScope.GLOBAL, null, Map.of("resolve-after", "6h"));
        harness.processWatermark(at("14:00") + LATENESS); // 2 h quiet: would have resolved under the configured 2 h
        assertThat(alerts()).extracting(Alert::getState).containsExactly(AlertState.OPENED);
        signal(misfireWindow(at("15:00"), 30, 1000, Severity.WARNING)); // 5 h later: still the same incident
        inputEndsAt(at("00:00") + 7 * 24 * HOUR); // a week of input: every quiet period ran its course
        assertThat(alerts())
                .extracting(Alert::getState)
                .containsExactly(AlertState.OPENED, AlertState.UPDATED, AlertState.RESOLVED);
        assertThat(alerts())
                .extracting(Alert::getAlertId)
                .containsOnly(alerts().get(0).getAlertId());
    }

    @Test
    void aRollingConditionThatLapsesForLessThanARollupWindowIsTheSameIncident() throws Exception {
        for (String end : new String[] {"10:00", "20:00"
        }) { // 10 h apart: more than resolve-after (2 h), less than the 24 h roll-up window
            long t = at(end);
            harness.processElement(
                    AlertSignal.newBuilder()
                            .setKind(AlertKind.TICKET_SURGE)
                            .setCampaignId("C1")
                            .setCampaignName("Platinum Card Push")
                            .setRule(null)
                            .setSeverity(Severity.WARNING)
                            .setWindowStart(t - 24 * HOUR)
                            .setWindowEnd(t)
                            .setCumulative(false)
                            .setCount(40)
                            .setBase(1000)
                            .setMetrics(Map.of())
                            .setExampleIds(List.of())
                            .setExampleCustomerIds(List.of())
                            .setTitle("tickets at " + end)
                            .setDetail("evidence")
                            .setAction("tell service.")
                            .build(),
                    t - 1);
            harness.processWatermark(t - 1);
        }
        inputEndsAt(at("00:00") + 7 * 24 * HOUR); // a week of input: every quiet period ran its course
        assertThat(alerts()).extracting(Alert::getState).containsExactly(AlertState.OPENED, AlertState.RESOLVED);
        assertThat(alerts().get(1).getTitle())
                .isEqualTo("Resolved: Platinum Card Push has had no sends or feedback since 2026-11-20 20:00 UTC: "
                        + "nothing is left to judge");
    }

    /** A closed misfire-rate window that did not trip the rule, as its detector sends it. */
    private static AlertSignal misfireAllClear(long start, long misfires, long sends) {
        return AlertSignal.newBuilder(misfireWindow(start, misfires, sends, Severity.INFO))
                .setExampleIds(List.of())
                .setExampleCustomerIds(List.of())
                .setTitle("")
                .setDetail("")
                .setAction("")
                .setHolds(false)
                .build();
    }

    /** A roll-up window's sentiment judgement ending at {@code end}: a drop, or an all-clear with the given headline. */
    private static AlertSignal sentimentWindow(long end, boolean holds, String title) {
        return sentimentWindow(end, holds, false, title);
    }

    private static AlertSignal sentimentWindow(long end, boolean holds, boolean clearly, String title) {
        return AlertSignal.newBuilder()
                .setKind(AlertKind.SENTIMENT_DROP)
                .setCampaignId("C1")
                .setCampaignName("Platinum Card Push")
                .setSeverity(holds ? Severity.WARNING : Severity.INFO)
                .setWindowStart(end - 24 * HOUR)
                .setWindowEnd(end)
                .setCumulative(false)
                .setCount(30)
                .setBase(30)
                .setMetrics(Map.of("avg_sentiment", holds ? -0.6 : 0.1))
                .setExampleIds(holds ? List.of("tkt-" + end) : List.of())
                .setExampleCustomerIds(List.of())
                .setTitle(title)
                .setDetail(holds ? "evidence" : "")
                .setAction(holds ? "brief service." : "")
                .setHolds(holds)
                .setClearly(clearly)
                .build();
    }

    private void rollingWindow(AlertSignal s) throws Exception {
        harness.processElement(s, s.getWindowEnd() - 1);
        harness.processWatermark(s.getWindowEnd() - 1);
    }

    @Test
    void aResolvedMisfireIncidentSaysWhatTheSendsSinceItsLastWindowShowed() throws Exception {
        signal(misfireWindow(at("10:00"), 30, 1000, Severity.WARNING, "s1"));
        signal(misfireAllClear(at("11:00"), 2, 600)); // below the threshold
        signal(misfireAllClear(at("12:00"), 1, 300));
        harness.processWatermark(at("13:00") + LATENESS);

        assertThat(alerts()).extracting(Alert::getState).containsExactly(AlertState.OPENED, AlertState.RESOLVED);
        Alert resolved = alerts().get(1);
        assertThat(resolved.getTitle())
                .isEqualTo("Resolved: Platinum Card Push is no longer reaching current holders of CARD-PLAT: "
                        + "3 of its 900 sends (0.3 %) since 2026-11-20 11:00 UTC, below the alert threshold");
        assertThat(resolved.getMetrics())
                .containsEntry("misfires_since_last_window", 3.0)
                .containsEntry("sends_since_last_window", 900.0);
        assertThat(resolved.getCountTotal())
                .as("the incident's own total is kept")
                .isEqualTo(30);
        assertThat(keyedStateEntries()).isZero();
    }

    @Test
    void aWindowThatTripsTheRuleAgainStartsTheQuietFiguresOver() throws Exception {
        signal(misfireWindow(at("10:00"), 30, 1000, Severity.WARNING, "s1"));
        signal(misfireAllClear(at("11:00"), 0, 500));
        signal(misfireWindow(at("12:00"), 40, 1000, Severity.WARNING, "s2"));
        signal(misfireAllClear(at("13:00"), 0, 700));
        harness.processWatermark(at("15:00") + LATENESS);

        assertThat(alerts()).last().satisfies(a -> {
            assertThat(a.getState()).isEqualTo(AlertState.RESOLVED);
            assertThat(a.getTitle()).endsWith("none of its 700 sends since 2026-11-20 13:00 UTC");
        });
    }

    @Test
    void aResolvedSentimentIncidentQuotesTheLatestWindowNotTheOneThatOpenedIt() throws Exception {
        rollingWindow(sentimentWindow(at("10:00"), true, "souring: -0.60, 100 % negative"));
        rollingWindow(sentimentWindow(at("11:00"), false, "recovering: -0.10"));
        rollingWindow(sentimentWindow(at("12:00"), false, "recovered: +0.10"));
        inputEndsAt(at("00:00") + 7 * 24 * HOUR);

        assertThat(alerts()).extracting(Alert::getState).containsExactly(AlertState.OPENED, AlertState.RESOLVED);
        assertThat(alerts().get(1).getTitle()).isEqualTo("Resolved: recovered: +0.10");
        assertThat(alerts().get(1).getMetrics())
                .containsEntry("avg_sentiment", -0.6)
                .containsEntry("current_avg_sentiment", 0.1);
        assertThat(keyedStateEntries()).isZero();
    }

    @Test
    void anAllClearWithoutAnIncidentLeavesNothing() throws Exception {
        signal(misfireAllClear(at("10:00"), 0, 500));
        rollingWindow(sentimentWindow(at("11:00"), false, "fine"));
        harness.processWatermark(at("20:00"));
        assertThat(alerts()).isEmpty();
        assertThat(keyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void anIncidentWhoseQuietPeriodTheEndOfTheInputCutShortStaysOpen() throws Exception {
        signal(misfireWindow(at("10:00"), 30, 1000, Severity.WARNING, "s1"));
        // The input's newest event is at 11:30; the incident would resolve at 13:00 + lateness.
        inputEndsAt(at("11:30"));
        assertThat(alerts()).extracting(Alert::getState).containsExactly(AlertState.OPENED);
    }

    @Test
    void anIncidentWhoseQuietPeriodTheInputCoveredResolvesAtTheEndWhicheverWatermarksCameBefore() throws Exception {
        signal(misfireWindow(at("10:00"), 30, 1000, Severity.WARNING, "s1"));
        // The watermark never got past 11:10 before the input ended, but the input reached 14:00.
        inputEndsAt(at("14:00"));
        assertThat(alerts()).extracting(Alert::getState).containsExactly(AlertState.OPENED, AlertState.RESOLVED);
        assertThat(alerts().get(1).getDetectedAt().toEpochMilli())
                .as("the same message as when the watermark passes 13:10 on its own")
                .isEqualTo(at("13:00"));
    }

    @Test
    void windowsThatClearTheConditionByAMarginForResolveAfterResolveARollingIncidentEarly() throws Exception {
        rollingWindow(sentimentWindow(at("10:00"), true, "souring"));
        rollingWindow(sentimentWindow(at("11:00"), false, true, "clear by a margin at 11"));
        rollingWindow(sentimentWindow(at("12:00"), false, false, "just under the line at 12")); // breaks the run
        rollingWindow(sentimentWindow(at("13:00"), false, true, "clear by a margin at 13"));
        rollingWindow(sentimentWindow(at("14:00"), false, true, "clear by a margin at 14"));
        assertThat(alerts()).extracting(Alert::getState).containsExactly(AlertState.OPENED);

        rollingWindow(sentimentWindow(at("15:00"), false, true, "recovered at 15")); // 13:00 to 15:00: 2 h
        assertThat(alerts()).extracting(Alert::getState).containsExactly(AlertState.OPENED, AlertState.RESOLVED);
        Alert resolved = alerts().get(1);
        assertThat(resolved.getTitle()).isEqualTo("Resolved: recovered at 15");
        assertThat(resolved.getDetail())
                .contains("its windows have cleared the condition by a margin for 2 h (those ending 2026-11-20 13:00"
                        + " to 2026-11-20 15:00 UTC)");
        assertThat(resolved.getDetectedAt().toEpochMilli()).isEqualTo(at("15:00") - 1);
        assertThat(keyedStateEntries()).isZero();

        // The stale 24 h timer finds nothing; a later drop is a new incident.
        rollingWindow(sentimentWindow(at("16:00"), true, "souring again"));
        assertThat(alerts()).last().satisfies(a -> {
            assertThat(a.getState()).isEqualTo(AlertState.OPENED);
            assertThat(a.getAlertId()).isNotEqualTo(resolved.getAlertId());
        });
    }
}
