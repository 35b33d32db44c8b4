package io.campaignpulse.customer;

import static io.campaignpulse.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.campaignpulse.attribution.AttributedFeedback;
import io.campaignpulse.campaign.CampaignDirectory;
import io.campaignpulse.contract.Campaign;
import io.campaignpulse.contract.Channel;
import io.campaignpulse.contract.DeadLetter;
import io.campaignpulse.contract.DeadLetterReason;
import io.campaignpulse.contract.HoldingStatus;
import io.campaignpulse.contract.MisfireRule;
import io.campaignpulse.contract.OfferType;
import io.campaignpulse.contract.Suppression;
import io.campaignpulse.contract.TicketStatus;
import io.campaignpulse.customer.state.CustomerState;
import io.campaignpulse.eventtime.InMemoryTimersOperator;
import io.campaignpulse.eventtime.MemtablePreflush;
import io.campaignpulse.ingest.Envelope;
import io.campaignpulse.ingest.EventTimes;
import io.campaignpulse.misfire.SendVerdict;
import io.campaignpulse.sentiment.SentimentScorer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.state.rocksdb.RocksDBKeyedStateBackend;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The per-customer detector, driven event by event with watermarks set by hand. */
class CustomerProcessorTest {

    private static final Campaign PLATINUM = campaign("C1", "Platinum Card Push", OfferType.CROSS_SELL, "CARD-PLAT");
    private static final String ANGRY = "Still waiting for my refund, no one ever called back. Thanks for nothing.";
    private static final Campaign SECURITY = campaign("C-SEC", "Security Notice", OfferType.SERVICE, null);

    private static final int MAX_PARALLELISM = 128;

    private KeyedBroadcastOperatorTestHarness<String, Envelope, Campaign, SendVerdict> harness;

    @BeforeEach
    void setUp() throws Exception {
        harness = harness(Map.of());
        harness.processBroadcastElement(PLATINUM, 0);
    }

    @AfterEach
    void tearDown() throws Exception {
        harness.close();
    }

    /**
     * On RocksDB, as in production: every state access serializes, so what the function does with
     * deserialized Avro values (immutable-iterator arrays, fresh copies) is what gets tested.
     */
    private static KeyedBroadcastOperatorTestHarness<String, Envelope, Campaign, SendVerdict> newHarness(
            Map<String, String> config) throws Exception {
        return customerStep(config(config), MemtablePreflush.Schedule.NONE, new EmbeddedRocksDBStateBackend());
    }

    private static KeyedBroadcastOperatorTestHarness<String, Envelope, Campaign, SendVerdict> harness(
            Map<String, String> config) throws Exception {
        var h = newHarness(config);
        h.open();
        // As in production once the campaigns topic has settled: idle, so it never holds event time back.
        h.getTwoInputOperator().processWatermarkStatus2(WatermarkStatus.IDLE);
        return h;
    }

    /** Closes the harness and starts a new one from the state given, as a restarted job would. */
    private void restartFrom(OperatorSubtaskState state) throws Exception {
        harness.close();
        harness = newHarness(Map.of());
        harness.initializeState(state);
        harness.open();
        harness.getTwoInputOperator().processWatermarkStatus2(WatermarkStatus.IDLE);
    }

    private void event(Object payload) throws Exception {
        Envelope e = envelope(payload);
        harness.processElement(e, EventTimes.of(e));
    }

    private List<SendVerdict> verdicts() {
        return harness.extractOutputValues();
    }

    private List<DeadLetter> deadLetters() {
        var side = harness.getSideOutput(CustomerProcessor.DEAD_LETTERS);
        return side == null
                ? List.of()
                : side.stream().map(StreamRecord::getValue).toList();
    }

    private int dueInstants() {
        return ((CustomerProcessor) ((InMemoryTimersOperator<?, ?, ?>) harness.getOperator()).getUserFunction())
                .dueInstants()
                .size();
    }

    private void assertNoTimersLeft() {
        assertThat(dueInstants()).as("due instants left").isZero();
        assertThat(harness.numEventTimeTimers()).as("Flink timers left").isZero();
    }

    private int keyedStateEntries() {
        return ((RocksDBKeyedStateBackend<?>)
                        ((AbstractStreamOperator<?>) harness.getOperator()).getKeyedStateBackend())
                .numKeyValueStateEntries();
    }

    @Test
    void aHoldingThatArrivesAfterTheSendStillCountsWithinTheBound() throws Exception {
        event(send("s1", "C1", "cust-1", T0905));
        event(holding(
                "cust-1", "CARD-PLAT", HoldingStatus.ACTIVE, T0900)); // opened 09:00, arrives after the 09:05 send
        assertThat(verdicts())
                .as("nothing is judged before the watermark passes the send")
                .isEmpty();
        assertThat(dueInstants())
                .as("an instant for each event: 09:05 and 09:00")
                .isEqualTo(2);
        assertThat(harness.numEventTimeTimers()).as("no Flink timers").isZero();

        harness.processWatermark(T0905);

        assertThat(verdicts()).singleElement().satisfies(v -> {
            assertThat(v.getSendId()).isEqualTo("s1");
            assertThat(v.getCampaignName()).isEqualTo("Platinum Card Push");
            assertThat(v.getMisfires()).singleElement().satisfies(m -> {
                assertThat(m.getRule()).isEqualTo(MisfireRule.ALREADY_HOLDS_PRODUCT);
                assertThat(m.getDetail()).contains("CARD-PLAT", "2026-11-20T09:00:00Z");
                assertThat(m.getDetectedAt().toEpochMilli()).isEqualTo(T0905);
            });
        });
        assertNoTimersLeft();
        assertThat(keyedStateEntries())
                .as("only the customer's own state is left, no pending events")
                .isEqualTo(1);
    }

