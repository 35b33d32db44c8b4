package io.campaignpulse.alerting;

import static io.campaignpulse.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.campaignpulse.contract.AlertKind;
import io.campaignpulse.contract.Channel;
import io.campaignpulse.contract.ControlMessage;
import io.campaignpulse.contract.ControlScope;
import io.campaignpulse.contract.Misfire;
import io.campaignpulse.contract.MisfireRule;
import io.campaignpulse.contract.OfferType;
import io.campaignpulse.contract.Severity;
import io.campaignpulse.eventtime.InMemoryTimersOperator;
import io.campaignpulse.misfire.SendVerdict;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.ListTypeInfo;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Campaign-level alerting: thresholds, the NO_CONSENT fast path, window close and cleanup. */
class MisfireRateAlerterTest {

    private static final long HOUR = Duration.ofHours(1).toMillis();
    private static final long LATENESS = Duration.ofMinutes(10).toMillis();
    private static final long W9 = at("09:00");
    private static final int MAX_PARALLELISM = 128;

    private KeyedBroadcastOperatorTestHarness<String, SendVerdict, ControlMessage, AlertSignal> harness;
    private MisfireRateAlerter alerter;
    private int sendCounter;
    /** Start of the window the next sends() go into. */
    private long W = W9;

    @BeforeEach
    void setUp() throws Exception {
        harness = newHarness(1, 0);
        harness.open();
        idleControl(harness);
    }

    /** One instance of {@code parallelism}, not yet opened (so that a test can restore it first). */
    private KeyedBroadcastOperatorTestHarness<String, SendVerdict, ControlMessage, AlertSignal> newHarness(
            int parallelism, int subtask) throws Exception {
        alerter = new MisfireRateAlerter(config(Map.of()));
        var h = new KeyedBroadcastOperatorTestHarness<>(
                new InMemoryTimersOperator<>(alerter, List.of(AlertControls.DESCRIPTOR)),
                SendVerdict::getCampaignId,
                Types.STRING,
                MAX_PARALLELISM,
                parallelism,
                subtask);
        // On RocksDB, as in production: keyed state is serialized on every access.
        h.setStateBackend(new EmbeddedRocksDBStateBackend());
        return h;
    }

    private void assertNoTimersLeft() {
        assertThat(alerter.dueInstants().size()).as("due instants left").isZero();
        assertThat(harness.numEventTimeTimers()).as("Flink timers left").isZero();
    }

