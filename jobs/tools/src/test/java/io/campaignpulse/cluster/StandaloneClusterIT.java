package io.campaignpulse.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.campaignpulse.Fixtures;
import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.contract.MisfireRule;
import io.campaignpulse.demo.DemoWorld;
import io.campaignpulse.demo.GroundTruth;
import io.campaignpulse.demo.LocalInfrastructure;
import io.campaignpulse.demo.LocalJob;
import io.campaignpulse.demo.OutputTables;
import io.campaignpulse.demo.PacedPublisher;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The shaded job jar on a real standalone Flink cluster (separate JobManager and TaskManager
 * JVMs), as an operator runs it: submitted over REST against a real Kafka and PostgreSQL, stopped
 * with a savepoint, resumed from it with a changed configuration at a different parallelism,
 * and checked against the ground truth of both days. The second day's misfires that depend on
 * holdings known only before the stop prove that state survived the upgrade.
 */
class StandaloneClusterIT {

    private static final String SECRET = "planted-secret-7f3a9c";

    /** Kept after the run (target/, cleaned by the next run): the cluster's logs are the evidence when it fails. */
    private final Path work = Path.of("target", "cluster-it").toAbsolutePath();

    @Test
    void submitStopWithSavepointUpgradeAndRescaleOnAStandaloneCluster() throws Exception {
        if (Files.exists(work)) {
            try (Stream<Path> old = Files.walk(work)) {
                old.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        // The ops team's chat: a webhook on loopback, whose bearer token is the planted secret too.
        List<String> authorizations = Collections.synchronizedList(new ArrayList<>());
        HttpServer chat = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        chat.createContext("/hook", exchange -> {
            authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        chat.start();
        Files.createDirectories(work);
        Path jobConfig = work.resolve("pulse-cluster.yaml");
        Files.writeString(jobConfig, """
                routing:
                  webhooks:
                    - name: ops-chat
                      url: http://127.0.0.1:%d/hook
                      token: ${PULSE_WEBHOOK_TOKEN}
                """.formatted(chat.getAddress().getPort()));
        try (LocalInfrastructure infra = LocalInfrastructure.start(work.resolve("infra"));
                // Planted secrets, passed as operators do: in the environment of the JVM that runs main().
                StandaloneFlinkCluster cluster = StandaloneFlinkCluster.start(
                        work.resolve("flink"),
                        Map.of("PULSE_POSTGRES_PASSWORD", SECRET, "PULSE_WEBHOOK_TOKEN", SECRET));
                PacedPublisher publisher = new PacedPublisher(infra.bootstrapServers())) {
            Map<String, String> settings = new HashMap<>(infra.configOverrides());
            settings.put("kafka.group-id", "cluster-it");
            settings.put("kafka.transactional-id-prefix", "cluster-it");
            settings.put("checkpoints.interval", "1s");
            settings.put(
                    "checkpoints.directory", work.resolve("checkpoints").toUri().toString());
            settings.put("event-time.idleness", "5s");
            settings.put("event-time.campaigns-settle", "2s");
            PulseConfig config = Fixtures.config(settings);
            settings.remove(
                    "postgres.password"); // the job takes it from PULSE_POSTGRES_PASSWORD (PostgreSQL here trusts any)
            infra.createTopics(config.topics(), 2);
            // No tables yet: the submitted job's 'run' applies the migrations from the shaded jar.
            DemoWorld day1 = DemoWorld.generate(config, new DemoWorld.Options(500, 21, Fixtures.DAY));
            DemoWorld day2 = DemoWorld.generate(
                    config, new DemoWorld.Options(500, 22, Fixtures.DAY.plus(Duration.ofDays(1)), false));
            Path jar = Path.of("..", "pipeline", "target", "campaign-pulse.jar");
            assertThat(jar).as("the shaded job jar (built by `package`)").exists();

            publisher.publish(day1.events(), 0, 0);
            String jarId = cluster.uploadJar(jar);
            long submitted = System.nanoTime();
            String first = cluster.run(jarId, "io.campaignpulse.cli.PulseCli", runArgs(settings), 2, null);
            await(
                    "first misfire in PostgreSQL",
                    Duration.ofMinutes(2),
                    () -> count(infra, "misfires") > 0,
                    cluster,
                    first);
            System.out.printf(
                    "cluster: submit to first misfire in PostgreSQL %.1f s%n", (System.nanoTime() - submitted) / 1e9);
            int day1Expected = day1.expectedMisfires().values().stream()
                    .mapToInt(Set::size)
                    .sum();
            // Every day-1 misfire written is enough before the savepoint: records not read yet would
            // simply be read after the restore (their offsets are in the savepoint).
            await(
                    "day 1 judged",
                    Duration.ofMinutes(3),
                    () -> count(infra, "misfires") == day1Expected,
                    cluster,
                    first);

            // Custom metrics through the REST API: every valid day-1 send was evaluated once (redeliveries,
            // bad records and sends of unknown campaigns are not).
            await(
                    "sendsEvaluated metric",
                    Duration.ofSeconds(60),
                    () -> cluster.operatorMetricSum(first, "Misfire detection per customer", "sendsEvaluated")
                            == day1.sends(),
                    cluster,
                    first);

            // The same through the cluster's Prometheus reporters (conf/flink/config.yaml), as a
            // Prometheus server would scrape them: the JobManager's job metrics and the TaskManager's
            // operator metrics, ours included, with their values, and no secret in any label.
            Map<Integer, String> scrapes = cluster.prometheusScrapes();
            assertThat(scrapes).as("a JobManager and a TaskManager endpoint").hasSizeGreaterThanOrEqualTo(2);
            String all = String.join("\n", scrapes.values());
            assertThat(all).contains("flink_jobmanager_job_numRestarts", "flink_jobmanager_job_lastCheckpointDuration");
            assertThat(prometheusSum(all, "flink_taskmanager_job_task_operator_sendsEvaluated"))
                    .isEqualTo(day1.sends());
            assertThat(prometheusSum(all, "flink_taskmanager_job_task_operator_reason_deadLetters"))
                    .as("dead letters by reason")
                    .isPositive();
            assertThat(all).contains("flink_taskmanager_job_task_operator_kafkaCommitsFailed");
            assertThat(all).doesNotContain(SECRET);
            everyOperationsPanelHasData(cluster, scrapes.keySet());

            for (String visible : List.of(
                    "/jobs/" + first + "/config",
                    "/jobs/" + first + "/plan",
                    "/jobs/" + first,
                    "/jobmanager/config",
                    "/jobs/" + first + "/exceptions")) {
                assertThat(cluster.get(visible).toString())
                        .as("REST " + visible)
                        .doesNotContain(SECRET);
            }

            String savepoint = cluster.stopWithSavepoint(first, work.resolve("savepoints"), false);
            System.out.printf(
                    "cluster: savepoint of %d customers' state: %,d bytes%n",
                    500, size(Path.of(URI.create(savepoint))));

            // The upgrade: a changed threshold, and one slot instead of two.
            List<String> changed = new ArrayList<>(runArgs(settings));
            changed.addAll(List.of("--set", "alerting.misfire-rate-min-count=5"));
            String second = cluster.run(jarId, "io.campaignpulse.cli.PulseCli", changed, 1, savepoint);
            await(
                    "restored job running",
                    Duration.ofMinutes(1),
                    () -> "RUNNING".equals(cluster.jobState(second)),
                    cluster,
                    second);
            publisher.publish(day2.events(), 0, 0);
            // The draining stop ends reading, so day 2 must have been read in full first.
            await(
                    "day 2 read",
                    Duration.ofMinutes(3),
                    () -> {
                        boolean caughtUp = LocalJob.caughtUp(config);
                        System.out.printf(
                                "cluster: day 2 read in full: %s, %d misfires so far%n",
                                caughtUp, count(infra, "misfires"));
                        return caughtUp;
                    },
                    cluster,
                    second);
            cluster.stopWithSavepoint(second, work.resolve("savepoints"), true);

            Map<String, Set<MisfireRule>> expected = GroundTruth.misfires(List.of(day1, day2));
            Set<String> expectedKeys = new HashSet<>();
            expected.forEach((send, rules) -> rules.forEach(r -> expectedKeys.add(send + "/" + r)));
            assertThat(strings(infra, "SELECT send_id || '/' || rule FROM misfires"))
                    .as("both days, exactly, across the savepoint and the rescale")
                    .containsExactlyInAnyOrderElementsOf(expectedKeys);
            long dependsOnDay1 = expected.entrySet().stream()
                    .filter(e -> e.getKey().contains(day2Tag(day2))
                            && e.getValue().contains(MisfireRule.ALREADY_HOLDS_PRODUCT))
                    .count();
            assertThat(dependsOnDay1)
                    .as("day-2 misfires that need holdings known only before the stop")
                    .isGreaterThan(10);
            assertThat(strings(infra, "SELECT reason FROM dead_letters WHERE reason = 'LATE_EVENT'"))
                    .isEmpty();
            // The webhook token reached the chat from the environment, and (below) nowhere else.
            assertThat(authorizations)
                    .as("alert messages delivered to the ops chat")
                    .isNotEmpty()
                    .containsOnly("Bearer " + SECRET);
            System.out.printf("cluster: %d alert messages delivered to the webhook%n", authorizations.size());
        } finally {
            chat.stop(0);
        }
        try (Stream<Path> logs = Files.list(work.resolve("flink"))) {
            for (Path log : logs.filter(Files::isRegularFile).toList()) {
                assertThat(Files.readString(log))
                        .as(log.getFileName().toString())
                        .doesNotContain(SECRET);
            }
        }
    }

    /** Day 2 publishes no holding history: its ALREADY_HOLDS misfires rest on day-1 state. */
    private static String day2Tag(DemoWorld day2) {
        return "snd-"
                + LocalDate.ofInstant(Instant.ofEpochMilli(day2.day()), ZoneOffset.UTC)
                        .toString()
                        .replace("-", "") + "-";
    }

    private List<String> runArgs(Map<String, String> settings) {
        List<String> args = new ArrayList<>(
                List.of("run", "--config", work.resolve("pulse-cluster.yaml").toString()));
        settings.forEach((k, v) -> args.addAll(List.of("--set", k + "=" + v)));
        return args;
    }

    private static void await(
            String what, Duration timeout, Callable<Boolean> condition, StandaloneFlinkCluster cluster, String jobId)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.call()) {
            String state = cluster.jobState(jobId);
            if (state.equals("FAILED") || state.equals("CANCELED")) {
                throw new IllegalStateException(what + ": job " + state + "; logs in " + cluster.dir());
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        what + ": not within " + timeout + " (job " + state + "); logs in " + cluster.dir());
            }
            Thread.sleep(500);
        }
    }

    private static int count(LocalInfrastructure infra, String table) throws Exception {
        return new OutputTables(infra.jdbcUrl()).count(table);
    }

    private static Set<String> strings(LocalInfrastructure infra, String sql) throws Exception {
        return new OutputTables(infra.jdbcUrl()).set(sql);
    }

    private static long size(Path dir) throws Exception {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .mapToLong(p -> p.toFile().length())
                    .sum();
        }
    }

