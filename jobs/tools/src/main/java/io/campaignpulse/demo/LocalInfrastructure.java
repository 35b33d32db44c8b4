package io.campaignpulse.demo;

import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.sink.PostgresMigrations;
import io.campaignpulse.source.TopicLayout;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import kafka.server.BrokerServer;
import org.apache.kafka.clients.admin.Admin;
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

    /**
     * Shuts the Kafka broker down (its logs, transactions and group offsets stay on disk; the
     * KRaft controller of the node keeps running), waits {@code down}, and starts it again on the
     * same port, as a broker restarted by its operator. Returns once clients can reach it again.
     */
    public void restartBroker(Duration down) throws Exception {
        BrokerServer broker = kafka.brokers().values().iterator().next();
        broker.shutdown();
        broker.awaitShutdown();
        Thread.sleep(down.toMillis());
        broker.startup();
        Properties p = clientProperties();
        p.put("request.timeout.ms", "5000");
        p.put("default.api.timeout.ms", "5000");
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        try (Admin admin = Admin.create(p)) {
            while (true) {
                try {
                    admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
                    admin.listTopics().names().get(5, TimeUnit.SECONDS);
                    return;
                } catch (ExecutionException | TimeoutException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the Kafka broker did not come back within 2 minutes", e);
                    }
                    Thread.sleep(250);
                }
            }
        }
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
        createTopics(t, partitions, Map.of());
    }

    /** The same, the customer-event inputs created with these topic settings. */
    public void createTopics(PulseConfig.Topics t, int partitions, Map<String, String> customerEventConfigs)
            throws Exception {
        TopicLayout.createMissing(clientProperties(), t, partitions, (short) 1, customerEventConfigs);
    }

    /** The output tables, by the same versioned migrations as 'pulse run' and 'pulse migrate'. */
    public void migrate() {
        PostgresMigrations.migrate(jdbcUrl(), POSTGRES_USER, "");
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
