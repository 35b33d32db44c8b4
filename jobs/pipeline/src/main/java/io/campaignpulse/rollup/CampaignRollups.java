package io.campaignpulse.rollup;

import io.campaignpulse.attribution.AttributedFeedback;
import io.campaignpulse.attribution.Conversion;
import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.contract.CampaignStats;
import io.campaignpulse.contract.Misfire;
import io.campaignpulse.contract.MisfireRule;
import io.campaignpulse.misfire.SendVerdict;
import io.campaignpulse.sentiment.SentimentScorer;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.api.config.ExecutionConfigOptions;
import org.apache.flink.types.Row;
import org.apache.flink.util.Collector;

/**
 * Per-campaign roll-ups in hopping event-time windows, in Flink SQL: sends, misfires by rule,
 * conversions, feedback, tickets, reviews, sentiment, ratings and CSAT, next to the baseline of
 * all feedback in the same window (a window join of two window aggregations over one input). The
 * rows are first summed per slice (a tumbling window of one slide), and the hopping windows sum
 * the slices, so each row is aggregated once, not once per window that holds it.
 *
 * <p>The input is one "activity" row per judged send, attributed feedback and conversion, all
 * from the per-customer operator (so no second keyed shuffle by customer). Event time is held
 * back by {@code rollups.allowed-lateness} before the windows ({@link WatermarkDelay}), so
 * feedback scored up to that late still counts in its windows; each window is emitted once,
 * complete.
 */
public final class CampaignRollups {

    /** The prefix of the planner's operator uids: see {@link #define}. */
    static final String UID_PREFIX = "rollup-windows-";

    public static final TypeInformation<CampaignStats> STATS_TYPE = new AvroTypeInfo<>(CampaignStats.class);

    /** One count column per misfire rule, r0, r1, ...: every rule the contract knows but UNKNOWN. */
    static final List<MisfireRule> RULES = Arrays.stream(MisfireRule.values())
            .filter(r -> r != MisfireRule.UNKNOWN)
            .toList();

    private static final String[] COLUMNS = columns();
    private static final Map<String, Integer> COLUMN_INDEX = columnIndex();
    /** The column of each rule's count, by the rule's ordinal (-1 for UNKNOWN): no name built per row. */
    private static final int[] RULE_COLUMN = ruleColumns();

    public static final TypeInformation<Row> ACTIVITY = Types.ROW_NAMED(COLUMNS, columnTypes());

    /**
     * Scores are summed as whole billionths: a sum of doubles depends on the order it is added
     * in, which differs with the parallel partial aggregates, and a replay must give the same
     * figures to the last digit. (Exact for up to 9 billion scores in a window; the average is
     * within 5e-10 of the double one.)
     */
    static final double SCORE_UNITS = 1e9;

    /** Tickets of the window's own cohort: opened through a send in the window, or with no send known. */
    private static final String COHORT_TICKETS =
            "COALESCE(SUM(tickets) FILTER (WHERE cohort_slice IS NULL OR cohort_slice >= window_start), 0) AS cohort_tickets";

    /** What each hopping window sums of the slices, as SQL select items. */
    private static final List<String> WINDOW_COLUMNS = windowColumns();

    private static List<String> windowColumns() {
        List<String> columns = new ArrayList<>(List.of(
                "MAX(campaign_name) AS campaign_name",
                "SUM(sends) AS sends",
                "SUM(misfires) AS misfires",
                "SUM(misfired_sends) AS misfired_sends",
                "MAX(last_sent_at) AS last_sent_at"));
        for (int i = 0; i < RULES.size(); i++) {
            columns.add("SUM(r" + i + ") AS r" + i);
        }
        columns.addAll(List.of(
                "SUM(conversions) AS conversions",
                "SUM(feedback) AS feedback",
                "SUM(tickets) AS tickets",
                COHORT_TICKETS,
                "SUM(reviews) AS reviews",
                "SUM(score_units) AS score_units",
                "SUM(scored) AS scored",
                "SUM(negative) AS negative",
                "SUM(positive) AS positive",
                "CASE WHEN SUM(ratings) > 0 THEN SUM(rating_sum) / SUM(ratings) END AS avg_rating",
                "CASE WHEN SUM(csats) > 0 THEN SUM(csat_sum) / SUM(csats) END AS avg_csat",
                "MIN(negative_sample_1) AS negative_sample_1",
                "MAX(negative_sample_2) AS negative_sample_2",
                "MAX(scorer_version) AS scorer_version"));
        return List.copyOf(columns);
    }

