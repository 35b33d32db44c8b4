package io.campaignpulse.sink;

import io.campaignpulse.attribution.AttributedFeedback;
import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.contract.Alert;
import io.campaignpulse.contract.CampaignStats;
import io.campaignpulse.contract.ControlAudit;
import io.campaignpulse.contract.DeadLetter;
import io.campaignpulse.contract.Misfire;
import io.campaignpulse.contract.Suppression;
import io.campaignpulse.ingest.AvroJson;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.bridge.java.StreamStatementSet;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.api.config.ExecutionConfigOptions;
import org.apache.flink.types.Row;
import org.postgresql.Driver;

/**
 * PostgreSQL output through Flink's JDBC connector (Table API): each table is declared with
 * its primary key, so the PostgreSQL dialect writes {@code INSERT ... ON CONFLICT DO UPDATE}
 * and a replay or a restart never duplicates a row. The tables themselves are created by
 * {@link #createTables} from {@code postgres-schema.sql}.
 */
public final class PostgresOutputs {

    private final PulseConfig.Postgres config;
    private StreamTableEnvironment tables;
    private StreamStatementSet inserts;

    public PostgresOutputs(PulseConfig.Postgres config) {
        this.config = config;
    }

    public void misfires(DataStream<Misfire> misfires) {
        TypeInformation<Row> type = Types.ROW_NAMED(
                new String[] {"send_id", "rule", "campaign_id", "customer_id", "detail", "sent_at", "detected_at"},
                Types.STRING,
                Types.STRING,
                Types.STRING,
                Types.STRING,
                Types.STRING,
                Types.LOCAL_DATE_TIME,
                Types.LOCAL_DATE_TIME);
        DataStream<Row> rows = misfires.map(
                        m -> Row.of(
                                m.getSendId(),
                                m.getRule().name(),
                                m.getCampaignId(),
                                m.getCustomerId(),
                                m.getDetail(),
                                local(m.getSentAt()),
                                local(m.getDetectedAt())),
                        type)
                .uid("postgres-misfire-rows")
                .name("PostgreSQL rows: misfires");
        insert(rows, "misfires", """
                send_id STRING NOT NULL, rule STRING NOT NULL, campaign_id STRING, customer_id STRING, detail STRING,
                sent_at TIMESTAMP(3), detected_at TIMESTAMP(3), PRIMARY KEY (send_id, rule) NOT ENFORCED""");
    }

    public void alerts(DataStream<Alert> alerts) {
        TypeInformation<Row> type = Types.ROW_NAMED(
                new String[] {
                    "alert_id",
                    "kind",
                    "severity",
                    "campaign_id",
                    "campaign_name",
                    "title",
                    "detail",
                    "metrics",
                    "window_start",
                    "window_end",
                    "detected_at",
                    "state",
                    "sequence",
                    "owner",
                    "rule",
                    "count_total",
                    "count_since_last",
                    "example_ids",
                    "example_customer_ids",
                    "suggested_action"
                },
                Types.STRING,
                Types.STRING,
                Types.STRING,
                Types.STRING,
                Types.STRING,
                Types.STRING,
                Types.STRING,
                Types.STRING,
                Types.LOCAL_DATE_TIME,
                Types.LOCAL_DATE_TIME,
                Types.LOCAL_DATE_TIME,
                Types.STRING,
                Types.INT,
                Types.STRING,
                Types.STRING,
                Types.LONG,
                Types.LONG,
                Types.STRING,
                Types.STRING,
                Types.STRING);
        DataStream<Row> rows = alerts.map(
                        a -> Row.of(
                                a.getAlertId(),
                                a.getKind().name(),
                                a.getSeverity().name(),
                                a.getCampaignId(),
                                a.getCampaignName(),
                                a.getTitle(),
                                a.getDetail(),
                                AvroJson.MAPPER.writeValueAsString(new TreeMap<>(a.getMetrics())),
                                local(a.getWindowStart()),
                                local(a.getWindowEnd()),
                                local(a.getDetectedAt()),
                                a.getState().name(),
                                a.getSequence(),
                                a.getOwner(),
                                a.getRule(),
                                a.getCountTotal(),
                                a.getCountSinceLast(),
                                AvroJson.MAPPER.writeValueAsString(a.getExampleIds()),
                                AvroJson.MAPPER.writeValueAsString(a.getExampleCustomerIds()),
                                a.getSuggestedAction()),
                        type)
                .uid("postgres-alert-rows")
                .name("PostgreSQL rows: alerts");
        // One row per incident: each message upserts it, so the row holds the incident's latest state.
        insert(rows, "alerts", """
                alert_id STRING NOT NULL, kind STRING, severity STRING, campaign_id STRING, campaign_name STRING, title STRING,
                detail STRING, metrics STRING, window_start TIMESTAMP(3), window_end TIMESTAMP(3),
                detected_at TIMESTAMP(3), state STRING, sequence INT, owner STRING, rule STRING, count_total BIGINT, count_since_last BIGINT,
                example_ids STRING, example_customer_ids STRING, suggested_action STRING, PRIMARY KEY (alert_id) NOT ENFORCED""");
    }

