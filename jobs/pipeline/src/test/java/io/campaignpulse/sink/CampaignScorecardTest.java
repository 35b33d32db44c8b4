package io.campaignpulse.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.campaignpulse.Fixtures;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.Driver;

/**
 * The campaign_scorecard view on a real PostgreSQL, over roll-up windows as the job writes them
 * (24 h windows every 12 h here), with the feedback and misfire rows behind them.
 */
class CampaignScorecardTest {

    @TempDir
    static Path work;

    private static EmbeddedPostgres postgres;
    private static String url;

    @BeforeAll
    static void start() throws Exception {
        postgres = Fixtures.embeddedPostgres(work);
        url = postgres.getJdbcUrl("postgres", "postgres");
        PostgresMigrations.migrate(url, "postgres", null);
    }

    @AfterAll
    static void stop() throws Exception {
        postgres.close();
    }

    @BeforeEach
    void empty() throws Exception {
        run("TRUNCATE campaign_stats, feedback_scores, misfires; UPDATE scorecard_settings SET min_feedback = 20");
    }

    /** One window of C1: day d (0 = 2026-11-20) at hour h is its end. */
    private static void window(
            String campaign,
            int endHour,
            long sends,
            long misfired,
            long feedback,
            Double sentiment,
            double baseline,
            String lastSent)
            throws Exception {
        run(String.format(
                Locale.ROOT,
                "INSERT INTO campaign_stats (campaign_id, window_end, window_start, campaign_name, sends, misfires,"
                        + " misfired_sends, last_sent_at, misfires_by_rule, conversions, feedback, tickets,"
                        + " tickets_from_window_sends, reviews, avg_sentiment, baseline_feedback, baseline_avg_sentiment,"
                        + " sample_negative_feedback_ids, scorer_version) VALUES ('%s',"
                        + " timestamptz '2026-11-20 00:00Z' + interval '%d hours',"
                        + " timestamptz '2026-11-20 00:00Z' + interval '%d hours', 'Campaign %s', %d, %d, %d, %s, '{}', 1,"
                        + " %d, 2, 2, 1, %s, 100, %s, '[]', 'v')",
                campaign,
                endHour,
                endHour - 24,
                campaign,
                sends,
                misfired,
                misfired,
                lastSent == null ? "NULL" : "timestamptz '" + lastSent + "'",
                feedback,
                sentiment == null ? "NULL" : sentiment.toString(),
                baseline));
    }

    @Test
    void theLatestWindowThatEndedByTheNewestEventWithLifetimeTotalsOfTilingWindows() throws Exception {
        // Windows ending every 12 h from day 1 00:00 (hour 24) to day 3 00:00 (hour 72); the data ends at
        // day 2 07:00 (hour 55), so the windows ending at hours 60 and 72 were only closed by the end of a
        // bounded run, and would still be growing in a live one.
        window("C1", 24, 100, 5, 30, -0.10, -0.05, "2026-11-20 20:00Z");
        window("C1", 36, 150, 6, 30, -0.20, -0.05, "2026-11-21 10:00Z");
        window("C1", 48, 120, 4, 40, -0.40, -0.10, "2026-11-21 23:00Z");
        window("C1", 60, 20, 1, 10, -0.50, -0.10, "2026-11-22 02:00Z");
        window("C1", 72, 0, 0, 3, -0.60, -0.10, null);
        run(
                "INSERT INTO feedback_scores VALUES ('f1', 'TICKET', 'c1', 'C1', 'LAST_SEND', -0.5, 'TEXT', NULL, NULL, 'v',"
                        + " timestamptz '2026-11-22 07:00Z'), ('f2', 'REVIEW', 'c2', 'C1', 'EXPLICIT', 0.1, 'TEXT', 4, NULL, 'v',"
                        + " timestamptz '2026-11-21 12:00Z');"
                        + "INSERT INTO misfires VALUES ('s1', 'NO_CONSENT', 'C1', 'c', 'd', now(), now()),"
                        + " ('s2', 'NO_CONSENT', 'C1', 'c', 'd', now(), now()), ('s3', 'DUPLICATE_SEND', 'C1', 'c', 'd', now(), now())");

        List<String> row = query("SELECT window_end, feedback, round(avg_sentiment::numeric, 2),"
                + " round(sentiment_vs_baseline::numeric, 2), trend_basis, round(sentiment_trend::numeric, 2),"
                + " sentiment_direction, sentiment_confidence, lifetime_sends, lifetime_misfired_sends,"
                + " lifetime_misfires_by_rule, round(lifetime_avg_sentiment::numeric, 2), lifetime_scored_feedback"
                + " FROM campaign_scorecard WHERE campaign_id = 'C1'");

        assertThat(row)
                .containsExactly(
                        "2026-11-22 00:00:00+00", // hour 48: the newest event is at hour 55
                        "40",
                        "-0.40",
                        "-0.30",
                        "previous window", // the window ending 24 h earlier (hour 24) had 30 feedback
                        "-0.30",
                        "falling",
                        "ok",
                        "220", // the windows that tile time: hours 0-24 (100), 24-48 (120), 48-72 (0)
                        "9",
                        "{\"NO_CONSENT\": 2, \"DUPLICATE_SEND\": 1}",
                        "-0.20",
                        "2");
    }