    @Test
    void whatEachInstantEmitsCarriesItsOwnTimestampWhenOneWatermarkPassesSeveral() throws Exception {
        event(holding("cust-1", "CARD-PLAT", HoldingStatus.ACTIVE, at("08:00")));
        event(send("s2", "C1", "cust-1", T0905));
        event(send("s1", "C1", "cust-1", T0900));
        event(review("r1", "cust-1", 1, "awful", null, at("09:30")));
        harness.processWatermark(T1000);

        // Roll-up windows and alerts place each record by its timestamp: the send's or review's own time.
        List<Long> verdictTimes = harness.getOutput().stream()
                .filter(o -> o instanceof StreamRecord<?> r && r.getValue() instanceof SendVerdict)
                .map(o -> ((StreamRecord<?>) o).getTimestamp())
                .toList();
        assertThat(verdictTimes).containsExactly(T0900, T0905);
        assertThat(harness.getSideOutput(CustomerProcessor.FEEDBACK))
                .singleElement()
                .satisfies(r -> assertThat(r.getTimestamp()).isEqualTo(at("09:30")));
        assertThat(keyedStateEntries())
                .as("only the customer's own state is left, no pending events")
                .isEqualTo(1);
    }

    @Test
    void aChangeAfterTheSendDoesNotCountBackwards() throws Exception {
        event(holding("cust-1", "CARD-PLAT", HoldingStatus.ACTIVE, at("08:00")));
        event(holding("cust-1", "CARD-PLAT", HoldingStatus.CLOSED, at("09:10"))); // closed after the send
        event(send("s1", "C1", "cust-1", T0905));
        harness.processWatermark(T1000);

        assertThat(verdicts())
                .singleElement()
                .satisfies(v -> assertThat(v.getMisfires())
                        .extracting(m -> m.getRule())
                        .containsExactly(MisfireRule.ALREADY_HOLDS_PRODUCT));
    }

    @Test
    void aSendBehindTheWatermarkIsALateDeadLetterNotJudged() throws Exception {
        harness.processWatermark(T1000);
        event(send("s1", "C1", "cust-1", T0905));

        assertThat(verdicts()).isEmpty();
        assertThat(deadLetters()).singleElement().satisfies(d -> {
            assertThat(d.getReason()).isEqualTo(DeadLetterReason.LATE_EVENT);
            assertThat(d.getPayload()).isNotNull();
        });
        assertNoTimersLeft();
    }

    @Test
    void aLateHoldingChangeIsReportedAndStillAppliedToCurrentState() throws Exception {
        harness.processWatermark(T1000);
        event(holding("cust-1", "CARD-PLAT", HoldingStatus.ACTIVE, T0900)); // late
        event(send("s1", "C1", "cust-1", at("10:30")));
        harness.processWatermark(at("11:00"));

        assertThat(deadLetters()).singleElement().satisfies(d -> {
            assertThat(d.getReason()).isEqualTo(DeadLetterReason.LATE_EVENT);
            assertThat(d.getDetail()).contains("applied");
        });
        assertThat(verdicts())
                .singleElement()
                .satisfies(v -> assertThat(v.getMisfires())
                        .extracting(m -> m.getRule())
                        .containsExactly(MisfireRule.ALREADY_HOLDS_PRODUCT));
    }

    @Test
    void aRedeliveredSendIsIgnoredBeforeAndAfterJudgement() throws Exception {
        event(send("s1", "C1", "cust-1", T0900));
        event(send("s1", "C1", "cust-1", T0900)); // pending duplicate
        harness.processWatermark(T0905);
        event(send("s1", "C1", "cust-1", T0900)); // redelivered after judgement, even though late
        harness.processWatermark(T1000);

        assertThat(verdicts())
                .singleElement()
                .satisfies(v -> assertThat(v.getMisfires()).isEmpty());
        assertThat(deadLetters()).isEmpty();
    }

    @Test
    void duplicateAndFrequencyCapLookBackOverJudgedSends() throws Exception {
        harness.processBroadcastElement(campaign("C2", "Loan", OfferType.CROSS_SELL, "LOAN"), 0);
        harness.processBroadcastElement(campaign("C3", "Notice", OfferType.SERVICE, null), 0);
        event(send("a", "C1", "cust-1", at("01:00")));
        event(send("b", "C2", "cust-1", at("02:00")));
        event(send("c", "C3", "cust-1", at("03:00"))); // SERVICE: not counted toward the cap
        event(send("d", "C2", "cust-1", at("04:00")));
        event(send("e", "C1", "cust-1", at("05:00")));
        harness.processWatermark(at("06:00"));

        assertThat(verdicts())
                .extracting(
                        SendVerdict::getSendId,
                        v -> v.getMisfires().stream().map(m -> m.getRule()).toList())
                .containsExactly(
                        Tuple.tuple("a", List.of()),
                        Tuple.tuple("b", List.of()),
                        Tuple.tuple("c", List.of()),
                        Tuple.tuple("d", List.of(MisfireRule.DUPLICATE_SEND)),
                        Tuple.tuple("e", List.of(MisfireRule.DUPLICATE_SEND, MisfireRule.FREQUENCY_CAP)));
    }

    @Test
    void aSendForAnUnknownCampaignIsParkedThenJudgedWhenTheCampaignArrives() throws Exception {
        event(holding("cust-1", "CARD-NEW", HoldingStatus.ACTIVE, at("08:00")));
        event(send("s1", "C-NEW", "cust-1", T0900));
        event(holding("cust-1", "CARD-NEW", HoldingStatus.CLOSED, at("09:02"))); // must not affect the parked send
        harness.processWatermark(T0905);
        assertThat(verdicts()).isEmpty();

        harness.processBroadcastElement(campaign("C-NEW", "New Card", OfferType.CROSS_SELL, "CARD-NEW"), 0);
        harness.processWatermark(T0900 + Duration.ofMinutes(10).toMillis()); // the default campaign-grace

        assertThat(verdicts()).singleElement().satisfies(v -> {
            assertThat(v.getCampaignName()).isEqualTo("New Card");
            assertThat(v.getMisfires()).extracting(m -> m.getRule()).containsExactly(MisfireRule.ALREADY_HOLDS_PRODUCT);
        });
        assertNoTimersLeft();
        assertThat(keyedStateEntries()).isEqualTo(1);
    }

