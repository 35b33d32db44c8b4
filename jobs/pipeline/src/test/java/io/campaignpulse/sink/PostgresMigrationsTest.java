package io.campaignpulse.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.campaignpulse.Fixtures;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.Driver;

/**
 * The versioned migrations on a real PostgreSQL: a fresh database, and databases created by earlier
 * releases' DDL with rows in them, each brought to the shape the job's sinks write (every declared
 * column, type and key), with every row kept and every table and column described.
 */
class PostgresMigrationsTest {

    @TempDir
    static Path work;

    private static EmbeddedPostgres postgres;

    @BeforeAll
    static void start() throws IOException {
        postgres = Fixtures.embeddedPostgres(work);
    }

    @AfterAll
    static void stop() throws IOException {
        postgres.close();
    }

    @Test
    void aFreshDatabaseGetsEveryVersionAndASecondRunChangesNothing() throws Exception {
        String url = database("fresh");

        MigrateResult first = PostgresMigrations.migrate(url, "postgres", null);
        MigrateResult second = PostgresMigrations.migrate(url, "postgres", null);

        assertThat(first.migrationsExecuted).isEqualTo(3);
        assertThat(first.targetSchemaVersion).isEqualTo("3");
        assertThat(second.migrationsExecuted).isZero();
        assertThat(history(url)).containsExactly("1 Success", "2 Success", "3 Success");
        theSinksCanWriteEveryTable(url);
        everyTableViewAndColumnIsDescribed(url);
    }

    @Test
    void theLastReleaseBeforeMigrationsIsUpgradedWithItsRowsKept() throws Exception {
        String url = database("last_release");
        run(url, resource("/postgres/ddl-last-release-before-migrations.sql"));
        run(url, """
                INSERT INTO misfires VALUES ('s1', 'NO_CONSENT', 'C1', 'cust-1', 'opted out', now(), now());
                INSERT INTO campaign_stats (campaign_id, window_end, window_start, sends, misfires, misfired_sends,
                    last_sent_at, misfires_by_rule, conversions, feedback, tickets, tickets_from_window_sends, reviews,
                    baseline_feedback, sample_negative_feedback_ids, scorer_version)
                VALUES ('C1', now(), now() - interval '1 day', 10, 1, 1, now() - interval '1 hour', '{"NO_CONSENT": 1}', 0, 0, 0, 0, 0, 0, '[]', 'v');
                """);

        MigrateResult result = PostgresMigrations.migrate(url, "postgres", null);

        assertThat(result.migrationsExecuted).isEqualTo(3);
        assertThat(history(url)).containsExactly("0 Baseline", "1 Success", "2 Success", "3 Success");
        assertThat(count(url, "misfires")).isEqualTo(1);
        assertThat(count(url, "campaign_stats")).isEqualTo(1);
        assertThat(count(url, "campaign_scorecard")).isEqualTo(1);
        theSinksCanWriteEveryTable(url);
        everyTableViewAndColumnIsDescribed(url);
    }

    @Test
    void aReleaseFromBeforeIncidentsSuppressionsAndCohortTicketsIsUpgradedToo() throws Exception {
        // The first release with roll-ups: campaign_stats without misfired_sends, last_sent_at and
        // tickets_from_window_sends; alerts without incidents; no suppressions or control audit.
        String url = database("first_rollups");
        run(url, resource("/postgres/ddl-first-roll-ups-release.sql"));
        run(url, """
                INSERT INTO campaign_stats (campaign_id, window_end, window_start, sends, misfires, misfires_by_rule,
                    conversions, feedback, tickets, reviews, baseline_feedback, sample_negative_feedback_ids,
                    scorer_version)
                VALUES ('C1', now(), now() - interval '1 day', 10, 1, '{}', 0, 0, 0, 0, 0, '[]', 'v');
                INSERT INTO alerts (alert_id, kind, severity, campaign_id, campaign_name, title, detail, metrics,
                    window_start, window_end, detected_at)
                VALUES ('a1', 'MISFIRE_RATE', 'WARNING', 'C1', 'One', 't', 'd', '{}', now(), now(), now());
                """);

        PostgresMigrations.migrate(url, "postgres", null);

        assertThat(query(url, "SELECT misfired_sends || ' ' || tickets_from_window_sends FROM campaign_stats"))
                .containsExactly("0 0");
        assertThat(query(url, "SELECT state || ' ' || sequence || ' ' || example_ids FROM alerts"))
                .containsExactly("OPENED 1 []");
        theSinksCanWriteEveryTable(url);
    }