    @Test
    void belowTheMinimumFeedbackSentimentIsInsufficientDataAndWithoutAPreviousWindowTheTrendIsAgainstTheBaseline()
            throws Exception {
        window("C2", 24, 100, 0, 8, 0.50, -0.05, "2026-11-20 20:00Z"); // the campaign's first day: no previous window
        window("C3", 24, 50, 0, 25, 0.30, -0.05, "2026-11-20 21:00Z");
        window("C3", 48, 50, 0, 12, -0.90, -0.05, "2026-11-21 21:00Z");
        newestEventAt("2026-11-22 01:00Z");

        assertThat(query("SELECT campaign_id, avg_sentiment, sentiment_confidence, sentiment_direction, trend_basis"
                        + " FROM campaign_scorecard WHERE campaign_id = 'C2'"))
                .containsExactly("C2", null, "insufficient data: 8 feedback, fewer than 20", "insufficient data", null);
        assertThat(
                        query(
                                "SELECT sentiment_direction, sentiment_confidence FROM campaign_scorecard WHERE campaign_id = 'C3'"))
                .as("12 feedback is not enough, however far the average fell")
                .containsExactly("insufficient data", "insufficient data: 12 feedback, fewer than 20");

        run("UPDATE scorecard_settings SET min_feedback = 5");
        assertThat(query("SELECT round(avg_sentiment::numeric, 2), trend_basis, round(sentiment_trend::numeric, 2),"
                        + " sentiment_direction FROM campaign_scorecard WHERE campaign_id = 'C2'"))
                .containsExactly("0.50", "baseline", "0.55", "rising");
        assertThat(query("SELECT trend_basis, round(sentiment_trend::numeric, 2), sentiment_direction"
                        + " FROM campaign_scorecard WHERE campaign_id = 'C3'"))
                .containsExactly("previous window", "-1.20", "falling");
    }

    @Test
    void aCampaignWhoseOnlyWindowEndsAfterTheNewestEventStillHasItsRow() throws Exception {
        window("C1", 24, 100, 0, 30, 0.1, 0.0, "2026-11-20 23:00Z");
        window("C4", 36, 10, 0, 1, 0.1, 0.0, "2026-11-20 23:30Z"); // ends at day 1 12:00, after the newest event
        newestEventAt("2026-11-21 01:00Z");

        assertThat(query("SELECT campaign_id, window_end FROM campaign_scorecard ORDER BY campaign_id"))
                .containsExactly("C1", "2026-11-21 00:00:00+00", "C4", "2026-11-21 12:00:00+00");
    }

    @Test
    void pulseMigrateWritesTheConfiguredMinimum() throws Exception {
        PostgresMigrations.migrate(Fixtures.config(Map.of(
                        "postgres.url", url, "postgres.username", "postgres", "postgres.scorecard-min-feedback", "7"))
                .postgres());

        assertThat(query("SELECT min_feedback FROM scorecard_settings")).containsExactly("7");
    }

    /** A review with no campaign: the newest event the tables know of. */
    private static void newestEventAt(String at) throws Exception {
        run("INSERT INTO feedback_scores VALUES ('newest', 'REVIEW', NULL, NULL, 'NONE', 0, 'TEXT', 3, NULL, 'v',"
                + " timestamptz '" + at + "')");
    }

    private static List<String> query(String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = connect();
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery(sql)) {
            while (r.next()) {
                for (int i = 1; i <= r.getMetaData().getColumnCount(); i++) {
                    out.add(r.getString(i));
                }
            }
        }
        return out;
    }

    private static void run(String sql) throws Exception {
        try (Connection c = connect();
                Statement s = c.createStatement()) {
            s.execute("SET TIME ZONE 'UTC'; " + sql);
        }
    }

    private static Connection connect() throws Exception {
        Properties props = new Properties();
        props.setProperty("user", "postgres");
        props.setProperty("options", "-c TimeZone=UTC");
        return new Driver().connect(url, props);
    }
}
