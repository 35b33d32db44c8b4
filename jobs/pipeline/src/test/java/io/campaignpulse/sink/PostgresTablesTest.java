package io.campaignpulse.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.campaignpulse.Fixtures;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The output tables' declarations against the migrated database, on a real PostgreSQL: the same
 * tables, the same columns with matching types, the same primary keys (the upserts' conflict
 * target). A column added to one and not the other fails here, not in production.
 */
class PostgresTablesTest {

    @TempDir
    static Path work;

    private static EmbeddedPostgres postgres;
    private static String url;

    @BeforeAll
    static void createTheSchema() throws Exception {
        postgres = Fixtures.embeddedPostgres(work);
        url = postgres.getJdbcUrl("postgres", "postgres");
        PostgresMigrations.migrate(url, "postgres", null);
        PostgresMigrations.migrate(url, "postgres", null); // idempotent
    }

    @AfterAll
    static void stop() throws Exception {
        postgres.close();
    }

    @Test
    void aFailedBatchOnTheSinksConnectionNeverQuotesTheRecordsValues() throws Exception {
        String marker = "RECORD-CONTENT-4f1c";
        // The plain URL: the driver puts the statement with its values into the exception, which
        // the JDBC connector logs at ERROR for every failed batch.
        assertThat(failedBatchMessages(url, marker)).contains(marker);
        assertThat(failedBatchMessages(PostgresOutputs.jdbcUrl(url), marker))
                .isNotBlank()
                .doesNotContain(marker);
    }

    @Test
    void theSinksConnectionSendsABatchOfUpsertsAsMultiRowStatements() throws Exception {
        Properties props = new Properties();
        props.setProperty("user", "postgres");
        try (Connection c = new org.postgresql.Driver().connect(PostgresOutputs.jdbcUrl(url), props)) {
            c.createStatement().execute("CREATE TEMPORARY TABLE upsert_probe (id int PRIMARY KEY, v text)");
            // The statement the connector's PostgreSQL dialect writes for a table with a primary key.
            String upsert =
                    "INSERT INTO upsert_probe (id, v) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET v = EXCLUDED.v";
            for (String v : List.of("first", "second")) {
                try (PreparedStatement s = c.prepareStatement(upsert)) {
                    for (int id = 1; id <= 8; id++) {
                        s.setInt(1, id);
                        s.setString(2, v + id);
                        s.addBatch();
                    }
                    // SUCCESS_NO_INFO for every row: the driver rewrote the batch (one statement per
                    // row would report each row's count). 8 rows: the driver packs powers of two.
                    assertThat(s.executeBatch()).containsOnly(java.sql.Statement.SUCCESS_NO_INFO);
                }
            }
            try (ResultSet r = c.createStatement().executeQuery("SELECT count(*), min(v), max(v) FROM upsert_probe")) {
                r.next();
                assertThat(r.getInt(1)).isEqualTo(8);
                assertThat(r.getString(2)).isEqualTo("second1");
                assertThat(r.getString(3)).isEqualTo("second8");
            }
        }
    }

    /** Every message of the exception chain of a batch that PostgreSQL refuses (a NULL in a NOT NULL column). */
    private static String failedBatchMessages(String jdbcUrl, String marker) throws Exception {
        Properties props = new Properties();
        props.setProperty("user", "postgres");
        try (Connection c = new org.postgresql.Driver().connect(jdbcUrl, props);
                PreparedStatement s = c.prepareStatement("INSERT INTO dead_letters (source_topic, source_partition,"
                        + " source_offset, reason, detail, detected_at) VALUES (?, 0, 1, NULL, ?, now())")) {
            s.setString(1, marker);
            s.setString(2, marker);
            s.addBatch();
            s.executeBatch();
            throw new AssertionError("the batch was expected to fail");
        } catch (SQLException e) {
            StringBuilder messages = new StringBuilder();
            for (Throwable t = e; t != null; t = t.getCause()) {
                messages.append(t.getMessage()).append('\n');
            }
            for (SQLException next = e.getNextException(); next != null; next = next.getNextException()) {
                messages.append(next.getMessage()).append('\n');
            }
            return messages.toString();
        }
    }

    @Test
    void everyTableOfTheSchemaIsDeclaredAndNoOther() throws Exception {
        // Views (the scorecard) are read by BI tools, not written by the job; the migrations' history is
        // Flyway's, and the scorecard's settings are written by 'pulse migrate'.

        List<String> tables = query(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
                        + " AND table_name NOT IN ('" + PostgresMigrations.HISTORY_TABLE + "', 'scorecard_settings')"
                        + " ORDER BY 1");
        assertThat(tables)
                .containsExactlyInAnyOrderElementsOf(
                        PostgresTables.ALL.stream().map(OutputTable::name).toList());
    }

    @Test
    void eachDeclarationHasTheSchemasColumnsTypesAndPrimaryKey() throws Exception {
        for (OutputTable<?> table : PostgresTables.ALL) {
            Map<String, String> declared = new LinkedHashMap<>();
            table.columns().forEach(c -> declared.put(c.name(), c.type().postgres));
            Map<String, String> actual = new LinkedHashMap<>();
            try (Connection c = postgres.getPostgresDatabase().getConnection();
                    PreparedStatement s =
                            c.prepareStatement("SELECT column_name, data_type FROM information_schema.columns"
                                    + " WHERE table_schema = 'public' AND table_name = ? ORDER BY ordinal_position")) {
                s.setString(1, table.name());
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        actual.put(r.getString(1), r.getString(2));
                    }
                }
            }
            assertThat(declared).as("columns and types of %s", table.name()).isEqualTo(actual);
            assertThat(table.primaryKey())
                    .as("primary key of %s", table.name())
                    .isEqualTo(query(
                            "SELECT k.column_name FROM information_schema.table_constraints t"
                                    + " JOIN information_schema.key_column_usage k"
                                    + " ON k.constraint_name = t.constraint_name AND k.table_name = t.table_name"
                                    + " WHERE t.table_name = ? AND t.constraint_type = 'PRIMARY KEY'"
                                    + " ORDER BY k.ordinal_position",
                            table.name()));
            assertThat(table.rowType().toRowSize()).isEqualTo(actual.size());
        }
    }

    private static List<String> query(String sql, String... params) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = postgres.getPostgresDatabase().getConnection();
                PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setString(i + 1, params[i]);
            }
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(r.getString(1));
                }
            }
        }
        return out;
    }
}