    /** The sum of a metric's samples in Prometheus' text format. */
    private static double prometheusSum(String scrape, String metric) {
        return scrape.lines()
                .filter(l -> l.startsWith(metric + "{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    /**
     * A real Prometheus (Debian's package) scrapes the cluster's reporters, and every PromQL
     * expression of the operations dashboard returns data from it.
     */
    private static void everyOperationsPanelHasData(StandaloneFlinkCluster cluster, Collection<Integer> ports)
            throws Exception {
        if (!RealPrometheus.installed()) {
            assertThat(System.getenv("CI"))
                    .as("CI must have Prometheus (.ci/run installs Debian's prometheus)")
                    .isNull();
            System.out.println(
                    "cluster: Prometheus is not installed (apt-get install prometheus); dashboard check skipped");
            return;
        }
        JsonNode dashboard = new ObjectMapper()
                .readTree(Path.of("..", "..", "conf", "grafana", "dashboards", "campaign-pulse-operations.json")
                        .toFile());
        List<String> expressions =
                dashboard.findValues("expr").stream().map(JsonNode::asText).toList();
        assertThat(expressions).hasSizeGreaterThan(10);
        try (RealPrometheus prometheus = RealPrometheus.start(cluster.dir().resolve("prometheus"), ports)) {
            // Rates need two samples of every series: a few scrapes, one a second.
            Thread.sleep(8_000);
            for (String expr : expressions) {
                assertThat(prometheus.query(expr))
                        .as("the operations dashboard's " + expr)
                        .isNotEmpty();
            }
        }
        System.out.printf("cluster: %d dashboard expressions answered by Prometheus%n", expressions.size());
    }
}