    /** As in production: the control topic is idle, so it never holds event time back. */
    private static void idleControl(KeyedBroadcastOperatorTestHarness<?, ?, ?, ?> h) throws Exception {
        h.getTwoInputOperator().processWatermarkStatus2(WatermarkStatus.IDLE);
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    /** n sends of campaign C1 in the 09:00 window, the first `misfires` of which broke `rule`. */
    private void sends(int n, int misfires, MisfireRule rule) throws Exception {
        for (int i = 0; i < n; i++) {
            long t = W + i * 1000L;
            String id = "s" + (sendCounter++);
            List<Misfire> broken = new ArrayList<>();
            if (i < misfires) {
                broken.add(Misfire.newBuilder()
                        .setSendId(id)
                        .setCampaignId("C1")
                        .setCustomerId("cust-" + i)
                        .setRule(rule)
                        .setDetail("detail " + i)
                        .setSentAt(Instant.ofEpochMilli(t))
                        .setDetectedAt(Instant.ofEpochMilli(t))
                        .build());
            }
            harness.processElement(
                    SendVerdict.newBuilder()
                            .setSendId(id)
                            .setCampaignId("C1")
                            .setCampaignName("Platinum Card Push")
                            .setCustomerId("cust-" + i)
                            .setChannel(Channel.EMAIL)
                            .setOfferType(OfferType.CROSS_SELL)
                            .setOfferProductId("CARD-PLAT")
                            .setSentAt(t)
                            .setMisfires(broken)
                            .build(),
                    t);
        }
    }

    /**
     * Open windows (in memory) and keys with windows or waiting verdicts in keyed state. (Not
     * RocksDB's entry count over all column families: that also sees fired timers whose deletes
     * are still in RocksDB's write batch.)
     */
    private long stateEntries() {
        var backend = ((AbstractStreamOperator<?>) harness.getOperator()).getKeyedStateBackend();
        long n = alerter.inMemory();
        for (String state : List.of("windows", "verdicts-waiting")) {
            try (var keys = backend.getKeys(state, VoidNamespace.INSTANCE)) {
                n += keys.count();
            }
        }
        return n;
    }

    /** The windows that tripped a rule (the all-clears are checked on their own). */
    private List<AlertSignal> signals() {
        return harness.<AlertSignal>extractOutputValues().stream()
                .filter(AlertSignal::getHolds)
                .toList();
    }

    private List<AlertSignal> allClears() {
        return harness.<AlertSignal>extractOutputValues().stream()
                .filter(a -> !a.getHolds())
                .toList();
    }

    private void closeWindow() throws Exception {
        harness.processWatermark(W9 + HOUR + LATENESS);
    }

    @Test
    void aRuleAtTheShareAndMinimumCountRaisesOneAlertWhenTheWindowCloses() throws Exception {
        sends(1000, 20, MisfireRule.ALREADY_HOLDS_PRODUCT); // 2 % >= 1 %, and 20 >= 20
        harness.processWatermark(W9 + HOUR); // window ended, lateness not yet over
        assertThat(signals()).isEmpty();

        closeWindow();

        assertThat(signals()).singleElement().satisfies(a -> {
            assertThat(a.getKind()).isEqualTo(AlertKind.MISFIRE_RATE);
            assertThat(a.getSeverity()).isEqualTo(Severity.WARNING);
            assertThat(a.getCampaignId()).isEqualTo("C1");
            assertThat(a.getTitle())
                    .isEqualTo(
                            "Platinum Card Push is reaching current holders of CARD-PLAT: 20 of 1,000 sends (2.0 %) between 2026-11-20 09:00 and 10:00 UTC");
            assertThat(a.getDetail())
                    .contains(
                            "Examples: send s0 to customer cust-0, send s1 to customer cust-1, send s2 to customer cust-2 "
                                    + "(the first: detail 0)",
                            "exclude current holders of product CARD-PLAT from campaign Platinum Card Push (C1)");
            assertThat(a.getExampleIds()).containsExactly("s0", "s1", "s2");
            assertThat(a.getExampleCustomerIds()).containsExactly("cust-0", "cust-1", "cust-2");
            assertThat(a.getRule()).isEqualTo("ALREADY_HOLDS_PRODUCT");
            assertThat(a.getCumulative()).isTrue();
            assertThat(a.getCount()).isEqualTo(20);
            assertThat(a.getBase()).isEqualTo(1000);
            assertThat(a.getMetrics())
                    .containsEntry("misfires", 20.0)
                    .containsEntry("sends", 1000.0)
                    .containsEntry("share", 0.02);
            assertThat(a.getWindowStart()).isEqualTo(W9);
            assertThat(a.getWindowEnd()).isEqualTo(W9 + HOUR);
        });
        assertThat(stateEntries()).as("window state removed").isZero();
        assertNoTimersLeft();
    }

    @Test
    void belowTheMinimumCountOrTheShareNoAlert() throws Exception {
        sends(100, 19, MisfireRule.ALREADY_HOLDS_PRODUCT); // 19 % but fewer than 20
        closeWindow();
        harness.processWatermark(W9 + 2 * HOUR);
        assertThat(signals()).isEmpty();

        harness.close();
        setUp();
        sends(2500, 24, MisfireRule.DUPLICATE_SEND); // 24 misfires but 0.96 %
        closeWindow();
        assertThat(signals()).isEmpty();
        assertThat(stateEntries()).isZero();
    }

    @Test
    void noConsentIsCriticalFromTheFirstOccurrenceAndUpdatedAtWindowClose() throws Exception {
        sends(1, 1, MisfireRule.NO_CONSENT);
        assertThat(signals()).as("not before the watermark reaches the send").isEmpty();
        harness.processWatermark(W9);
        assertThat(signals())
                .as("raised at once, before the window closes")
                .singleElement()
                .satisfies(a -> {
                    assertThat(a.getSeverity()).isEqualTo(Severity.CRITICAL);
                    assertThat(a.getMetrics()).containsEntry("misfires", 1.0);
                    assertThat(a.getTitle()).contains("reached customers who opted out");
                    assertThat(a.getDetail()).contains("pause campaign Platinum Card Push (C1) on EMAIL");
                    assertThat(a.getAction()).startsWith("pause campaign Platinum Card Push (C1) on EMAIL");
                });
        sends(50, 3, MisfireRule.NO_CONSENT);
        assertThat(signals()).hasSize(1);

        closeWindow();

        List<AlertSignal> signals = signals();
        assertThat(signals).hasSize(2);
        assertThat(signals.get(1).getWindowStart())
                .as("the same window, signalled again with its final figures")
                .isEqualTo(signals.get(0).getWindowStart());
        assertThat(signals.get(1).getMetrics()).containsEntry("misfires", 4.0).containsEntry("sends", 51.0);
        assertThat(stateEntries()).isZero();
    }

    @Test
    void noConsentFirstOccurrencesAreSignalledInEventTimeOrderWhateverOrderTheVerdictsArriveIn() throws Exception {
        // Verdicts come from several detector subtasks: the 10:xx one can arrive after an 11:xx one.
        harness.processElement(
                verdict("late-11", W9 + 2 * HOUR + 60_000, MisfireRule.NO_CONSENT), W9 + 2 * HOUR + 60_000);
        harness.processElement(verdict("early-10", W9 + HOUR + 60_000, MisfireRule.NO_CONSENT), W9 + HOUR + 60_000);
        harness.processWatermark(W9 + 2 * HOUR + 60_000);
        assertThat(signals()).extracting(AlertSignal::getWindowStart).containsExactly(W9 + HOUR, W9 + 2 * HOUR);
    }

    @Test
    void aSignalCountsOnlyWhatTheWatermarkHasPassedAndListsExamplesInEventTimeOrder() throws Exception {
        // One detector subtask ran ahead: its 09:40 verdict arrives before another's 09:10 and 09:05 ones.
        harness.processElement(verdict("c-0940", W9 + 40 * 60_000, MisfireRule.NO_CONSENT), W9 + 40 * 60_000);
        harness.processElement(verdict("b-0910", W9 + 10 * 60_000, MisfireRule.NO_CONSENT), W9 + 10 * 60_000);
        harness.processElement(verdict("a-0905", W9 + 5 * 60_000, MisfireRule.NO_CONSENT), W9 + 5 * 60_000);
        harness.processWatermark(W9 + 10 * 60_000);
        assertThat(signals())
                .as("the first occurrence, at 09:05, without the 09:40 that arrived first")
                .singleElement()
                .satisfies(a -> {
                    assertThat(a.getCount()).isEqualTo(1);
                    assertThat(a.getExampleIds()).containsExactly("a-0905");
                });
        closeWindow();
        assertThat(signals()).hasSize(2).last().satisfies(a -> {
            assertThat(a.getCount()).isEqualTo(3);
            assertThat(a.getExampleIds())
                    .as("in event-time order, not arrival order")
                    .containsExactly("a-0905", "b-0910", "c-0940");
        });
        assertThat(stateEntries()).isZero();
    }

    private static SendVerdict verdict(String id, long t, MisfireRule rule) {
        Misfire m = Misfire.newBuilder()
                .setSendId(id)
                .setCampaignId("C1")
                .setCustomerId("cust-" + id)
                .setRule(rule)
                .setDetail("d")
                .setSentAt(Instant.ofEpochMilli(t))
                .setDetectedAt(Instant.ofEpochMilli(t))
                .build();
        return SendVerdict.newBuilder()
                .setSendId(id)
                .setCampaignId("C1")
                .setCampaignName("Platinum Card Push")
                .setCustomerId("cust-" + id)
                .setChannel(Channel.EMAIL)
                .setOfferType(OfferType.CROSS_SELL)
                .setOfferProductId("CARD-PLAT")
                .setSentAt(t)
                .setMisfires(List.of(m))
                .build();
    }

    static ControlMessage control(String id, ControlScope scope, String target, Map<String, String> settings) {
        return ControlMessage.newBuilder()
                .setControlId(id)
                .setScope(scope)
                .setTarget(target)
                .setSettings(settings)
                .setAuthor("ops")
                .setIssuedAt(Instant.ofEpochMilli(W9))
                .build();
    }

    @Test
    void aControlMessageBeforeAnyDataLowersTheThresholdForOneCampaignOnly() throws Exception {
        harness.processBroadcastElement(
                control("c1", ControlScope.CAMPAIGN, "C1", Map.of("misfire-rate-min-count", "5")), 0);
        harness.processBroadcastElement(
                control("c2", ControlScope.CAMPAIGN, "C-OTHER", Map.of("misfire-rate-min-count", "1000")), 0);
        sends(1000, 10, MisfireRule.ALREADY_HOLDS_PRODUCT); // 1 %, 10 misfires: below the configured 20, above C1's 5
        closeWindow();
        assertThat(signals())
                .singleElement()
                .satisfies(a -> assertThat(a.getMetrics()).containsEntry("threshold_min_count", 5.0));

        // Reset: an empty value removes the override, so the configured 20 applies again.
        harness.processBroadcastElement(
                control("c3", ControlScope.CAMPAIGN, "C1", Map.of("misfire-rate-min-count", "")), 0);
        W = W9 + HOUR;
        sends(1000, 10, MisfireRule.ALREADY_HOLDS_PRODUCT);
        harness.processWatermark(W9 + 2 * HOUR + LATENESS);
        assertThat(signals()).hasSize(1);
    }

    @Test
    void aHighShareOrCountIsCritical() throws Exception {
        sends(1000, 60, MisfireRule.ALREADY_HOLDS_PRODUCT); // 6 % >= the critical 5 %
        closeWindow();
        assertThat(signals())
                .singleElement()
                .satisfies(a -> assertThat(a.getSeverity()).isEqualTo(Severity.CRITICAL));
    }

    @Test
    void aVerdictForAnAlreadyClosedWindowIsCountedNotAlerted() throws Exception {
        closeWindow();
        sends(30, 30, MisfireRule.ALREADY_HOLDS_PRODUCT);
        harness.processWatermark(W9 + 5 * HOUR);
        assertThat(signals()).isEmpty();
        assertThat(stateEntries()).isZero();
    }

    @Test
    void everyRuleAClosedWindowDoesNotTripIsAnAllClearWithItsFigures() throws Exception {
        sends(1000, 20, MisfireRule.ALREADY_HOLDS_PRODUCT); // trips the rule
        closeWindow();

        assertThat(signals()).extracting(AlertSignal::getRule).containsExactly("ALREADY_HOLDS_PRODUCT");
        assertThat(allClears())
                .extracting(AlertSignal::getRule)
                .containsExactlyInAnyOrder(
                        "ACQUISITION_TO_EXISTING_CUSTOMER",
                        "NO_CONSENT",
                        "DUPLICATE_SEND",
                        "FREQUENCY_CAP",
                        "OPEN_COMPLAINT");
        assertThat(allClears()).allSatisfy(c -> {
            assertThat(c.getCount()).isZero();
            assertThat(c.getBase()).isEqualTo(1000);
            assertThat(c.getCumulative()).isTrue();
        });

        harness.close();
        setUp();
        sends(100, 19, MisfireRule.ALREADY_HOLDS_PRODUCT); // below the minimum count: an all-clear with its 19
        closeWindow();
        assertThat(signals()).isEmpty();
        assertThat(allClears())
                .filteredOn(c -> c.getRule().equals("ALREADY_HOLDS_PRODUCT"))
                .singleElement()
                .satisfies(c -> assertThat(c.getCount()).isEqualTo(19));
    }

    @Test
    void aWindowWithABreachOfConsentIsNeverAnAllClearForIt() throws Exception {
        sends(1000, 1, MisfireRule.NO_CONSENT); // signalled at its first occurrence, nothing more at close
        closeWindow();
        assertThat(signals()).extracting(AlertSignal::getRule).containsExactly("NO_CONSENT");
        assertThat(allClears()).extracting(AlertSignal::getRule).doesNotContain("NO_CONSENT");
    }

    // ------------------------------------------------------------------ checkpoints, rescaling, upgrades

    private static int owner(String campaign, int parallelism) {
        return KeyGroupRangeAssignment.assignKeyToParallelOperator(campaign, MAX_PARALLELISM, parallelism);
    }

    /** A verdict of campaign {@code campaign} at t, with one misfire of {@code rule} (none if null). */
    private static SendVerdict verdictOf(String campaign, String id, long t, MisfireRule rule) {
        SendVerdict v = verdict(id, t, rule == null ? MisfireRule.NO_CONSENT : rule);
        v.setCampaignId(campaign);
        v.setCampaignName("Campaign " + campaign);
        v.getMisfires().forEach(m -> m.setCampaignId(campaign));
        if (rule == null) {
            v.setMisfires(List.of());
        }
        return v;
    }

    /**
     * Windows being counted at a checkpoint are in it (union operator state): after a rescale each
     * campaign's window is closed once, by the instance that owns the campaign, with every send
     * counted before and after the checkpoint.
     */
    @Test
    void openWindowsSurviveARescale() throws Exception {
        List<String> campaigns = List.of("C1", "C2", "C3", "C4", "C5", "C6");
        assertThat(campaigns.stream().map(c -> owner(c, 2)).distinct()).hasSize(2);
        int n = 0;
        for (String c : campaigns) {
            for (int i = 0; i < 40; i++) { // 40 sends, 25 of them to holders: both before and after the checkpoint
                long t = W9 + (n++) * 1000L;
                harness.processElement(
                        verdictOf(c, c + "-s" + i, t, i < 25 ? MisfireRule.ALREADY_HOLDS_PRODUCT : null), t);
            }
        }
        harness.processWatermark(W9 + 120_000L); // counted: the sends of the first campaigns; the rest wait
        assertThat(alerter.inMemory()).isPositive();
        OperatorSubtaskState atOne = harness.snapshot(1L, 1L);
        harness.close();

        List<KeyedBroadcastOperatorTestHarness<String, SendVerdict, ControlMessage, AlertSignal>> two =
                new ArrayList<>();
        List<MisfireRateAlerter> alerters = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            var h = newHarness(2, i);
            alerters.add(alerter);
            h.initializeState(
                    AbstractStreamOperatorTestHarness.repartitionOperatorState(atOne, MAX_PARALLELISM, 1, 2, i));
            h.open();
            idleControl(h);
            two.add(h);
        }
        for (String c : campaigns) { // one more send each, after the restore
            long t = W9 + 30 * 60_000L;
            two.get(owner(c, 2)).processElement(verdictOf(c, c + "-after", t, MisfireRule.ALREADY_HOLDS_PRODUCT), t);
        }
        for (var h : two) {
            h.processWatermark(W9 + HOUR + LATENESS);
        }

        List<AlertSignal> fired = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            List<AlertSignal> mine = two.get(i).<AlertSignal>extractOutputValues().stream()
                    .filter(AlertSignal::getHolds)
                    .toList();
            int subtask = i;
            assertThat(mine)
                    .allSatisfy(a -> assertThat(owner(a.getCampaignId(), 2)).isEqualTo(subtask));
            fired.addAll(mine);
            assertThat(alerters.get(i).inMemory()).as("closed windows are gone").isZero();
        }
        assertThat(fired)
                .extracting(AlertSignal::getCampaignId, AlertSignal::getCount, AlertSignal::getBase)
                .containsExactlyInAnyOrderElementsOf(campaigns.stream()
                        .map(c -> org.assertj.core.groups.Tuple.tuple(c, 26L, 41L))
                        .toList());
        for (var h : two) {
            h.close();
        }
        harness = newHarness(1, 0); // for tearDown
        harness.open();
    }

    /**
     * Takes a savepoint of what the test wrote in keyed state, as an earlier release (which wrote no
     * operator state of its own) left it, and restores a new instance from it.
     */
    private void restartAsAfterAnUpgrade() throws Exception {
        OperatorSubtaskState snapshot = harness.snapshot(1L, 1L);
        harness.close();
        harness = newHarness(1, 0);
        harness.initializeState(keyedStateOnly(snapshot));
        harness.open();
        idleControl(harness);
    }

    /**
     * A savepoint of an earlier release kept the windows in keyed state: restored, a window goes on
     * counting from its figures and closes with all of them, and the keyed entry is gone.
     */
    @Test
    void aWindowAnEarlierReleaseKeptInKeyedStateGoesOnCountingAndCloses() throws Exception {
        var operator =
                (CoBroadcastWithKeyedOperator<String, SendVerdict, ControlMessage, AlertSignal>) harness.getOperator();
        operator.setCurrentKey("C1");
        Map<String, RuleTally> rules = new HashMap<>();
        rules.put(
                MisfireRule.ALREADY_HOLDS_PRODUCT.name(),
                new RuleTally(
                        10L,
                        new ArrayList<>(List.of("old-1")),
                        new ArrayList<>(List.of("cust-old-1")),
                        "d",
                        "EMAIL",
                        0L));
        operator.getKeyedStateBackend()
                .getPartitionedState(
                        VoidNamespace.INSTANCE,
                        VoidNamespaceSerializer.INSTANCE,
                        new MapStateDescriptor<>("windows", Types.LONG, new AvroTypeInfo<>(CampaignWindow.class)))
                .put(W9, new CampaignWindow(W9, "Platinum Card Push", "CARD-PLAT", 500L, rules));
        operator.getInternalTimerService("user-timers", VoidNamespaceSerializer.INSTANCE, operator)
                .registerEventTimeTimer(VoidNamespace.INSTANCE, W9 + HOUR - 1 + LATENESS);
        restartAsAfterAnUpgrade();
        sends(500, 10, MisfireRule.ALREADY_HOLDS_PRODUCT);
        closeWindow();

        assertThat(signals()).singleElement().satisfies(a -> {
            assertThat(a.getCount()).isEqualTo(20);
            assertThat(a.getBase()).isEqualTo(1000);
            assertThat(a.getExampleIds()).containsExactly("old-1", "s0", "s1");
        });
        assertThat(stateEntries())
                .as("the keyed window is gone, and the one in memory")
                .isZero();
        assertNoTimersLeft();
    }

    /**
     * A savepoint of an earlier release kept the verdicts waiting for the watermark in keyed state:
     * restored, each is counted when its timer fires, also when a verdict that arrives after the
     * upgrade was judged at the same instant (and so shares the timer).
     */
    @Test
    void verdictsAnEarlierReleaseKeptInKeyedStateAreCountedWhenTheirTimersFire() throws Exception {
        var operator =
                (CoBroadcastWithKeyedOperator<String, SendVerdict, ControlMessage, AlertSignal>) harness.getOperator();
        operator.setCurrentKey("C1");
        long t = W9 + 60_000L;
        operator.getKeyedStateBackend()
                .getPartitionedState(
                        VoidNamespace.INSTANCE,
                        VoidNamespaceSerializer.INSTANCE,
                        new MapStateDescriptor<>(
                                "verdicts-waiting",
                                Types.LONG,
                                new ListTypeInfo<>(new AvroTypeInfo<>(SendVerdict.class))))
                .put(t, new ArrayList<>(List.of(verdict("a-old", t, MisfireRule.NO_CONSENT))));
        operator.getInternalTimerService("user-timers", VoidNamespaceSerializer.INSTANCE, operator)
                .registerEventTimeTimer(VoidNamespace.INSTANCE, t);
        restartAsAfterAnUpgrade();
        harness.processElement(verdict("b-new", t, MisfireRule.NO_CONSENT), t); // judged at the same instant
        harness.processWatermark(t);
        assertThat(signals()).singleElement().satisfies(a -> {
            assertThat(a.getCount()).isEqualTo(2);
            assertThat(a.getExampleIds()).containsExactly("a-old", "b-new");
        });
        closeWindow();
        assertThat(stateEntries()).as("nothing left in keyed state or memory").isZero();
        assertNoTimersLeft();
    }
}
