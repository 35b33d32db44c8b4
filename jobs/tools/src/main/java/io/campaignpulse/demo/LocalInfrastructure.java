package io.campaignpulse.demo;

import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.sink.PostgresOutputs;
import io.campaignpulse.source.TopicLayout;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real Kafka broker (KRaft, single combined node) and a real PostgreSQL, started inside this
 * JVM from Maven artifacts on free loopback ports: the demo's and the tests' stand-in for the
 * production stack. Not part of the job jar.
 */
public final class LocalInfrastructure implements AutoCloseable {

    public static final String POSTGRES_USER = "postgres";

    private final KafkaClusterTestKit kafka;
    private EmbeddedPostgres postgres;
    private final Path postgresDir;
    private final int postgresPortNumber;

    private LocalInfrastructure(KafkaClusterTestKit kafka, EmbeddedPostgres postgres, Path postgresDir) {
        this.kafka = kafka;
        this.postgres = postgres;
        this.postgresDir = postgresDir;
        this.postgresPortNumber = postgres.getPort();
    }

    public static LocalInfrastructure start(Path workDir) throws Exception {
        Files.createDirectories(workDir);
        KafkaClusterTestKit kafka = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                        .setCombined(true)
                        .setNumBrokerNodes(1)
                        .setNumControllerNodes(1)
                        .setBaseDirectory(workDir.resolve("kafka"))
                        .build())
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("share.coordinator.state.topic.replication.factor", "1")
                .setConfigProp("share.coordinator.state.topic.min.isr", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("auto.create.topics.enable", "false")
                .build();
        EmbeddedPostgres postgres = null;
        try {
            formatQuietly(kafka);
            kafka.startup();
            kafka.waitForReadyBrokers();
            Path pgDir = workDir.resolve("postgres");
            Files.createDirectories(pgDir);
            deleteRecursively(pgDir.resolve("data"));
            // The data directory is deleted by close(), not by the server's own stop: an outage
            // (stopPostgres, restartPostgres) keeps the tables, as a real database does.
            postgres = EmbeddedPostgres.builder()
                    .setOverrideWorkingDirectory(pgDir.toFile())
                    .setDataDirectory(pgDir.resolve("data"))
                    .setCleanDataDirectory(false)
                    .start();
            return new LocalInfrastructure(kafka, postgres, pgDir);
        } catch (Exception e) {
            kafka.close();
            if (postgres != null) {
                postgres.close();
            }
            throw e;
        }
    }

    /** Kafka's storage formatter prints its metadata to stdout; the demo's output is for people. */
    private static void formatQuietly(KafkaClusterTestKit kafka) throws Exception {
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        try {
            kafka.format();
        } finally {
            System.setOut(stdout);
        }
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    public String jdbcUrl() {
        return postgres.getJdbcUrl("postgres", "postgres");
    }

    public int postgresPort() {
        return postgresPortNumber;
    }

    /** Stops the PostgreSQL server (an outage); {@link #restartPostgres} brings it back with its data. */
    public void stopPostgres() throws Exception {
        postgres.close();
    }

    /** Starts PostgreSQL again on the same port and data directory, as after an outage. */
    public void restartPostgres() throws Exception {
        postgres = EmbeddedPostgres.builder()
                .setOverrideWorkingDirectory(postgresDir.toFile())
                .setDataDirectory(postgresDir.resolve("data"))
                .setCleanDataDirectory(false)
                .setPort(postgresPortNumber)
                .start();
    }

    /** Config overrides that point the job at this infrastructure. */
    public Map<String, String> configOverrides() {
        return Map.of(
                "kafka.bootstrap-servers",
                bootstrapServers(),
                "postgres.enabled",
                "true",
                "postgres.url",
                "jdbc:postgresql://127.0.0.1:" + postgresPort() + "/postgres",
                "postgres.username",
                POSTGRES_USER,
                "postgres.password",
                "");
    }

    public Properties clientProperties() {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrapServers());
        return p;
    }

    /** Creates the job's topics: inputs with {@code partitions} partitions, campaigns compacted. */
    public void createTopics(PulseConfig.Topics t, int partitions) throws Exception {
        TopicLayout.createMissing(clientProperties(), t, partitions, (short) 1);
    }

    public void createTables() throws Exception {
        PostgresOutputs.createTables(jdbcUrl(), POSTGRES_USER, "");
    }

    @Override
    public void close() throws Exception {
        try {
            kafka.close();
        } finally {
            try {
                postgres.close();
            } finally {
                deleteRecursively(postgresDir.resolve("data"));
            }
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