    @Test
    void aSendWhoseCampaignNeverArrivesBecomesAnUnknownCampaignDeadLetter() throws Exception {
        event(send("s1", "C-GHOST", "cust-1", T0900));
        harness.processWatermark(T1000);

        assertThat(verdicts()).isEmpty();
        assertThat(deadLetters())
                .singleElement()
                .satisfies(d -> assertThat(d.getReason()).isEqualTo(DeadLetterReason.UNKNOWN_CAMPAIGN));
        assertNoTimersLeft();
        assertThat(keyedStateEntries()).isEqualTo(1);
    }

    @Test
    void aCampaignEndedLongerAgoThanTheRetentionIsUnknownToLaterEventsAndLeavesTheState() throws Exception {
        harness.close();
        harness = harness(Map.of(
                "event-time.campaign-retention", "1d",
                "attribution.window", "1h",
                "attribution.conversion-window", "1h"));
        long day = Duration.ofDays(1).toMillis();
        long grace = Duration.ofMinutes(10).toMillis();
        long margin = Duration.ofMinutes(10).toMillis(); // the default allowed lateness of the alerting steps
        harness.processBroadcastElement(
                Campaign.newBuilder(campaign("C-OLD", "Old Card", OfferType.CROSS_SELL, "CARD-OLD"))
                        .setEndsAt(Instant.ofEpochMilli(T0900))
                        .build(),
                0);
        event(holding("cust-1", "CARD-OLD", HoldingStatus.ACTIVE, at("08:00")));
        event(holding("cust-2", "CARD-OLD", HoldingStatus.ACTIVE, at("08:00")));
        event(send("s1", "C-OLD", "cust-1", T0900 + day)); // the last instant the campaign is known
        event(send("s2", "C-OLD", "cust-2", T0900 + day + 1));
        // A campaign record arriving while the watermark is within the alerting steps' lateness
        // of the campaign's forgetting: it is kept.
        harness.processWatermark(T0900 + day + margin);
        harness.processBroadcastElement(campaign("C-NEW", "New Card", OfferType.CROSS_SELL, "CARD-NEW"), 0);
        assertThat(harness.getBroadcastState(CampaignDirectory.DESCRIPTOR).contains("C-OLD"))
                .isTrue();
        harness.processWatermark(T0900 + day + 1 + grace);

        assertThat(verdicts()).singleElement().satisfies(v -> {
            assertThat(v.getSendId()).isEqualTo("s1");
            assertThat(v.getMisfires()).extracting(m -> m.getRule()).containsExactly(MisfireRule.ALREADY_HOLDS_PRODUCT);
        });
        assertThat(deadLetters())
                .singleElement()
                .satisfies(d -> assertThat(d.getReason()).isEqualTo(DeadLetterReason.UNKNOWN_CAMPAIGN));
        assertThat(harness.getBroadcastState(CampaignDirectory.DESCRIPTOR).contains("C-OLD"))
                .as("pruned only when a campaign record arrives")
                .isTrue();

        // Past it: forgotten; the others stay.
        harness.processBroadcastElement(campaign("C-NEW", "New Card", OfferType.CROSS_SELL, "CARD-NEW"), 0);
        List<String> known = new ArrayList<>();
        harness.getBroadcastState(CampaignDirectory.DESCRIPTOR)
                .immutableEntries()
                .forEach(e -> known.add(e.getKey()));
        assertThat(known).containsExactly("C-NEW");
    }

    @Test
    void aCustomersStateStopsGrowingOnceItsLookBackWindowsAreFull() throws Exception {
        // The same busy day, 120 times over: sends of three campaigns, a product opened or closed,
        // a consent change, an angry ticket resolved the same day, a review. What the rules look
        // back over (30 d of tickets, 14 d of sends) fills up, and then the customer's state must
        // stay the same size, with nothing else left behind (no pending events, no timers).
        harness.processBroadcastElement(SECURITY, 0);
        harness.processBroadcastElement(campaign("C-NEW", "Welcome", OfferType.ACQUISITION, null), 0);
        long day = Duration.ofDays(1).toMillis();
        long hour = Duration.ofHours(1).toMillis();
        int[] bytes = new int[120];
        for (int d = 0; d < 120; d++) {
            long base = T0900 + d * day; // ids of one width: the state's size depends on nothing else
            event(send(String.format("a-%03d", d), "C1", "cust-1", base));
            event(send(String.format("b-%03d", d), "C-SEC", "cust-1", base + hour));
            event(send(String.format("c-%03d", d), "C-NEW", "cust-1", base + 2 * hour));
            event(holding(
                    "cust-1",
                    "CARD-" + d % 7,
                    d % 2 == 0 ? HoldingStatus.ACTIVE : HoldingStatus.CLOSED,
                    base + 3 * hour));
            event(consent("cust-1", d % 3 == 0 ? Channel.SMS : Channel.EMAIL, d % 4 != 0, base + 4 * hour));
            event(ticket(String.format("t-%03d", d), "cust-1", TicketStatus.OPEN, ANGRY, null, base + 5 * hour));
            event(ticket(
                    String.format("t-%03d", d),
                    "cust-1",
                    TicketStatus.RESOLVED,
                    "sorted, thanks",
                    null,
                    base + day - hour));
            event(review(String.format("r-%03d", d), "cust-1", 2, "meh", null, base + 6 * hour));
            harness.processWatermark(base + day - 1);
            harness.getOutput().clear();
            bytes[d] = customerStateBytes("cust-1");
        }
        assertThat(bytes[59]).as("state after 60 days").isPositive();
        assertThat(bytes[119])
                .as("state after 120 days: the size it had after 60 (bytes by day: %s)", Arrays.toString(bytes))
                .isEqualTo(bytes[59]);
        assertThat(bytes[119]).as("and small").isLessThan(4 * 1024);
        assertNoTimersLeft();
        var backend = ((AbstractStreamOperator<?>) harness.getOperator()).getKeyedStateBackend();
        assertThat(backend.getKeys("customer", VoidNamespace.INSTANCE).count()).isEqualTo(1);
        assertThat(backend.getKeys("pending-events", VoidNamespace.INSTANCE).count())
                .as("no pending events left")
                .isZero();
    }

