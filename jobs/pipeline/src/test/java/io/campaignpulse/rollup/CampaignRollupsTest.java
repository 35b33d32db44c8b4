package io.campaignpulse.rollup;

import static io.campaignpulse.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.campaignpulse.attribution.AttributedFeedback;
import io.campaignpulse.attribution.Conversion;
import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.contract.CampaignStats;
import io.campaignpulse.contract.Channel;
import io.campaignpulse.contract.Misfire;
import io.campaignpulse.contract.MisfireRule;
import io.campaignpulse.contract.OfferType;
import io.campaignpulse.misfire.SendVerdict;
import io.campaignpulse.sentiment.SentimentScorer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The roll-up SQL on a small hand-worked input (2 h windows sliding by 1 h), run as the job runs
 * it: streaming, event time, on a MiniCluster; bounded input closes every window at the end.
 */
class CampaignRollupsTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(1)
            .build());

    private static final PulseConfig CONFIG =
            config(Map.of("rollups.window", "2h", "rollups.slide", "1h", "rollups.allowed-lateness", "0s"));

    private static SendVerdict send(String id, String campaign, String time, MisfireRule... rules) {
        long t = at(time);
        List<Misfire> misfires = new ArrayList<>();
        for (MisfireRule r : rules) {
            misfires.add(Misfire.newBuilder()
                    .setSendId(id)
                    .setCampaignId(campaign)
                    .setCustomerId("cust-" + id)
                    .setRule(r)
                    .setDetail("-")
                    .setSentAt(Instant.ofEpochMilli(t))
                    .setDetectedAt(Instant.ofEpochMilli(t))
                    .build());
        }
        return SendVerdict.newBuilder()
                .setSendId(id)
                .setCampaignId(campaign)
                .setCampaignName("Name of " + campaign)
                .setCustomerId("cust-" + id)
                .setChannel(Channel.EMAIL)
                .setOfferType(OfferType.CROSS_SELL)
                .setSentAt(t)
                .setMisfires(misfires)
                .build();
    }

    private static AttributedFeedback feedback(
            String id, String campaign, String kind, boolean opensTicket, Double score, Integer rating, String time) {
        return feedback(id, campaign, kind, opensTicket, score, rating, time, null);
    }

    private static AttributedFeedback feedback(
            String id,
            String campaign,
            String kind,
            boolean opensTicket,
            Double score,
            Integer rating,
            String time,
            String sentTime) {
        return AttributedFeedback.newBuilder()
                .setFeedbackId(id)
                .setKind(kind)
                .setOpensTicket(opensTicket)
                .setCustomerId("cust")
                .setAttributedSentAt(sentTime == null ? null : at(sentTime))
                .setCampaignId(campaign)
                .setAttributedBy(campaign == null ? "NONE" : "LAST_SEND")
                .setScore(score)
                .setScoreSource(score == null ? "NONE" : "TEXT")
                .setRating(rating)
                .setScorerVersion(SentimentScorer.VERSION)
                .setOccurredAt(at(time))
                .build();
    }

    private static <T> DataStream<T> stream(
            StreamExecutionEnvironment env, List<T> items, Class<T> type, SerializableTimestampAssigner<T> time) {
        TypeInformation<T> info = new AvroTypeInfo(type);
        return env.fromData(items, info)
                .assignTimestampsAndWatermarks(
                        WatermarkStrategy.<T>forMonotonousTimestamps().withTimestampAssigner(time));
    }

    @Test
    void eachCampaignWindowCountsItsSendsMisfiresConversionsAndFeedbackBesideTheBaseline() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        DataStream<SendVerdict> sends = stream(
                env,
                List.of(
                        send("s1", "C1", "09:10", MisfireRule.ALREADY_HOLDS_PRODUCT),
                        send("s2", "C1", "09:20"),
                        send("s4", "C2", "09:30"),
                        send("s3", "C1", "10:30", MisfireRule.NO_CONSENT, MisfireRule.FREQUENCY_CAP)),
                SendVerdict.class,
                (v, ts) -> v.getSentAt());
        DataStream<AttributedFeedback> feedback = stream(
                env,
                List.of(
                        feedback("tkt-1@1", "C1", "TICKET", true, -0.6, null, "09:40", "09:10"),
                        feedback(
                                "tkt-2@1", "C1", "TICKET", true, null, null, "10:15",
                                "08:30"), // from a send before 09:00; nothing to score
                        feedback("rev-0", null, "REVIEW", false, -0.2, 2, "09:50"), // baseline only
                        feedback("rev-1", "C1", "REVIEW", false, 0.4, 4, "10:10"),
                        feedback("rev-2", "C2", "REVIEW", false, null, null, "10:45")), // nothing to score
                AttributedFeedback.class,
                (f, ts) -> f.getOccurredAt());
        DataStream<Conversion> conversions = stream(
                env,
                List.of(new Conversion("C1", "s1", "cust-s1", "CARD", at("10:20"))),
                Conversion.class,
                (c, ts) -> c.getConvertedAt());

        Map<String, CampaignStats> stats = new HashMap<>();
        try (CloseableIterator<CampaignStats> it =
                CampaignRollups.define(CONFIG, sends, feedback, conversions).executeAndCollect()) {
            it.forEachRemaining(s -> stats.put(s.getCampaignId() + "/" + s.getWindowEnd(), s));
        }

        assertThat(stats)
                .containsOnlyKeys(
                        "C1/2026-11-20T10:00:00Z",
                        "C1/2026-11-20T11:00:00Z",
                        "C1/2026-11-20T12:00:00Z",
                        "C2/2026-11-20T10:00:00Z",
                        "C2/2026-11-20T11:00:00Z",
                        "C2/2026-11-20T12:00:00Z");

        CampaignStats c1 = stats.get("C1/2026-11-20T11:00:00Z"); // [09:00, 11:00)
        assertThat(c1.getWindowStart()).isEqualTo(Instant.parse("2026-11-20T09:00:00Z"));
        assertThat(c1.getCampaignName()).isEqualTo("Name of C1");
        assertThat(c1.getSends()).isEqualTo(3);
        assertThat(c1.getMisfires()).isEqualTo(3);
        assertThat(c1.getMisfiredSends()).as("s1 and s3; s3 broke two rules").isEqualTo(2);
        assertThat(c1.getLastSentAt()).isEqualTo(Instant.ofEpochMilli(at("10:30")));
        assertThat(c1.getMisfiresByRule())
                .containsOnly(
                        Map.entry("ALREADY_HOLDS_PRODUCT", 1L),
                        Map.entry("NO_CONSENT", 1L),
                        Map.entry("FREQUENCY_CAP", 1L));
        assertThat(c1.getConvertedRecipients()).isEqualTo(1);
        assertThat(c1.getFeedback()).isEqualTo(3);
        assertThat(c1.getTickets()).isEqualTo(2);
        assertThat(c1.getTicketsFromWindowSends())
                .as("tkt-2 came through a send before the window")
                .isEqualTo(1);
        assertThat(c1.getReviews()).isEqualTo(1);
        assertThat(c1.getAvgSentiment()).isCloseTo(-0.1, within(1e-9));
        assertThat(c1.getNegativeShare()).isEqualTo(0.5);
        assertThat(c1.getPositiveShare()).isEqualTo(0.5);
        assertThat(c1.getAvgRating()).isEqualTo(4.0);
        assertThat(c1.getAvgCsat()).isNull();
        assertThat(c1.getTicketsPer1000Sends())
                .as("1 ticket from the window's 3 sends")
                .isCloseTo(333.333, within(1e-3));
        assertThat(c1.getSampleNegativeFeedbackIds()).containsExactly("tkt-1@1");
        assertThat(c1.getScorerVersion()).isEqualTo(SentimentScorer.VERSION);
        // The baseline: all four sends and all four feedback items of the window, attributed or not.
        assertThat(c1.getBaselineFeedback()).isEqualTo(5);
        assertThat(c1.getBaselineAvgSentiment()).isCloseTo((-0.6 - 0.2 + 0.4) / 3, within(1e-9));
        assertThat(c1.getBaselineNegativeShare()).isCloseTo(2.0 / 3, within(1e-9));
        assertThat(c1.getBaselineTicketsPer1000Sends()).isEqualTo(250.0);

        CampaignStats early = stats.get("C1/2026-11-20T10:00:00Z"); // [08:00, 10:00)
        assertThat(early.getSends()).isEqualTo(2);
        assertThat(early.getMisfiresByRule()).containsOnly(Map.entry("ALREADY_HOLDS_PRODUCT", 1L));
        assertThat(early.getConvertedRecipients()).isZero();
        assertThat(early.getNegativeShare()).isEqualTo(1.0);

        CampaignStats late = stats.get("C1/2026-11-20T12:00:00Z"); // [10:00, 12:00)
        assertThat(late.getSends()).isEqualTo(1);
        assertThat(late.getMisfires()).isEqualTo(2);
        assertThat(late.getTickets()).isEqualTo(1);
        assertThat(late.getTicketsFromWindowSends()).isZero();
        assertThat(late.getTicketsPer1000Sends())
                .as("the window's one send drew no ticket")
                .isZero();
        assertThat(late.getSampleNegativeFeedbackIds()).isEmpty();

        CampaignStats quiet =
                stats.get("C2/2026-11-20T12:00:00Z"); // [10:00, 12:00): a review with nothing to score, no send
        assertThat(quiet.getSends()).isZero();
        assertThat(quiet.getLastSentAt()).isNull();
        assertThat(quiet.getFeedback()).isEqualTo(1);
        assertThat(quiet.getAvgSentiment()).isNull();
        assertThat(quiet.getNegativeShare()).isNull();
        assertThat(quiet.getTicketsPer1000Sends()).as("no sends: no rate").isNull();
    }

    @Test
    void intervalsAreExactSqlLiterals() {
        assertThat(CampaignRollups.interval(Duration.ofHours(24)))
                .isEqualTo("INTERVAL '1 00:00:00.000' DAY TO SECOND(3)");
        assertThat(CampaignRollups.interval(Duration.ofMillis(90_061_001)))
                .isEqualTo("INTERVAL '1 01:01:01.001' DAY TO SECOND(3)");
    }

    /**
     * Each activity row is summed into its slice once, and both the campaigns' windows and the
     * baseline's read those slices: one slice aggregation (local and global) and one per hopping
     * window side, not a second slice aggregation for the baseline (which a filter on the campaign,
     * pushed down into the slices, had caused).
     */
    @Test
    void theActivityIsSummedIntoSlicesOnceForTheCampaignsAndTheBaseline() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        oneSendOf(env, List.of(feedback("rev-1", "C1", "REVIEW", false, 0.4, 4, "09:40")))
                .sinkTo(new DiscardingSink<>());

        List<String> operators = env.getStreamGraph(false).getStreamNodes().stream()
                .map(StreamNode::getOperatorName)
                .toList();
        assertThat(operators)
                .as("local window aggregations: the slices, then each side's hopping windows")
                .filteredOn(name -> name.startsWith("LocalWindowAggregate"))
                .hasSize(3);
        assertThat(operators)
                .as("global window aggregations: the slices, then each side's hopping windows")
                .filteredOn(name -> name.startsWith("GlobalWindowAggregate"))
                .hasSize(3);
    }

    /** The same scores in another order give the same average, to the last bit: (0.1 + 0.2) + 0.3 is not (0.3 + 0.2) + 0.1 in doubles. */
    @Test
    void theAverageSentimentDoesNotDependOnTheOrderTheScoresArriveIn() throws Exception {
        assertThat((0.1 + 0.2) + 0.3).isNotEqualTo((0.3 + 0.2) + 0.1);
        assertThat(averageOf(List.of(0.1, 0.2, 0.3)))
                .isEqualTo(averageOf(List.of(0.3, 0.2, 0.1)))
                .isCloseTo(0.2, within(1e-9));
    }

    private static double averageOf(List<Double> scores) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        List<AttributedFeedback> items = new ArrayList<>();
        for (int i = 0; i < scores.size(); i++) {
            items.add(feedback("rev-" + i, "C1", "REVIEW", false, scores.get(i), 3, "09:40"));
        }
        try (CloseableIterator<CampaignStats> it = oneSendOf(env, items).executeAndCollect()) {
            CampaignStats first = it.next();
            return first.getAvgSentiment();
        }
    }

    /** The roll-ups of campaign C1's one send (09:10, converted at 09:20) and the given feedback. */
    private static DataStream<CampaignStats> oneSendOf(
            StreamExecutionEnvironment env, List<AttributedFeedback> feedback) {
        DataStream<SendVerdict> sends =
                stream(env, List.of(send("s1", "C1", "09:10")), SendVerdict.class, (v, ts) -> v.getSentAt());
        DataStream<Conversion> conversions = stream(
                env,
                List.of(new Conversion("C1", "s1", "cust-s1", "CARD", at("09:20"))),
                Conversion.class,
                (c, ts) -> c.getConvertedAt());
        return CampaignRollups.define(
                CONFIG,
                sends,
                stream(env, feedback, AttributedFeedback.class, (f, ts) -> f.getOccurredAt()),
                conversions);
    }
}