    public void deadLetters(DataStream<DeadLetter> deadLetters) {
        TypeInformation<Row> type = Types.ROW_NAMED(
                new String[] {
                    "source_topic",
                    "source_partition",
                    "source_offset",
                    "reason",
                    "key",
                    "payload",
                    "detail",
                    "detected_at"
                },
                Types.STRING,
                Types.INT,
                Types.LONG,
                Types.STRING,
                Types.PRIMITIVE_ARRAY(Types.BYTE),
                Types.PRIMITIVE_ARRAY(Types.BYTE),
                Types.STRING,
                Types.LOCAL_DATE_TIME);
        DataStream<Row> rows = deadLetters
                .map(
                        d -> Row.of(
                                d.getSourceTopic(),
                                d.getSourcePartition(),
                                d.getSourceOffset(),
                                d.getReason().name(),
                                bytes(d.getKey()),
                                bytes(d.getPayload()),
                                d.getDetail(),
                                local(d.getDetectedAt())),
                        type)
                .uid("postgres-dead-letter-rows")
                .name("PostgreSQL rows: dead letters");
        insert(rows, "dead_letters", """
                source_topic STRING NOT NULL, source_partition INT NOT NULL, source_offset BIGINT NOT NULL, reason STRING NOT NULL,
                `key` BYTES, payload BYTES, detail STRING, detected_at TIMESTAMP(3),
                PRIMARY KEY (source_topic, source_partition, source_offset, reason) NOT ENFORCED""");
    }