    /** A customer's facts as stored: their Avro binary size. */
    private int customerStateBytes(String customerId) throws Exception {
        var backend = ((AbstractStreamOperator<?>) harness.getOperator()).getKeyedStateBackend();
        backend.setCurrentKey(customerId);
        CustomerState state = backend.getPartitionedState(
                        VoidNamespace.INSTANCE,
                        VoidNamespaceSerializer.INSTANCE,
                        CustomerProcessor.customerDescriptor(config().misfire().customerStateTtl()))
                .value();
        return state == null ? 0 : state.toByteBuffer().remaining();
    }

    @Test
    void judgedSendsAreForgottenOnceOutsideTheLookBackWindows() throws Exception {
        // Attribution and conversions look back further by default (7 d, 14 d); here all windows are 24 h.
        harness.close();
        harness = harness(Map.of("attribution.window", "24h", "attribution.conversion-window", "24h"));
        harness.processBroadcastElement(PLATINUM, 0);
        event(send("s1", "C1", "cust-1", T0900));
        harness.processWatermark(T0900);
        long nextDay = T0900 + Duration.ofHours(24).toMillis();
        event(send("s2", "C1", "cust-1", nextDay)); // exactly 24 h later: outside the half-open window
        harness.processWatermark(nextDay);

        assertThat(verdicts()).extracting(SendVerdict::getSendId).containsExactly("s1", "s2");
        assertThat(verdicts().get(1).getMisfires()).isEmpty();
        harness.processWatermark(nextDay + Duration.ofHours(25).toMillis());
        event(send("s1", "C1", "cust-1", T0900)); // s1 is no longer remembered: now just a late record
        assertThat(deadLetters()).extracting(DeadLetter::getReason).containsExactly(DeadLetterReason.LATE_EVENT);
    }

    @Test
    void whenCustomerEventsGoIdleEventTimeWaitsInsteadOfRunningAhead() throws Exception {
        event(send("s1", "C1", "cust-1", T0900));
        harness.processWatermark(T0905);
        harness.getTwoInputOperator().processWatermarkStatus1(WatermarkStatus.IDLE); // a quiet night: both inputs idle
        harness.getTwoInputOperator().processWatermarkStatus1(WatermarkStatus.ACTIVE);
        event(send("s2", "C1", "cust-1", T1000)); // the next morning's send is not late

        assertThat(deadLetters()).isEmpty();
        harness.processWatermark(T1000);
        assertThat(verdicts()).extracting(SendVerdict::getSendId).containsExactly("s1", "s2");
    }

    @Test
    void customerStateExpiresAfterItsTimeToLive() throws Exception {
        harness.close();
        harness = harness(Map.of("misfire.customer-state-ttl", "2d"));
        harness.processBroadcastElement(PLATINUM, 0);
        harness.setStateTtlProcessingTime(0);
        event(holding("cust-1", "CARD-PLAT", HoldingStatus.ACTIVE, at("08:00")));
        harness.processWatermark(T0900);

        harness.setStateTtlProcessingTime(Duration.ofDays(3).toMillis());
        event(send("s1", "C1", "cust-1", T1000));
        harness.processWatermark(T1000);

        assertThat(verdicts())
                .singleElement()
                .satisfies(v -> assertThat(v.getMisfires()).isEmpty());
    }

    @Test
    void stateSurvivesASnapshotAndRestore() throws Exception {
        event(holding("cust-1", "CARD-PLAT", HoldingStatus.ACTIVE, at("08:00")));
        event(send("s1", "C1", "cust-1", T0905)); // still pending at the snapshot
        harness.processWatermark(T0900);
        restartFrom(harness.snapshot(1L, 1L));
        harness.processWatermark(T1000);

        assertThat(verdicts())
                .singleElement()
                .satisfies(v -> assertThat(v.getMisfires())
                        .extracting(m -> m.getRule())
                        .containsExactly(MisfireRule.ALREADY_HOLDS_PRODUCT));
    }

    private static KeyedBroadcastOperatorTestHarness<String, Envelope, Campaign, SendVerdict> instance(
            int parallelism, int index) throws Exception {
        var h = new KeyedBroadcastOperatorTestHarness<>(
                new InMemoryTimersOperator<>(
                        new CustomerProcessor(config(Map.of())), List.of(CampaignDirectory.DESCRIPTOR)),
                EventTimes::customerOf,
                Types.STRING,
                MAX_PARALLELISM,
                parallelism,
                index);
        h.setStateBackend(new EmbeddedRocksDBStateBackend());
        return h;
    }

    /** Whether the send was judged with the customer's facts: the recipient already holds the card. */
    private static boolean holdsRule(SendVerdict v) {
        return v.getMisfires().stream().anyMatch(m -> m.getRule() == MisfireRule.ALREADY_HOLDS_PRODUCT);
    }

    private static int owner(String customer, int parallelism) {
        return KeyGroupRangeAssignment.assignKeyToParallelOperator(customer, MAX_PARALLELISM, parallelism);
    }

