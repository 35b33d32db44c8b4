package io.campaignpulse.sink;

import io.campaignpulse.config.PulseConfig;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Deletes the rows of the append-only tables that are older than {@code postgres.retention} says,
 * in batches, so a first prune of a large table neither holds one long transaction nor locks out
 * the job's upserts for long.
 */
public final class PostgresRetention {

    /** Rows deleted per statement (and transaction). */
    static final int BATCH = 10_000;

    /** A table and the time column its retention is measured by. */
    record Pruned(String table, String timeColumn, Duration keep) {}

    private PostgresRetention() {}

    static Pruned[] tables(PulseConfig.Retention retention) {
        return new Pruned[] {
            new Pruned("misfires", "sent_at", retention.misfires()),
            new Pruned("dead_letters", "detected_at", retention.deadLetters()),
            new Pruned("feedback_scores", "occurred_at", retention.feedbackScores()),
            new Pruned("campaign_stats", "window_end", retention.campaignStats())
        };
    }

    /** @return rows deleted per table (tables kept forever are absent) */
    public static Map<String, Long> prune(PulseConfig.Postgres config, Instant now) throws SQLException {
        PGSimpleDataSource dataSource =
                PostgresMigrations.dataSource(config.url(), config.username(), config.password());
        Map<String, Long> deleted = new LinkedHashMap<>();
        try (Connection c = dataSource.getConnection()) {
            for (Pruned t : tables(config.retention())) {
                if (t.keep().isZero()) {
                    continue;
                }
                // ctid batches: PostgreSQL has no DELETE ... LIMIT.
                String sql = "DELETE FROM " + t.table() + " WHERE ctid IN (SELECT ctid FROM " + t.table() + " WHERE "
                        + t.timeColumn() + " < ? LIMIT " + BATCH + ")";
                long total = 0;
                try (PreparedStatement delete = c.prepareStatement(sql)) {
                    delete.setTimestamp(1, Timestamp.from(now.minus(t.keep())));
                    int n;
                    do {
                        n = delete.executeUpdate();
                        total += n;
                    } while (n == BATCH);
                }
                deleted.put(t.table(), total);
            }
        }
        return deleted;
    }
}