    public void campaignStats(DataStream<CampaignStats> stats) {
        String[] names = {
            "campaign_id",
            "window_end",
            "window_start",
            "campaign_name",
            "sends",
            "misfires",
            "misfires_by_rule",
            "conversions",
            "feedback",
            "tickets",
            "reviews",
            "avg_sentiment",
            "negative_share",
            "positive_share",
            "avg_rating",
            "avg_csat",
            "tickets_per_1000_sends",
            "baseline_feedback",
            "baseline_avg_sentiment",
            "baseline_negative_share",
            "baseline_tickets_per_1000_sends",
            "sample_negative_feedback_ids",
            "scorer_version",
            "misfired_sends",
            "last_sent_at",
            "tickets_from_window_sends"
        };
        TypeInformation<Row> type = Types.ROW_NAMED(
                names,
                Types.STRING,
                Types.LOCAL_DATE_TIME,
                Types.LOCAL_DATE_TIME,
                Types.STRING,
                Types.LONG,
                Types.LONG,
                Types.STRING,
                Types.LONG,
                Types.LONG,
                Types.LONG,
                Types.LONG,
                Types.DOUBLE,
                Types.DOUBLE,
                Types.DOUBLE,
                Types.DOUBLE,
                Types.DOUBLE,
                Types.DOUBLE,
                Types.LONG,
                Types.DOUBLE,
                Types.DOUBLE,
                Types.DOUBLE,
                Types.STRING,
                Types.STRING,
                Types.LONG,
                Types.LOCAL_DATE_TIME,
                Types.LONG);
        DataStream<Row> rows = stats.map(
                        s -> Row.of(
                                s.getCampaignId(),
                                local(s.getWindowEnd()),
                                local(s.getWindowStart()),
                                s.getCampaignName(),
                                s.getSends(),
                                s.getMisfires(),
                                AvroJson.MAPPER.writeValueAsString(new TreeMap<>(s.getMisfiresByRule())),
                                s.getConvertedRecipients(),
                                s.getFeedback(),
                                s.getTickets(),
                                s.getReviews(),
                                s.getAvgSentiment(),
                                s.getNegativeShare(),
                                s.getPositiveShare(),
                                s.getAvgRating(),
                                s.getAvgCsat(),
                                s.getTicketsPer1000Sends(),
                                s.getBaselineFeedback(),
                                s.getBaselineAvgSentiment(),
                                s.getBaselineNegativeShare(),
                                s.getBaselineTicketsPer1000Sends(),
                                AvroJson.MAPPER.writeValueAsString(s.getSampleNegativeFeedbackIds()),
                                s.getScorerVersion(),
                                s.getMisfiredSends(),
                                s.getLastSentAt() == null ? null : local(s.getLastSentAt()),
                                s.getTicketsFromWindowSends()),
                        type)
                .uid("postgres-campaign-stats-rows")
                .name("PostgreSQL rows: campaign stats");
        insert(rows, "campaign_stats", """
                campaign_id STRING NOT NULL, window_end TIMESTAMP(3) NOT NULL, window_start TIMESTAMP(3), campaign_name STRING,
                sends BIGINT, misfires BIGINT, misfires_by_rule STRING, conversions BIGINT, feedback BIGINT, tickets BIGINT,
                reviews BIGINT, avg_sentiment DOUBLE, negative_share DOUBLE, positive_share DOUBLE, avg_rating DOUBLE, avg_csat DOUBLE,
                tickets_per_1000_sends DOUBLE, baseline_feedback BIGINT, baseline_avg_sentiment DOUBLE, baseline_negative_share DOUBLE,
                baseline_tickets_per_1000_sends DOUBLE, sample_negative_feedback_ids STRING, scorer_version STRING,
                misfired_sends BIGINT, last_sent_at TIMESTAMP(3), tickets_from_window_sends BIGINT,
                PRIMARY KEY (campaign_id, window_end) NOT ENFORCED""");
    }

    /** One row per entry, upserted: a retraction sets active = false and retracted_at. */
    public void suppressions(DataStream<Suppression> suppressions) {
        String[] names = {
            "campaign_id", "customer_id", "reason", "active", "since", "send_id", "changed_at", "retracted_at", "detail"
        };
        TypeInformation<Row> type = Types.ROW_NAMED(
                names,
                Types.STRING,
                Types.STRING,
                Types.STRING,
                Types.BOOLEAN,
                Types.LOCAL_DATE_TIME,
                Types.STRING,
                Types.LOCAL_DATE_TIME,
                Types.LOCAL_DATE_TIME,
                Types.STRING);
        DataStream<Row> rows = suppressions
                .map(
                        s -> Row.of(
                                s.getCampaignId(),
                                s.getCustomerId(),
                                s.getReason().name(),
                                s.getActive(),
                                local(s.getSince()),
                                s.getSendId(),
                                local(s.getChangedAt()),
                                s.getActive() ? null : local(s.getChangedAt()),
                                s.getDetail()),
                        type)
                .uid("postgres-suppression-rows")
                .name("PostgreSQL rows: suppressions");
        insert(rows, "suppressions", """
                campaign_id STRING NOT NULL, customer_id STRING NOT NULL, reason STRING NOT NULL, active BOOLEAN, since TIMESTAMP(3),
                send_id STRING, changed_at TIMESTAMP(3), retracted_at TIMESTAMP(3), detail STRING,
                PRIMARY KEY (campaign_id, customer_id, reason) NOT ENFORCED""");
    }

    /** One row per control message (its id is the key), accepted or rejected. */
    public void controlAudit(DataStream<ControlAudit> audit) {
        String[] names = {
            "control_id", "scope", "target", "settings", "author", "reason", "issued_at", "accepted", "rejection"
        };
        TypeInformation<Row> type = Types.ROW_NAMED(
                names,
                Types.STRING,
                Types.STRING,
                Types.STRING,
                Types.STRING,
                Types.STRING,
                Types.STRING,
                Types.LOCAL_DATE_TIME,
                Types.BOOLEAN,
                Types.STRING);
        DataStream<Row> rows = audit.map(
                        a -> Row.of(
                                a.getControlId(),
                                a.getScope(),
                                a.getTarget(),
                                AvroJson.MAPPER.writeValueAsString(new TreeMap<>(a.getSettings())),
                                a.getAuthor(),
                                a.getReason(),
                                local(a.getIssuedAt()),
                                a.getAccepted(),
                                a.getRejection()),
                        type)
                .uid("postgres-control-audit-rows")
                .name("PostgreSQL rows: control audit");
        insert(rows, "control_audit", """
                control_id STRING NOT NULL, `scope` STRING, `target` STRING, settings STRING, author STRING, reason STRING,
                issued_at TIMESTAMP(3), accepted BOOLEAN, rejection STRING, PRIMARY KEY (control_id) NOT ENFORCED""");
    }