    private static List<String> judgedSends(
            List<KeyedBroadcastOperatorTestHarness<String, Envelope, Campaign, SendVerdict>> instances) {
        List<String> judged = new ArrayList<>();
        for (var h : instances) {
            h.extractOutputValues().forEach(v -> judged.add(v.getSendId() + ":" + holdsRule(v)));
        }
        return judged;
    }

    /**
     * Events still waiting for the watermark at a checkpoint are in it (union operator state), and
     * after a rescale each is applied once, by the instance that owns its customer, with the
     * customer's facts (keyed state) that instance restored.
     */
    @Test
    void waitingEventsSurviveARescaleDownAndUp() throws Exception {
        List<String> customers = new ArrayList<>();
        for (int i = 1; i <= 12; i++) {
            customers.add("cust-" + i);
        }
        assertThat(customers.stream().map(c -> owner(c, 2)).distinct()).hasSize(2);
        List<KeyedBroadcastOperatorTestHarness<String, Envelope, Campaign, SendVerdict>> two = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            var h = instance(2, i);
            h.open();
            h.getTwoInputOperator().processWatermarkStatus2(WatermarkStatus.IDLE);
            h.processBroadcastElement(PLATINUM, 0);
            two.add(h);
        }
        for (String c : customers) {
            var h = two.get(owner(c, 2));
            Envelope holds = envelope(holding(c, "CARD-PLAT", HoldingStatus.ACTIVE, at("08:00")));
            h.processElement(holds, EventTimes.of(holds));
            Envelope send = envelope(send("s-" + c, "C1", c, T0905));
            h.processElement(send, EventTimes.of(send)); // waiting at the checkpoint
        }
        for (var h : two) {
            h.processWatermark(T0900);
        }
        OperatorSubtaskState atTwo = AbstractStreamOperatorTestHarness.repackageState(
                two.get(0).snapshot(1L, 1L), two.get(1).snapshot(1L, 1L));
        for (var h : two) {
            assertThat(h.extractOutputValues()).isEmpty();
            h.close();
        }

        // Down to one instance: it restores every customer's waiting send, and judges each once.
        var one = instance(1, 0);
        one.initializeState(
                AbstractStreamOperatorTestHarness.repartitionOperatorState(atTwo, MAX_PARALLELISM, 2, 1, 0));
        one.open();
        one.getTwoInputOperator().processWatermarkStatus2(WatermarkStatus.IDLE);
        Envelope later = envelope(send("s-late", "C1", "cust-1", at("09:30")));
        one.processElement(later, EventTimes.of(later)); // waiting at the next checkpoint
        one.processWatermark(T0905);
        assertThat(judgedSends(List.of(one)))
                .containsExactlyInAnyOrderElementsOf(
                        customers.stream().map(c -> "s-" + c + ":true").toList());
        OperatorSubtaskState atOne = one.snapshot(2L, 2L);
        one.close();

