package io.campaignpulse.sink;

import static io.campaignpulse.Fixtures.config;
import static org.assertj.core.api.Assertions.assertThat;

import io.campaignpulse.Fixtures;
import io.campaignpulse.config.PulseConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** 'pulse prune': rows past their table's retention go, in batches; newer rows and kept tables stay. */
class PostgresRetentionTest {

    @TempDir
    Path work;

    @Test
    void rowsOlderThanEachTablesRetentionAreDeletedInBatchesAndNothingElse() throws Exception {
        try (EmbeddedPostgres postgres = Fixtures.embeddedPostgres(work);
                Connection c = postgres.getPostgresDatabase().getConnection();
                Statement s = c.createStatement()) {
            String url = postgres.getJdbcUrl("postgres", "postgres");
            PostgresMigrations.migrate(url, "postgres", null);
            // 25,000 misfires a year old (three batches), 10 from yesterday; dead letters 40 and
            // 10 days old; feedback kept forever in this configuration.
            s.execute("""
                    INSERT INTO misfires SELECT 'old-' || i, 'NO_CONSENT', 'C1', 'c', 'd',
                        now() - interval '500 days', now() FROM generate_series(1, 25000) i;
                    INSERT INTO misfires SELECT 'new-' || i, 'NO_CONSENT', 'C1', 'c', 'd',
                        now() - interval '1 day', now() FROM generate_series(1, 10) i;
                    INSERT INTO dead_letters VALUES ('t', 0, 1, 'DECODE_ERROR', NULL, NULL, 'x', now() - interval '40 days'),
                                                    ('t', 0, 2, 'DECODE_ERROR', NULL, NULL, 'x', now() - interval '10 days');
                    INSERT INTO feedback_scores VALUES ('f1', 'REVIEW', NULL, NULL, 'NONE', 0.5, 'TEXT', 5, NULL, 'v',
                        now() - interval '900 days');
                    INSERT INTO campaigns VALUES ('C1', 'One', 'UPSELL', NULL, 'EMAIL', NULL, now() - interval '900 days',
                        NULL, now() - interval '900 days');
                    """);
            PulseConfig.Postgres config = config(Map.of(
                            "postgres.url", url,
                            "postgres.username", "postgres",
                            "postgres.retention.feedback-scores", "0d"))
                    .postgres();

            Map<String, Long> deleted = PostgresRetention.prune(config, Instant.now());

            assertThat(deleted)
                    .containsEntry("misfires", 25_000L)
                    .containsEntry("dead_letters", 1L)
                    .containsEntry("campaign_stats", 0L)
                    .doesNotContainKey("feedback_scores");
            assertThat(count(s, "misfires WHERE send_id LIKE 'new-%'")).isEqualTo(10);
            assertThat(count(s, "misfires")).isEqualTo(10);
            assertThat(count(s, "dead_letters")).isEqualTo(1);
            assertThat(count(s, "feedback_scores")).isEqualTo(1);
            assertThat(count(s, "campaigns")).isEqualTo(1);
        }
    }

    private static long count(Statement s, String from) throws Exception {
        try (ResultSet r = s.executeQuery("SELECT count(*) FROM " + from)) {
            r.next();
            return r.getLong(1);
        }
    }
}
