package io.campaignpulse.sink;

import io.campaignpulse.attribution.AttributedFeedback;
import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.contract.Alert;
import io.campaignpulse.contract.Campaign;
import io.campaignpulse.contract.CampaignStats;
import io.campaignpulse.contract.ControlAudit;
import io.campaignpulse.contract.DeadLetter;
import io.campaignpulse.contract.Misfire;
import io.campaignpulse.contract.Suppression;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.bridge.java.StreamStatementSet;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.api.config.ExecutionConfigOptions;
import org.apache.flink.table.data.RowData;

/**
 * PostgreSQL output through Flink's JDBC connector (Table API; its table sink wrapped by
 * {@link PostgresUpsertSinkFactory} so a failing task's clean-up cannot take the TaskManager
 * down): each table is declared with
 * its primary key, so the PostgreSQL dialect writes {@code INSERT ... ON CONFLICT DO UPDATE}
 * and a replay or a restart never duplicates a row. The tables themselves are created and
 * upgraded by the versioned migrations of {@link PostgresMigrations}.
 */
public final class PostgresOutputs {

    private final PulseConfig.Postgres config;
    private StreamTableEnvironment tables;
    private StreamStatementSet inserts;

    public PostgresOutputs(PulseConfig.Postgres config) {
        this.config = config;
    }

    public void campaigns(DataStream<Campaign> campaigns) {
        insert(campaigns, PostgresTables.CAMPAIGNS, "postgres-campaign-rows", "campaigns");
    }

    public void misfires(DataStream<Misfire> misfires) {
        insert(misfires, PostgresTables.MISFIRES, "postgres-misfire-rows", "misfires");
    }

    public void alerts(DataStream<Alert> alerts) {
        insert(alerts, PostgresTables.ALERTS, "postgres-alert-rows", "alerts");
    }

    public void deadLetters(DataStream<DeadLetter> deadLetters) {
        insert(deadLetters, PostgresTables.DEAD_LETTERS, "postgres-dead-letter-rows", "dead letters");
    }

    public void campaignStats(DataStream<CampaignStats> stats) {
        insert(stats, PostgresTables.CAMPAIGN_STATS, "postgres-campaign-stats-rows", "campaign stats");
    }

    public void suppressions(DataStream<Suppression> suppressions) {
        insert(suppressions, PostgresTables.SUPPRESSIONS, "postgres-suppression-rows", "suppressions");
    }

    public void controlAudit(DataStream<ControlAudit> audit) {
        insert(audit, PostgresTables.CONTROL_AUDIT, "postgres-control-audit-rows", "control audit");
    }

    public void feedbackScores(DataStream<AttributedFeedback> feedback) {
        insert(feedback, PostgresTables.FEEDBACK_SCORES, "postgres-feedback-score-rows", "feedback scores");
    }

    /**
     * Records to rows (a stateless map with a stable uid), then an upsert into the table on its
     * primary key: in a task of its own, never chained to the step that produces the records. The
     * JDBC writer sends each full batch in the thread that hands it a row and waits for PostgreSQL's
     * answer, and a row handed to it while its timer flushes waits for that flush: chained to the
     * per-customer step, those waits held up the job's busiest thread.
     */
    private <T> void insert(DataStream<T> records, OutputTable<T> table, String uid, String what) {
        DataStream<RowData> rows = records.map(table::row, table.rowType())
                .startNewChain()
                .uid(uid)
                .name("PostgreSQL rows: " + what);
        insert(rows, table.name(), table.flinkColumns());
    }

    private void insert(DataStream<RowData> rows, String table, String columns) {
        if (tables == null) {
            tables = StreamTableEnvironment.create(rows.getExecutionEnvironment());
            // Uids for the planner's operators too (all stateless: DataStream-to-Table, Calc,
            // NOT NULL enforcement, the JDBC writer), so no operator in the job graph is unnamed.
            tables.getConfig()
                    .set(ExecutionConfigOptions.TABLE_EXEC_UID_GENERATION, ExecutionConfigOptions.UidGeneration.ALWAYS);
            tables.getConfig().set(ExecutionConfigOptions.TABLE_EXEC_UID_FORMAT, "postgres-<id>_<transformation>");
            inserts = tables.createStatementSet();
        }
        String sinkTable = "postgres_" + table;
        tables.executeSql("CREATE TEMPORARY TABLE " + sinkTable + " (" + columns + ") WITH ("
                + option("connector", PostgresUpsertSinkFactory.IDENTIFIER)
                + "," + option("url", jdbcUrl(config.url()))
                + "," + option("table-name", table)
                + "," + option("username", config.username())
                // The connector wants both or neither; an empty password suits trust authentication.
                + "," + option("password", config.password() == null ? "" : config.password())
                + "," + option("sink.buffer-flush.max-rows", Integer.toString(config.batchSize()))
                + ","
                + option("sink.buffer-flush.interval", config.batchInterval().toMillis() + "ms")
                + "," + option("sink.max-retries", Integer.toString(config.maxRetries()))
                + ")");
        Table source = tables.fromDataStream(rows);
        inserts.add(source.insertInto(sinkTable));
    }

    /** Adds the inserts to the job graph; call once, after the last table. */
    public void attach() {
        if (inserts != null) {
            inserts.attachAsDataStream();
        }
    }

    /**
     * The sinks' URL. jsonb columns receive text: stringtype=unspecified lets PostgreSQL cast it,
     * instead of refusing "character varying" for jsonb. logServerErrorDetail=false keeps the
     * statement's values (record content) and the server's detail out of exception messages, which
     * the JDBC connector logs at ERROR for every failed batch. reWriteBatchedInserts=true sends a
     * batch of upserts as a few multi-row INSERT ... ON CONFLICT statements instead of one statement
     * per row: a multi-row statement may not touch one key twice, and the connector's buffer holds
     * each key once (the last change wins). A URL that sets any of them keeps its own.
     */
    static String jdbcUrl(String url) {
        String sinkUrl = url;
        if (!sinkUrl.contains("stringtype=")) {
            sinkUrl += (sinkUrl.contains("?") ? "&" : "?") + "stringtype=unspecified";
        }
        if (!sinkUrl.contains("logServerErrorDetail=")) {
            sinkUrl += "&logServerErrorDetail=false";
        }
        if (!sinkUrl.contains("reWriteBatchedInserts=")) {
            sinkUrl += "&reWriteBatchedInserts=true";
        }
        return sinkUrl;
    }

    private static String option(String key, String value) {
        return "'" + key + "' = '" + value.replace("'", "''") + "'";
    }
}