        // Up to three: the send still waiting is judged by its customer's instance alone.
        List<KeyedBroadcastOperatorTestHarness<String, Envelope, Campaign, SendVerdict>> three = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            var h = instance(3, i);
            h.initializeState(
                    AbstractStreamOperatorTestHarness.repartitionOperatorState(atOne, MAX_PARALLELISM, 1, 3, i));
            h.open();
            h.getTwoInputOperator().processWatermarkStatus2(WatermarkStatus.IDLE);
            h.processWatermark(T1000);
            three.add(h);
        }
        assertThat(judgedSends(three)).containsExactly("s-late:true");
        assertThat(three.get(owner("cust-1", 3)).extractOutputValues()).hasSize(1);
        for (var h : three) {
            h.close();
        }
    }

    /**
     * A savepoint of an earlier release kept the waiting events in a keyed list: restored, each is
     * still applied when its timer fires, also when an event that arrives after the upgrade is due
     * at the same instant (and so shares the timer).
     */
    @Test
    void eventsAnEarlierReleaseKeptInKeyedStateAreAppliedWhenTheirTimersFire() throws Exception {
        event(holding("cust-1", "CARD-PLAT", HoldingStatus.ACTIVE, at("08:00")));
        harness.processWatermark(T0900);
        // What the earlier release did with a send ahead of the watermark: a keyed list entry and a timer.
        var operator = (CoBroadcastWithKeyedOperator<String, Envelope, Campaign, SendVerdict>) harness.getOperator();
        operator.setCurrentKey("cust-1");
        operator.getKeyedStateBackend()
                .getPartitionedState(
                        VoidNamespace.INSTANCE,
                        VoidNamespaceSerializer.INSTANCE,
                        new ListStateDescriptor<>("pending-events", new AvroTypeInfo<>(PendingEvent.class)))
                .add(new PendingEvent(T0905, envelope(send("s1", "C1", "cust-1", T0905)), null));
        operator.getInternalTimerService("user-timers", VoidNamespaceSerializer.INSTANCE, operator)
                .registerEventTimeTimer(VoidNamespace.INSTANCE, T0905);
        restartFrom(keyedStateOnly(harness.snapshot(1L, 1L)));
        harness.processBroadcastElement(PLATINUM, 0);
        event(send("s2", "C1", "cust-1", T0905)); // due at the same instant, in memory
        harness.processWatermark(T1000);

        assertThat(verdicts())
                .extracting(SendVerdict::getSendId, CustomerProcessorTest::holdsRule)
                .containsExactly(Tuple.tuple("s1", true), Tuple.tuple("s2", true));
        @SuppressWarnings("unchecked")
        var backend = (RocksDBKeyedStateBackend<String>)
                (Object) ((AbstractStreamOperator<?>) harness.getOperator()).getKeyedStateBackend();
        assertThat(backend.getKeys("pending-events", VoidNamespace.INSTANCE))
                .as("the keyed list is gone")
                .isEmpty();
        assertNoTimersLeft();
    }

    /**
     * A savepoint of the release before the batches: each waiting event its own element of the
     * union list. Restored, the event is applied at its time, and the next checkpoint carries it
     * in a batch, not twice.
     */
    @Test
    void aSavepointWithOneElementPerWaitingEventRestores() throws Exception {
        event(holding("cust-1", "CARD-PLAT", HoldingStatus.ACTIVE, at("08:00")));
        harness.processWatermark(T0900);
        var earlier = new ListStateDescriptor<>("waiting-events", new AvroTypeInfo<>(PendingEvent.class));
        ((AbstractStreamOperator<?>) harness.getOperator())
                .getOperatorStateBackend()
                .getUnionListState(earlier)
                .add(new PendingEvent(T0905, envelope(send("s1", "C1", "cust-1", T0905)), null));
        restartFrom(harness.snapshot(1L, 1L));
        harness.processBroadcastElement(PLATINUM, 0);
        assertThat(dueInstants()).as("rebuilt from the restored event").isEqualTo(1);
        restartFrom(harness.snapshot(2L, 2L));
        assertThat(((AbstractStreamOperator<?>) harness.getOperator())
                        .getOperatorStateBackend()
                        .getUnionListState(earlier)
                        .get())
                .as("the earlier release's list, after a checkpoint of this one")
                .isEmpty();
        harness.processBroadcastElement(PLATINUM, 0);
        harness.processWatermark(T1000);

        assertThat(verdicts())
                .extracting(SendVerdict::getSendId, CustomerProcessorTest::holdsRule)
                .containsExactly(Tuple.tuple("s1", true));
        assertNoTimersLeft();
    }

    /**
     * A savepoint of the release before the in-memory instants: the waiting events in operator
     * state, and a Flink timer for each. Restored, each event is applied once, at its instant
     * (rebuilt from the event), and the old timer that fires after it finds nothing left to do.
     */
    @Test
    void aSavepointWithFlinkTimersForTheWaitingEventsAppliesEachOnce() throws Exception {
        event(holding("cust-1", "CARD-PLAT", HoldingStatus.ACTIVE, at("08:00")));
        harness.processWatermark(T0900);
        event(send("s1", "C1", "cust-1", T0905));
        var operator = (InMemoryTimersOperator<?, ?, ?>) harness.getOperator();
        operator.setCurrentKey("cust-1");
        operator.getInternalTimerService("user-timers", VoidNamespaceSerializer.INSTANCE, operator)
                .registerEventTimeTimer(VoidNamespace.INSTANCE, T0905);
        restartFrom(harness.snapshot(1L, 1L));
        harness.processBroadcastElement(PLATINUM, 0);
        assertThat(dueInstants()).as("rebuilt from the restored event").isEqualTo(1);
        assertThat(harness.numEventTimeTimers())
                .as("the earlier release's timer")
                .isEqualTo(1);
        harness.processWatermark(T1000);

        assertThat(verdicts())
                .extracting(SendVerdict::getSendId, CustomerProcessorTest::holdsRule)
                .containsExactly(Tuple.tuple("s1", true));
        assertNoTimersLeft();
    }

    // ------------------------------------------------------------------ feedback, attribution, OPEN_COMPLAINT

    private List<AttributedFeedback> feedback() {
        var side = harness.getSideOutput(CustomerProcessor.FEEDBACK);
        return side == null
                ? List.of()
                : side.stream().map(StreamRecord::getValue).toList();
    }

    private List<MisfireRule> rulesOf(String sendId) {
        return verdicts().stream()
                .filter(v -> v.getSendId().equals(sendId))
                .findFirst()
                .orElseThrow()
                .getMisfires()
                .stream()
                .map(m -> m.getRule())
                .toList();
    }

    @Test
    void feedbackIsAttributedExplicitlyOrToTheLatestSendWithinTheWindowOrToTheBaselineOnly() throws Exception {
        harness.processBroadcastElement(campaign("C2", "Savings", OfferType.UPSELL, "SAVINGS"), 0);
        event(send("s1", "C1", "cust-1", at("08:00")));
        event(send("s2", "C2", "cust-1", T0900));
        event(review("r1", "cust-1", 2, "Not impressed", null, T1000)); // latest send before it: s2
        event(ticket("t1", "cust-1", TicketStatus.OPEN, ANGRY, "C1", T1000)); // names its campaign
        event(review("r0", "cust-1", 4, "", null, at("07:00"))); // before any send: baseline only
        long eightDaysLater = T1000 + Duration.ofDays(8).toMillis();
        event(review("r2", "cust-1", 5, "Great app", null, eightDaysLater)); // s2 is more than 7 d old
        harness.processWatermark(eightDaysLater);

        assertThat(feedback())
                .extracting(
                        AttributedFeedback::getFeedbackId,
                        AttributedFeedback::getCampaignId,
                        AttributedFeedback::getAttributedBy)
                .containsExactly(
                        Tuple.tuple("r0", null, "NONE"),
                        Tuple.tuple("r1", "C2", "LAST_SEND"),
                        Tuple.tuple("t1@" + T1000, "C1", "EXPLICIT"),
                        Tuple.tuple("r2", null, "NONE"));
        AttributedFeedback r1 = feedback().get(1);
        assertThat(r1.getCampaignName()).as("from the campaigns broadcast").isEqualTo("Savings");
        assertThat(r1.getAttributedSentAt()).as("through s2").isEqualTo(T0900);
        assertThat(feedback().get(2).getAttributedSentAt())
                .as("explicit C1: through the customer's C1 send")
                .isEqualTo(at("08:00"));
        AttributedFeedback r0 = feedback().get(0);
        assertThat(r0.getScoreSource())
                .as("an empty text: the rating stands in")
                .isEqualTo("RATING");
        assertThat(r0.getScore()).isEqualTo(0.5);
        AttributedFeedback t1 = feedback().get(2);
        assertThat(t1.getScore()).isLessThan(-0.3);
        assertThat(t1.getOpensTicket()).isTrue();
        assertThat(t1.getScorerVersion()).isEqualTo(SentimentScorer.VERSION);
    }

    @Test
    void aRedeliveredReviewOrTicketMessageIsScoredOnce() throws Exception {
        event(review("r1", "cust-1", 2, "Not impressed", null, T1000));
        event(review("r1", "cust-1", 2, "Not impressed", null, T1000)); // the producer retried
        event(ticket("t1", "cust-1", TicketStatus.OPEN, ANGRY, null, T1000));
        event(ticket("t1", "cust-1", TicketStatus.OPEN, ANGRY, null, T1000));
        event(ticket(
                "t1",
                "cust-1",
                TicketStatus.PENDING,
                "Any news?",
                null,
                at("10:30"))); // a new message of the same ticket
        harness.processWatermark(at("10:30"));

        assertThat(feedback())
                .extracting(AttributedFeedback::getFeedbackId)
                .containsExactly("r1", "t1@" + T1000, "t1@" + at("10:30"));
    }

    @Test
    void anAnonymousReviewCountsTowardTheBaselineAndLeavesNoState() throws Exception {
        event(review("r9", null, 5, "Love the new app", null, T1000));
        harness.processWatermark(T1000);

        assertThat(feedback()).singleElement().satisfies(f -> {
            assertThat(f.getCustomerId()).isNull();
            assertThat(f.getCampaignId()).isNull();
            assertThat(f.getScore()).isPositive();
        });
        assertThat(keyedStateEntries())
                .as("no customer to remember, no pending event")
                .isZero();
    }

    @Test
    void aLaterMessageOfATicketCountsForTheTicketsCampaign() throws Exception {
        event(send("s1", "C1", "cust-1", T0900));
        event(ticket("t1", "cust-1", TicketStatus.OPEN, ANGRY, null, T1000));
        event(ticket("t1", "cust-1", TicketStatus.PENDING, "Any news?", null, at("11:00")));
        harness.processWatermark(at("11:00"));

        assertThat(feedback())
                .extracting(
                        AttributedFeedback::getCampaignId,
                        AttributedFeedback::getAttributedBy,
                        AttributedFeedback::getOpensTicket)
                .containsExactly(Tuple.tuple("C1", "LAST_SEND", true), Tuple.tuple("C1", "TICKET", false));
    }

    @Test
    void aPromotionWhileAnAngryTicketIsOpenIsAnOpenComplaintMisfire() throws Exception {
        harness.processBroadcastElement(SECURITY, 0);
        event(ticket("t1", "cust-1", TicketStatus.OPEN, ANGRY, null, at("08:00")));
        event(send("s1", "C1", "cust-1", T0900));
        event(send("s2", "C-SEC", "cust-1", T0905)); // a service message is exempt
        harness.processWatermark(T0905);

        assertThat(rulesOf("s1")).containsExactly(MisfireRule.OPEN_COMPLAINT);
        assertThat(verdicts().get(0).getMisfires().get(0).getDetail())
                .contains("ticket t1 is OPEN since 2026-11-20T08:00:00Z");
        assertThat(rulesOf("s2")).isEmpty();
    }

    @Test
    void aTicketClosedJustBeforeTheSendOrOpenedJustAfterItDoesNotCount() throws Exception {
        event(ticket("t1", "cust-1", TicketStatus.OPEN, ANGRY, null, at("08:00")));
        event(ticket("t1", "cust-1", TicketStatus.RESOLVED, "", null, T0900 - 1)); // resolved a millisecond before
        event(send("s1", "C1", "cust-1", T0900));
        event(ticket("t2", "cust-1", TicketStatus.OPEN, ANGRY, null, T0900 + 1)); // opened a millisecond after
        event(ticket("t3", "cust-2", TicketStatus.OPEN, ANGRY, null, T0905)); // same instant as the send: counts
        event(send("s2", "C1", "cust-2", T0905));
        event(ticket("t4", "cust-3", TicketStatus.OPEN, "Please update my address", null, at("08:00"))); // not angry
        event(send("s3", "C1", "cust-3", T0905));
        harness.processWatermark(T0905);

        assertThat(rulesOf("s1")).isEmpty();
        assertThat(rulesOf("s2")).containsExactly(MisfireRule.OPEN_COMPLAINT);
        assertThat(rulesOf("s3")).isEmpty();
    }

    @Test
    void aTicketOpenedBeforeTheLookBackNoLongerCountsAndIsForgotten() throws Exception {
        event(ticket("t1", "cust-1", TicketStatus.OPEN, ANGRY, null, at("08:00")));
        harness.processWatermark(at("08:00"));
        long later = at("08:00") + Duration.ofDays(30).toMillis();
        event(send("s1", "C1", "cust-1", later)); // exactly 30 d later: outside the half-open window
        harness.processWatermark(later);
        assertThat(rulesOf("s1")).isEmpty();

        event(review("r1", "cust-1", 3, "ok", null, later + 1)); // any feedback prunes old tickets
        harness.processWatermark(later + 1);
        // The customer's state still holds the send, but no ticket.
        assertThat(keyedStateEntries()).isEqualTo(1);
    }

    @Test
    void openingTheOfferedProductAfterASendIsAConversionForItsCampaign() throws Exception {
        event(send("s1", "C1", "cust-1", T0900));
        long threeDaysLater = T0900 + Duration.ofDays(3).toMillis();
        event(holding("cust-1", "CARD-PLAT", HoldingStatus.ACTIVE, threeDaysLater));
        event(holding("cust-1", "SAVINGS", HoldingStatus.ACTIVE, threeDaysLater)); // not what was offered
        harness.processWatermark(threeDaysLater);

        var side = harness.getSideOutput(CustomerProcessor.CONVERSIONS);
        assertThat(side).isNotNull();
        assertThat(side.stream().map(StreamRecord::getValue).toList())
                .singleElement()
                .satisfies(c -> {
                    assertThat(c.getCampaignId()).isEqualTo("C1");
                    assertThat(c.getSendId()).isEqualTo("s1");
                    assertThat(c.getConvertedAt()).isEqualTo(threeDaysLater);
                });
    }

    @Test
    void lateFeedbackWithinTheRollupLatenessIsStillScoredLaterIsADeadLetter() throws Exception {
        event(send("s1", "C1", "cust-1", T0900));
        harness.processWatermark(T1000);
        event(review(
                "r1",
                "cust-1",
                1,
                "Terrible",
                null,
                T1000 - Duration.ofMinutes(9).toMillis())); // within the default 10m
        event(review(
                "r2",
                "cust-1",
                1,
                "Terrible",
                null,
                T1000 - Duration.ofMinutes(11).toMillis()));

        assertThat(feedback()).singleElement().satisfies(f -> {
            assertThat(f.getFeedbackId()).isEqualTo("r1");
            assertThat(f.getCampaignId()).isEqualTo("C1");
        });
        assertThat(deadLetters())
                .singleElement()
                .satisfies(d -> assertThat(d.getReason()).isEqualTo(DeadLetterReason.LATE_EVENT));
    }

    // ------------------------------------------------------------------ the suppression list

    private List<Suppression> suppressions() {
        var side = harness.getSideOutput(CustomerProcessor.SUPPRESSIONS);
        return side == null
                ? List.of()
                : side.stream().map(StreamRecord::getValue).toList();
    }

    private static Tuple entry(String campaign, String customer, MisfireRule reason, boolean active) {
        return Tuple.tuple(campaign, customer, reason, active);
    }

    private List<Tuple> entries() {
        return suppressions().stream()
                .map(e -> entry(e.getCampaignId(), e.getCustomerId(), e.getReason(), e.getActive()))
                .toList();
    }

    @Test
    void aPreventableMisfireOpensOneEntryRetractedWhenTheCustomerClosesTheProduct() throws Exception {
        event(holding("cust-1", "CARD-PLAT", HoldingStatus.ACTIVE, at("08:00")));
        event(send("s1", "C1", "cust-1", T0900));
        event(send("s2", "C1", "cust-1", T0905)); // misfires again (and is a duplicate): still one entry
        harness.processWatermark(T0905);
        assertThat(entries()).containsExactly(entry("C1", "cust-1", MisfireRule.ALREADY_HOLDS_PRODUCT, true));
        assertThat(suppressions().get(0).getSendId()).isEqualTo("s1");
        assertThat(suppressions().get(0).getSince().toEpochMilli()).isEqualTo(T0900);

        event(holding("cust-1", "CARD-PLAT", HoldingStatus.CLOSED, T1000));
        harness.processWatermark(T1000);
        assertThat(entries())
                .containsExactly(
                        entry("C1", "cust-1", MisfireRule.ALREADY_HOLDS_PRODUCT, true),
                        entry("C1", "cust-1", MisfireRule.ALREADY_HOLDS_PRODUCT, false));
        var retraction = suppressions().get(1);
        assertThat(retraction.getChangedAt().toEpochMilli()).isEqualTo(T1000);
        assertThat(retraction.getDetail())
                .startsWith("the customer no longer holds CARD-PLAT (CLOSED at 2026-11-20T10:00:00Z)");
        assertThat(retraction.getSince().toEpochMilli())
                .as("the entry's own start")
                .isEqualTo(T0900);
    }

    @Test
    void consentGivenBackRetractsAndANewMisfireAfterThatOpensANewEntry() throws Exception {
        event(consent("cust-1", Channel.EMAIL, false, at("08:00")));
        event(send("s1", "C1", "cust-1", T0900));
        event(consent("cust-1", null, true, T1000)); // opted back in to all channels
        event(consent("cust-1", Channel.EMAIL, false, at("11:00")));
        event(send("s2", "C1", "cust-1", at("12:00")));
        harness.processWatermark(at("12:00"));
        assertThat(entries())
                .containsExactly(
                        entry("C1", "cust-1", MisfireRule.NO_CONSENT, true),
                        entry("C1", "cust-1", MisfireRule.NO_CONSENT, false),
                        entry("C1", "cust-1", MisfireRule.NO_CONSENT, true));
        assertThat(suppressions().get(1).getDetail()).isEqualTo("the customer consented to EMAIL again");
    }

    @Test
    void anOpenComplaintEntryEndsWithTheTicketAndRulesASenderCannotPreventOpenNone() throws Exception {
        event(ticket("t1", "cust-1", TicketStatus.OPEN, ANGRY, null, at("08:00")));
        event(send("s1", "C1", "cust-1", T0900));
        event(ticket("t1", "cust-1", TicketStatus.RESOLVED, "", null, T1000));
        // Four promotions in a day to cust-2: FREQUENCY_CAP, which no audience filter of one campaign prevents.
        for (int i = 0; i < 4; i++) {
            event(send("f" + i, "C" + (i + 1), "cust-2", T0900 + i));
        }
        for (int i = 2; i <= 4; i++) {
            harness.processBroadcastElement(campaign("C" + i, "Other " + i, OfferType.CROSS_SELL, "P" + i), 0);
        }
        harness.processWatermark(T1000);
        assertThat(entries())
                .containsExactly(
                        entry("C1", "cust-1", MisfireRule.OPEN_COMPLAINT, true),
                        entry("C1", "cust-1", MisfireRule.OPEN_COMPLAINT, false));
        assertThat(rulesOf("f3")).containsExactly(MisfireRule.FREQUENCY_CAP);
    }
}