    /** Every declared table has exactly the declared columns and key: what the JDBC sinks write. */
    private static void theSinksCanWriteEveryTable(String url) throws SQLException {
        for (OutputTable<?> table : PostgresTables.ALL) {
            Map<String, String> declared = new LinkedHashMap<>();
            table.columns().forEach(c -> declared.put(c.name(), c.type().postgres));
            Map<String, String> actual = new LinkedHashMap<>();
            for (String row : query(
                    url,
                    "SELECT column_name || '=' || data_type FROM information_schema.columns"
                            + " WHERE table_schema = 'public' AND table_name = '" + table.name() + "'")) {
                actual.put(row.substring(0, row.indexOf('=')), row.substring(row.indexOf('=') + 1));
            }
            assertThat(actual).as("columns of %s", table.name()).isEqualTo(declared);
            assertThat(query(
                            url,
                            "SELECT k.column_name FROM information_schema.table_constraints t"
                                    + " JOIN information_schema.key_column_usage k"
                                    + " ON k.constraint_name = t.constraint_name AND k.table_name = t.table_name"
                                    + " WHERE t.table_name = '" + table.name()
                                    + "' AND t.constraint_type = 'PRIMARY KEY'"
                                    + " ORDER BY k.ordinal_position"))
                    .as("primary key of %s", table.name())
                    .isEqualTo(table.primaryKey());
        }
    }

    private static void everyTableViewAndColumnIsDescribed(String url) throws SQLException {
        assertThat(query(
                        url,
                        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                                + " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v')"
                                + " AND c.relname <> '" + PostgresMigrations.HISTORY_TABLE + "'"
                                + " AND obj_description(c.oid, 'pg_class') IS NULL"))
                .as("tables and views without COMMENT ON")
                .isEmpty();
        assertThat(query(
                        url,
                        "SELECT c.relname || '.' || a.attname FROM pg_class c"
                                + " JOIN pg_namespace n ON n.oid = c.relnamespace"
                                + " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped"
                                + " WHERE n.nspname = 'public' AND c.relkind = 'r'"
                                + " AND c.relname <> '" + PostgresMigrations.HISTORY_TABLE + "'"
                                + " AND col_description(c.oid, a.attnum) IS NULL"))
                .as("columns without COMMENT ON")
                .isEmpty();
    }

    private static String database(String name) throws SQLException {
        try (Connection c = postgres.getPostgresDatabase().getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return postgres.getJdbcUrl("postgres", name);
    }

    private static List<String> history(String url) throws SQLException {
        return query(
                url,
                "SELECT version || ' ' || CASE WHEN type = 'BASELINE' THEN 'Baseline'"
                        + " WHEN success THEN 'Success' ELSE 'Failed' END FROM " + PostgresMigrations.HISTORY_TABLE
                        + " ORDER BY installed_rank");
    }

    private static long count(String url, String table) throws SQLException {
        return Long.parseLong(query(url, "SELECT count(*) FROM " + table).get(0));
    }

    private static List<String> query(String url, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = connect(url);
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery(sql)) {
            while (r.next()) {
                out.add(r.getString(1));
            }
        }
        return out;
    }

    private static void run(String url, String sql) throws SQLException {
        try (Connection c = connect(url);
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static Connection connect(String url) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", "postgres");
        return new Driver().connect(url, props);
    }

    private static String resource(String path) throws IOException {
        try (InputStream in = PostgresMigrationsTest.class.getResourceAsStream(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