    public void feedbackScores(DataStream<AttributedFeedback> feedback) {
        String[] names = {
            "feedback_id",
            "kind",
            "customer_id",
            "campaign_id",
            "attributed_by",
            "score",
            "score_source",
            "rating",
            "csat",
            "scorer_version",
            "occurred_at"
        };
        TypeInformation<Row> type = Types.ROW_NAMED(
                names,
                Types.STRING,
                Types.STRING,
                Types.STRING,
                Types.STRING,
                Types.STRING,
                Types.DOUBLE,
                Types.STRING,
                Types.INT,
                Types.INT,
                Types.STRING,
                Types.LOCAL_DATE_TIME);
        DataStream<Row> rows = feedback.map(
                        f -> Row.of(
                                f.getFeedbackId(),
                                f.getKind(),
                                f.getCustomerId(),
                                f.getCampaignId(),
                                f.getAttributedBy(),
                                f.getScore(),
                                f.getScoreSource(),
                                f.getRating(),
                                f.getCsat(),
                                f.getScorerVersion(),
                                local(Instant.ofEpochMilli(f.getOccurredAt()))),
                        type)
                .uid("postgres-feedback-score-rows")
                .name("PostgreSQL rows: feedback scores");
        insert(rows, "feedback_scores", """
                feedback_id STRING NOT NULL, kind STRING, customer_id STRING, campaign_id STRING, attributed_by STRING, score DOUBLE,
                score_source STRING, rating INT, csat INT, scorer_version STRING, occurred_at TIMESTAMP(3),
                PRIMARY KEY (feedback_id) NOT ENFORCED""");
    }

    private void insert(DataStream<Row> rows, String table, String columns) {
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
                + option("connector", "jdbc")
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
     * jsonb columns receive text: stringtype=unspecified lets PostgreSQL cast it, instead of
     * refusing "character varying" for jsonb.
     */
    static String jdbcUrl(String url) {
        if (url.contains("stringtype=")) {
            return url;
        }
        return url + (url.contains("?") ? "&" : "?") + "stringtype=unspecified";
    }

    private static String option(String key, String value) {
        return "'" + key + "' = '" + value.replace("'", "''") + "'";
    }

    /**
     * The JDBC connector writes TIMESTAMP values with {@code Timestamp.valueOf(localDateTime)},
     * i.e. in this JVM's zone, and the driver sends them with this zone's offset; so a local
     * time in the same zone round-trips to the exact instant in the timestamptz columns.
     * (TIMESTAMP_LTZ, the natural type, is refused by the connector's converter.)
     */
    private static LocalDateTime local(Instant instant) {
        return LocalDateTime.ofInstant(instant, ZoneId.systemDefault());
    }

    private static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        ByteBuffer copy = buffer.duplicate();
        byte[] out = new byte[copy.remaining()];
        copy.get(out);
        return out;
    }

    /** Creates the output tables if they do not exist (idempotent). */
    public static void createTables(String url, String user, String password) throws SQLException, IOException {
        String ddl;
        try (InputStream in = PostgresOutputs.class.getResourceAsStream("/campaign-pulse/postgres-schema.sql")) {
            ddl = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        // The driver class itself, not DriverManager: DriverManager registers drivers once per JVM,
        // from the first job's class loader, so a second job submitted to the same JobManager
        // would find "no suitable driver".
        Properties props = new Properties();
        props.setProperty("user", user);
        props.setProperty("password", password == null ? "" : password);
        try (Connection c = new Driver().connect(url, props);
                Statement s = c.createStatement()) {
            s.execute(ddl);
        }
    }
}