    private static String[] columns() {
        List<String> names = new ArrayList<>(List.of("kind", "campaign_id", "campaign_name", "misfires"));
        for (int i = 0; i < RULES.size(); i++) {
            names.add("r" + i);
        }
        names.addAll(List.of(
                "feedback_id",
                "feedback_kind",
                "opens_ticket",
                "score",
                "score_units",
                "rating",
                "csat",
                "scorer_version",
                "cohort_slice"));
        return names.toArray(String[]::new);
    }

    private static Map<String, Integer> columnIndex() {
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < COLUMNS.length; i++) {
            index.put(COLUMNS[i], i);
        }
        return index;
    }

    private static int[] ruleColumns() {
        int[] byOrdinal = new int[MisfireRule.values().length];
        Arrays.fill(byOrdinal, -1);
        for (int i = 0; i < RULES.size(); i++) {
            byOrdinal[RULES.get(i).ordinal()] = COLUMN_INDEX.get("r" + i);
        }
        return byOrdinal;
    }

    private static TypeInformation<?>[] columnTypes() {
        List<TypeInformation<?>> types = new ArrayList<>(List.of(Types.STRING, Types.STRING, Types.STRING, Types.INT));
        for (int i = 0; i < RULES.size(); i++) {
            types.add(Types.INT);
        }
        types.addAll(List.of(
                Types.STRING,
                Types.STRING,
                Types.BOOLEAN,
                Types.DOUBLE,
                Types.LONG,
                Types.INT,
                Types.INT,
                Types.STRING,
                Types.LOCAL_DATE_TIME));
        return types.toArray(TypeInformation<?>[]::new);
    }

    private CampaignRollups() {}

    public static DataStream<CampaignStats> define(
            PulseConfig config,
            DataStream<SendVerdict> verdicts,
            DataStream<AttributedFeedback> feedback,
            DataStream<Conversion> conversions) {
        DataStream<Row> sends = verdicts.map(CampaignRollups::sendActivity, ACTIVITY)
                .uid("rollup-send-activity")
                .name("Roll-up input: sends");
        long slideMs = config.rollups().slide().toMillis();
        DataStream<Row> said = feedback.map(f -> feedbackActivity(f, slideMs), ACTIVITY)
                .uid("rollup-feedback-activity")
                .name("Roll-up input: feedback");
        DataStream<Row> converted = conversions
                .map(CampaignRollups::conversionActivity, ACTIVITY)
                .uid("rollup-conversion-activity")
                .name("Roll-up input: conversions");
        DataStream<Row> activity = sends.union(said, converted)
                .transform(
                        "Roll-up input: allowed lateness",
                        ACTIVITY,
                        new WatermarkDelay<Row>(
                                config.rollups().allowedLateness().toMillis()))
                .uid("rollup-allowed-lateness");

        StreamTableEnvironment tables = StreamTableEnvironment.create(activity.getExecutionEnvironment());
        // Windows are computed on UTC days and hours, whatever the machine's zone.
        tables.getConfig().setLocalTimeZone(ZoneOffset.UTC);
        // Stable uids for the planner's operators (the window aggregations and join hold state):
        // derived from the plan, so they survive restarts and savepoint upgrades of the same plan.
        // The prefix names the plan: a new one when the plan changes, so that the state of an
        // earlier plan (the uids before "rollup-windows-": a slice aggregation per side, and
        // narrower join rows) is reported as not restored rather than read into other operators.
        tables.getConfig()
                .set(ExecutionConfigOptions.TABLE_EXEC_UID_GENERATION, ExecutionConfigOptions.UidGeneration.ALWAYS);
        tables.getConfig().set(ExecutionConfigOptions.TABLE_EXEC_UID_FORMAT, UID_PREFIX + "<id>_<transformation>");

        tables.createTemporaryView(
                "activity",
                tables.fromDataStream(
                        activity,
                        Schema.newBuilder()
                                .columnByMetadata("rowtime", "TIMESTAMP_LTZ(3)")
                                .watermark("rowtime", "SOURCE_WATERMARK()")
                                .build()));
        // Two steps, so that no input row is copied into every window that holds it: the activity is
        // summed per slice (a tumbling window of one slide), then the slices per hopping window.
        // (One step over the rows would have to expand each row into window/slide windows, since
        // the cohort ticket count compares a row's send time with its window's start.)
        String slices = "TABLE(TUMBLE(TABLE activity, DESCRIPTOR(rowtime), "
                + interval(config.rollups().slide()) + "))";
        tables.executeSql("CREATE TEMPORARY VIEW activity_slices AS " + slicesSql(slices));
        String hop = "TABLE(HOP(TABLE activity_slices, DESCRIPTOR(slice_time), "
                + interval(config.rollups().slide()) + ", "
                + interval(config.rollups().window()) + "))";
        tables.executeSql("CREATE TEMPORARY VIEW campaign_windows AS " + windowsSql(hop, true));
        tables.executeSql("CREATE TEMPORARY VIEW baseline_windows AS " + windowsSql(hop, false));
        Table stats = tables.sqlQuery("SELECT c.*" + baselineColumns()
                + " FROM campaign_windows c JOIN baseline_windows b"
                + " ON c.window_start = b.window_start AND c.window_end = b.window_end");
        // The window join has no key but the window, so the planner runs it as a singleton (max
        // parallelism 1). A new chain here keeps the sinks downstream out of that vertex: chained
        // into it at parallelism 1, their state could not be restored from a savepoint taken at
        // another parallelism (max parallelism mismatch).
        return tables.toDataStream(stats)
                .flatMap(CampaignRollups::campaignStats, STATS_TYPE)
                .startNewChain()
                .uid("rollup-campaign-stats")
                .name("Campaign stats");
    }

    /**
     * The activity summed per slice, per campaign (null for unattributed feedback: it counts in the
     * baseline) and per cohort slice (the slice of the send a ticket came through; null for all
     * else). Every column is one whose per-window value follows from the slices' values.
     */
    static String slicesSql(String tumble) {
        StringBuilder rules = new StringBuilder();
        for (int i = 0; i < RULES.size(); i++) {
            rules.append("CAST(SUM(r")
                    .append(i)
                    .append(") AS BIGINT) AS r")
                    .append(i)
                    .append(", ");
        }
        return """
                SELECT campaign_id, cohort_slice, window_time AS slice_time,
                       MAX(campaign_name) AS campaign_name,
                       COUNT(*) FILTER (WHERE kind = 'SEND') AS sends,
                       CAST(SUM(misfires) AS BIGINT) AS misfires,
                       COUNT(*) FILTER (WHERE kind = 'SEND' AND misfires > 0) AS misfired_sends,
                       MAX(CASE WHEN kind = 'SEND' THEN rowtime END) AS last_sent_at,
                       %1$s
                       COUNT(*) FILTER (WHERE kind = 'CONVERSION') AS conversions,
                       COUNT(*) FILTER (WHERE kind = 'FEEDBACK') AS feedback,
                       COUNT(*) FILTER (WHERE opens_ticket) AS tickets,
                       COUNT(*) FILTER (WHERE feedback_kind = 'REVIEW') AS reviews,
                       SUM(score_units) AS score_units,
                       COUNT(score) AS scored,
                       COUNT(*) FILTER (WHERE score <= -%2$s) AS negative,
                       COUNT(*) FILTER (WHERE score >= %2$s) AS positive,
                       SUM(CAST(rating AS DOUBLE)) AS rating_sum,
                       COUNT(rating) AS ratings,
                       SUM(CAST(csat AS DOUBLE)) AS csat_sum,
                       COUNT(csat) AS csats,
                       MIN(CASE WHEN score <= -%2$s THEN feedback_id END) AS negative_sample_1,
                       MAX(CASE WHEN score <= -%2$s THEN feedback_id END) AS negative_sample_2,
                       MAX(scorer_version) AS scorer_version
                FROM %3$s
                GROUP BY campaign_id, cohort_slice, window_start, window_end, window_time""".formatted(rules, neutralBand(), tumble);
    }

    /**
     * The sums of a hopping window, of each slice column: per campaign (with a group for the
     * unattributed feedback, no campaign, that {@link #campaignStats} drops), or over all
     * campaigns for the baseline. Both sides compute the same columns and the join keeps them all:
     * the planner drops a column nobody reads down into the slices, and two sides that read
     * different slice columns would each get a slice aggregation of their own, every activity row
     * summed twice.
     */
    static String windowsSql(String hop, boolean perCampaign) {
        return """
                SELECT %1$swindow_start, window_end,
                       %2$s
                FROM %3$s
                GROUP BY %1$swindow_start, window_end""".formatted(perCampaign ? "campaign_id, " : "", String.join(", ", WINDOW_COLUMNS), hop);
    }

    /** The baseline's columns in the joined row, b_sends, b_feedback, ...: every one, see {@link #windowsSql}. */
    static String baselineColumns() {
        StringBuilder select = new StringBuilder();
        for (String column : WINDOW_COLUMNS) {
            String name = column.substring(column.lastIndexOf(" AS ") + 4);
            select.append(", b.").append(name).append(" AS b_").append(name);
        }
        return select.toString();
    }

    private static String neutralBand() {
        return Double.toString(SentimentScorer.NEUTRAL_BAND);
    }

    /** A SQL day-time interval literal, exact to the millisecond. */
    static String interval(Duration d) {
        long ms = d.toMillis();
        return String.format(
                Locale.ROOT,
                "INTERVAL '%d %02d:%02d:%02d.%03d' DAY TO SECOND(3)",
                ms / 86_400_000,
                ms / 3_600_000 % 24,
                ms / 60_000 % 60,
                ms / 1000 % 60,
                ms % 1000);
    }

    static Row sendActivity(SendVerdict v) {
        Row row = activity("SEND", v.getCampaignId(), v.getCampaignName());
        row.setField(column("misfires"), v.getMisfires().size());
        for (Misfire m : v.getMisfires()) {
            int ruleColumn = RULE_COLUMN[m.getRule().ordinal()];
            if (ruleColumn >= 0) {
                row.setField(ruleColumn, (Integer) row.getField(ruleColumn) + 1);
            }
        }
        return row;
    }

    /**
     * @param slideMs the slide: a ticket's cohort slice is the slice of the send it came through,
     *     so it counts toward the ticket rate of the windows holding that send
     */
    static Row feedbackActivity(AttributedFeedback f, long slideMs) {
        Row row = activity("FEEDBACK", f.getCampaignId(), f.getCampaignName());
        row.setField(column("feedback_id"), f.getFeedbackId());
        row.setField(column("feedback_kind"), f.getKind());
        row.setField(column("opens_ticket"), f.getOpensTicket());
        row.setField(column("score"), f.getScore());
        row.setField(column("score_units"), f.getScore() == null ? null : Math.round(f.getScore() * SCORE_UNITS));
        row.setField(column("rating"), f.getRating());
        row.setField(column("csat"), f.getCsat());
        row.setField(column("scorer_version"), f.getScorerVersion());
        if (f.getOpensTicket() && f.getAttributedSentAt() != null) {
            row.setField(column("cohort_slice"), utc(Math.floorDiv(f.getAttributedSentAt(), slideMs) * slideMs));
        }
        return row;
    }

    static Row conversionActivity(Conversion c) {
        return activity("CONVERSION", c.getCampaignId(), null);
    }

    /** A row of one kind with no counts, no feedback and no cohort, for the caller to fill in. */
    private static Row activity(String kind, String campaignId, String campaignName) {
        Row row = new Row(COLUMNS.length);
        row.setField(column("kind"), kind);
        row.setField(column("campaign_id"), campaignId);
        row.setField(column("campaign_name"), campaignName);
        row.setField(column("misfires"), 0);
        for (int ruleColumn : RULE_COLUMN) {
            if (ruleColumn >= 0) {
                row.setField(ruleColumn, 0);
            }
        }
        row.setField(column("opens_ticket"), false);
        return row;
    }

    private static int column(String name) {
        return COLUMN_INDEX.get(name);
    }

    private static LocalDateTime utc(long epochMs) {
        return LocalDateTime.ofEpochSecond(
                Math.floorDiv(epochMs, 1000), (int) Math.floorMod(epochMs, 1000) * 1_000_000, ZoneOffset.UTC);
    }

    /**
     * The stats of a campaign's window; none for the group of unattributed feedback (no campaign),
     * which only the baseline counts. Dropped here rather than in SQL: a filter on the campaign
     * would be pushed down into the slices, and the campaigns' and the baseline's windows would then
     * read two slice aggregations of every activity row instead of sharing one.
     */
    static void campaignStats(Row r, Collector<CampaignStats> out) {
        if (r.getField("campaign_id") != null) {
            out.collect(toStats(r));
        }
    }

    private static CampaignStats toStats(Row r) {
        long sends = r.<Long>getFieldAs("sends");
        long tickets = r.<Long>getFieldAs("tickets");
        long cohortTickets = r.<Long>getFieldAs("cohort_tickets");
        long scored = r.<Long>getFieldAs("scored");
        long bSends = r.<Long>getFieldAs("b_sends");
        long bScored = r.<Long>getFieldAs("b_scored");
        Map<String, Long> byRule = new HashMap<>();
        for (int i = 0; i < RULES.size(); i++) {
            Long n = r.getFieldAs("r" + i);
            if (n != null && n > 0) {
                byRule.put(RULES.get(i).name(), n);
            }
        }
        List<String> samples = new ArrayList<>(2);
        String s1 = r.getFieldAs("negative_sample_1");
        String s2 = r.getFieldAs("negative_sample_2");
        if (s1 != null) {
            samples.add(s1);
        }
        if (s2 != null && !s2.equals(s1)) {
            samples.add(s2);
        }
        Long misfires = r.getFieldAs("misfires");
        String version = r.getFieldAs("scorer_version");
        return CampaignStats.newBuilder()
                .setCampaignId(r.getFieldAs("campaign_id"))
                .setCampaignName(r.getFieldAs("campaign_name"))
                .setWindowStart(r.<LocalDateTime>getFieldAs("window_start").toInstant(ZoneOffset.UTC))
                .setWindowEnd(r.<LocalDateTime>getFieldAs("window_end").toInstant(ZoneOffset.UTC))
                .setSends(sends)
                .setMisfires(misfires == null ? 0 : misfires)
                .setMisfiredSends(r.<Long>getFieldAs("misfired_sends"))
                .setLastSentAt(r.<Instant>getFieldAs("last_sent_at"))
                .setMisfiresByRule(byRule)
                .setConvertedRecipients(r.<Long>getFieldAs("conversions"))
                .setFeedback(r.<Long>getFieldAs("feedback"))
                .setTickets(tickets)
                .setReviews(r.<Long>getFieldAs("reviews"))
                .setAvgSentiment(average(r.getFieldAs("score_units"), scored))
                .setNegativeShare(scored == 0 ? null : (double) r.<Long>getFieldAs("negative") / scored)
                .setPositiveShare(scored == 0 ? null : (double) r.<Long>getFieldAs("positive") / scored)
                .setAvgRating(r.getFieldAs("avg_rating"))
                .setAvgCsat(r.getFieldAs("avg_csat"))
                .setTicketsFromWindowSends(cohortTickets)
                .setTicketsPer1000Sends(sends == 0 ? null : 1000.0 * cohortTickets / sends)
                .setBaselineFeedback(r.<Long>getFieldAs("b_feedback"))
                .setBaselineAvgSentiment(average(r.getFieldAs("b_score_units"), bScored))
                .setBaselineNegativeShare(bScored == 0 ? null : (double) r.<Long>getFieldAs("b_negative") / bScored)
                .setBaselineTicketsPer1000Sends(
                        bSends == 0 ? null : 1000.0 * r.<Long>getFieldAs("b_cohort_tickets") / bSends)
                .setSampleNegativeFeedbackIds(samples)
                .setScorerVersion(version == null ? SentimentScorer.VERSION : version)
                .build();
    }

    private static Double average(Long scoreUnits, long scored) {
        return scoreUnits == null || scored == 0 ? null : scoreUnits / SCORE_UNITS / scored;
    }
}
