package io.campaignpulse.faults;

import com.fasterxml.jackson.databind.JsonNode;
import io.campaignpulse.cluster.StandaloneFlinkCluster;
import io.campaignpulse.config.ConfigLoader;
import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.contract.DeadLetterReason;
import io.campaignpulse.demo.CommittedMisfires;
import io.campaignpulse.demo.DemoWorld;
import io.campaignpulse.demo.GroundTruth;
import io.campaignpulse.demo.LocalInfrastructure;
import io.campaignpulse.demo.LocalJob;
import io.campaignpulse.demo.OutputTables;
import io.campaignpulse.demo.PacedPublisher;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * Runs the job jar on a real standalone Flink cluster (JobManager and TaskManagers as separate
 * processes) against a real Kafka broker and PostgreSQL, feeds it a generated day whose ground
 * truth is known, injects one fault while the day streams in, and then counts every output:
 * misfires expected / found / missing / invented in PostgreSQL, duplicates among the committed
 * records of the Kafka misfires topic (read_committed), dead letters expected / found by reason,
 * job restarts, and the time from the fault to a running job.
 */
public final class FaultSuite {

    /** The scenarios, by name, in the order they run. */
    public static final List<String> SCENARIOS = List.of(
            "taskmanager-kill",
            "jobmanager-kill",
            "postgres-outage",
            "broker-restart",
            "poison-records",
            "webhook-receivers");

    /**
     * @param customers size of the generated day
     * @param kills TaskManager kills in the taskmanager-kill scenario
     * @param play how long the part of the day published after submission takes to publish
     * @param outage how long PostgreSQL or the Kafka broker is down in the postgres-outage and
     *     broker-restart scenarios
     */
    public record Options(
            int customers, int kills, Duration play, Duration outage, Path work, Path jobJar, Path flinkConfig) {}

    /** What one scenario found. */
    public record Result(
            String name,
            boolean passed,
            int expected,
            int found,
            int missing,
            int invented,
            int duplicates,
            int deadLettersExpected,
            int deadLettersFound,
            long restarts,
            double recoveryS,
            int taskManagerExits,
            String detail) {}

    /** What a scenario does to the running job, and what it expects to see because of it. */
    interface Fault extends AutoCloseable {
        /** Runs while the rest of the day is being published; returns the slowest recovery, in seconds. */
        double inject(Run run) throws Exception;

        /** Job arguments this fault adds (a configuration file, say); called before the job is submitted. */
        default List<String> jobArgs(Path dir) throws Exception {
            return List.of();
        }

        /**
         * The fault's own checks of the outputs, once the day is read and the job stopped; what it
         * found wrong (empty when all is well). Runs before {@link #deadLetters()} is asked.
         */
        default List<String> verify(Run run) throws Exception {
            return List.of();
        }

        /** Dead letters this fault adds to the day's planted ones. */
        default Map<DeadLetterReason, Integer> deadLetters() {
            return Map.of();
        }

        /** Whether the job may restart because of this fault. */
        default boolean restarts() {
            return true;
        }

        /** Text that must appear in no log of the cluster. */
        default List<String> neverLogged() {
            return List.of();
        }

        /** Stops what the fault started (receivers, say). */
        @Override
        default void close() throws Exception {}
    }

    /**
     * One scenario's running job and its surroundings. Every wait also supervises the cluster:
     * a TaskManager process that exits on its own is replaced, as systemd or a container's
     * restart policy would, and counted.
     */
    record Run(
            StandaloneFlinkCluster cluster,
            LocalInfrastructure infra,
            PulseConfig config,
            AtomicReference<String> job,
            List<String> jobArgs,
            Path checkpoints,
            PrintStream out,
            Options options,
            AtomicInteger taskManagerExits) {

        /** The job now running (a resubmission after a JobManager loss replaces it). */
        String jobId() {
            return job.get();
        }

        /** When the job last switched to RESTARTING (epoch millis), or 0. */
        long lastRestart() throws Exception {
            return cluster.get("/jobs/" + jobId())
                    .path("timestamps")
                    .path("RESTARTING")
                    .asLong(0);
        }

        long completedCheckpoints() throws Exception {
            return cluster.get("/jobs/" + jobId() + "/checkpoints")
                    .path("counts")
                    .path("completed")
                    .asLong();
        }

        /** Waits for a checkpoint completed after the call. */
        void awaitNewCheckpoint(Duration timeout) throws Exception {
            long before = completedCheckpoints();
            await("a completed checkpoint", timeout, () -> completedCheckpoints() > before);
        }

        /** Waits until the job and every one of its tasks run again; returns the seconds it took from {@code since}. */
        double awaitRunning(long since, Duration timeout) throws Exception {
            await("the job running again", timeout, this::allRunning);
            return (System.nanoTime() - since) / 1e9;
        }

        boolean allRunning() throws Exception {
            JsonNode details = cluster.get("/jobs/" + jobId());
            if (!"RUNNING".equals(details.path("state").asText())) {
                return false;
            }
            for (JsonNode vertex : details.path("vertices")) {
                if (!"RUNNING".equals(vertex.path("status").asText())) {
                    return false;
                }
            }
            return true;
        }

        void await(String what, Duration timeout, Check condition) throws Exception {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!condition.holds()) {
                int replaced = cluster.replaceExitedTaskManagers();
                if (replaced > 0) {
                    taskManagerExits.addAndGet(replaced);
                    out.printf("faults: %d TaskManager process(es) exited on their own; started new ones%n", replaced);
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(what + ": not within " + timeout + "; logs in " + cluster.dir());
                }
                Thread.sleep(250);
            }
        }
    }

    @FunctionalInterface
    interface Check {
        boolean holds() throws Exception;
    }

    private final Options options;
    private final PrintStream out;

    public FaultSuite(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public List<Result> run(List<String> scenarios) throws Exception {
        List<Result> results = new ArrayList<>();
        for (String name : scenarios) {
            try (Fault fault = fault(name)) {
                results.add(run(name, fault));
            }
        }
        return results;
    }

    private Fault fault(String name) {
        return switch (name) {
            case "taskmanager-kill" -> new TaskManagerKills(options.kills());
            case "postgres-outage" -> Outage.postgres(options.outage());
            case "broker-restart" -> Outage.kafkaBroker(options.outage());
            case "poison-records" -> new PoisonRecords();
            case "webhook-receivers" -> new WebhookReceivers(options.kills());
            case "jobmanager-kill" -> new JobManagerKill();
            default ->
                throw new IllegalArgumentException(
                        "unknown scenario '" + name + "': one of " + String.join(", ", SCENARIOS));
        };
    }

    private Result run(String name, Fault fault) throws Exception {
        Path dir = options.work().resolve(name);
        deleteRecursively(dir);
        Files.createDirectories(dir);
        out.printf("faults: %s ...%n", name);
        long started = System.nanoTime();
        Map<String, String> flink = new LinkedHashMap<>();
        // A killed TaskManager is noticed after a few missed heartbeats, not after the default 50 s.
        flink.put("heartbeat.interval", "2000");
        flink.put("heartbeat.timeout", "10000");
        flink.put("restart-strategy.type", "exponential-delay");
        flink.put("restart-strategy.exponential-delay.initial-backoff", "1s");
        flink.put("restart-strategy.exponential-delay.max-backoff", "10s");
        try (LocalInfrastructure infra = LocalInfrastructure.start(dir.resolve("infra"));
                StandaloneFlinkCluster cluster =
                        StandaloneFlinkCluster.start(dir.resolve("flink"), Map.of(), options.flinkConfig(), flink)) {
            Map<String, String> settings = new LinkedHashMap<>(infra.configOverrides());
            settings.put("kafka.group-id", "faults-" + name);
            settings.put("kafka.transactional-id-prefix", "faults-" + name);
            settings.put("checkpoints.interval", "1s");
            settings.put(
                    "checkpoints.directory", dir.resolve("checkpoints").toUri().toString());
            settings.put("event-time.idleness", "5s");
            settings.put("event-time.campaigns-settle", "2s");
            PulseConfig config = new ConfigLoader(n -> null).load(null, settings);
            infra.createTopics(config.topics(), 2);
            infra.migrate();
            DemoWorld world = DemoWorld.generate(
                    config, new DemoWorld.Options(options.customers(), 31, Instant.parse("2026-11-20T00:00:00Z")));
            List<DemoWorld.Event> events = world.events();
            // A third of the day is there before the job starts (a backlog); the rest streams in
            // while the fault happens.
            int head = events.size() / 3;
            try (PacedPublisher publisher = new PacedPublisher(infra.bootstrapServers())) {
                publisher.publish(events.subList(0, head), 0, 0);
            }
            String jarId = cluster.uploadJar(options.jobJar());
            List<String> args = new ArrayList<>(List.of("run"));
            settings.forEach((k, v) -> args.addAll(List.of("--set", k + "=" + v)));
            args.addAll(fault.jobArgs(dir));
            String jobId = cluster.run(jarId, "io.campaignpulse.cli.PulseCli", args, 2, null);
            Run run = new Run(
                    cluster,
                    infra,
                    config,
                    new AtomicReference<>(jobId),
                    args,
                    dir.resolve("checkpoints"),
                    out,
                    options,
                    new AtomicInteger());
            run.await("the job running", Duration.ofMinutes(2), run::allRunning);
            List<DemoWorld.Event> rest = events.subList(head, events.size());
            long from = rest.get(0).publishAt();
            long to = rest.get(rest.size() - 1).publishAt();
            double speed = (to - from) / (double) Math.max(1, options.play().toMillis());
            CompletableFuture<Void> streaming = CompletableFuture.runAsync(() -> {
                try (PacedPublisher publisher = new PacedPublisher(infra.bootstrapServers())) {
                    publisher.publish(rest, from, speed);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            });
            double recovery = fault.inject(run);
            streaming.get();
            run.await("the whole day read", Duration.ofMinutes(5), () -> LocalJob.caughtUp(config));
            long restarts = restarts(cluster, run.jobId());
            cluster.stopWithSavepoint(run.jobId(), dir.resolve("savepoints"), true);
            List<String> faultProblems = fault.verify(run);
            return verify(
                    name,
                    fault,
                    faultProblems,
                    world,
                    infra,
                    config,
                    cluster,
                    restarts,
                    recovery,
                    started,
                    run.taskManagerExits().get());
        } catch (Exception e) {
            StringBuilder causes = new StringBuilder(e.toString());
            for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
                causes.append(" <- ").append(c);
            }
            out.printf("faults: %s failed to run: %s (logs in %s)%n", name, causes, dir);
            return new Result(name, false, 0, 0, 0, 0, 0, 0, 0, -1, -1, 0, "did not run to the end: " + causes);
        }
    }

    private Result verify(
            String name,
            Fault fault,
            List<String> faultProblems,
            DemoWorld world,
            LocalInfrastructure infra,
            PulseConfig config,
            StandaloneFlinkCluster cluster,
            long restarts,
            double recovery,
            long started,
            int taskManagerExits)
            throws Exception {
        Set<String> expected = OutputTables.keys(GroundTruth.misfires(List.of(world)));
        OutputTables tables = new OutputTables(infra.jdbcUrl());
        Set<String> inPostgres = tables.set("SELECT send_id || '/' || rule FROM misfires");
        Map<String, Integer> inKafka = committedMisfires(infra, config);
        Set<String> missing = new HashSet<>(expected);
        missing.removeAll(inPostgres);
        Set<String> missingInKafka = new HashSet<>(expected);
        missingInKafka.removeAll(inKafka.keySet());
        Set<String> invented = new HashSet<>(inPostgres);
        invented.removeAll(expected);
        int duplicates = inKafka.values().stream().mapToInt(n -> n - 1).sum();

        Map<String, Integer> deadLettersExpected = new TreeMap<>();
        world.plantedDeadLetters().forEach((r, n) -> deadLettersExpected.merge(r.name(), n, Integer::sum));
        fault.deadLetters().forEach((r, n) -> deadLettersExpected.merge(r.name(), n, Integer::sum));
        Map<String, Integer> deadLettersFound = new TreeMap<>(tables.deadLettersByReason());
        List<String> leaked = leakedToLogs(cluster.dir(), fault.neverLogged());

        List<String> problems = new ArrayList<>(faultProblems);
        if (!missing.isEmpty() || !missingInKafka.isEmpty()) {
            problems.add(missing.size() + " misfires missing in PostgreSQL, " + missingInKafka.size() + " in Kafka");
        }
        if (!invented.isEmpty()) {
            problems.add(invented.size() + " invented");
        }
        if (duplicates > 0) {
            problems.add(duplicates + " duplicates among committed Kafka records");
        }
        if (!deadLettersExpected.equals(deadLettersFound)) {
            problems.add("dead letters " + deadLettersFound + ", expected " + deadLettersExpected);
        }
        if (!fault.restarts() && restarts > 0) {
            problems.add(restarts + " restarts where none may happen");
        }
        if (!leaked.isEmpty()) {
            problems.add("record content in the logs: " + leaked);
        }
        // A TaskManager must only die when the suite kills it: one that exits on its own (a sink
        // throwing while its task fails was fatal for the whole process) takes every task on it.
        if (taskManagerExits > 0) {
            problems.add(
                    taskManagerExits + " TaskManager process exit(s) on their own (replaced, as a supervisor would)");
        }
        Result result = new Result(
                name,
                problems.isEmpty(),
                expected.size(),
                inPostgres.size(),
                missing.size() + missingInKafka.size(),
                invented.size(),
                duplicates,
                deadLettersExpected.values().stream()
                        .mapToInt(Integer::intValue)
                        .sum(),
                deadLettersFound.values().stream().mapToInt(Integer::intValue).sum(),
                restarts,
                recovery,
                taskManagerExits,
                problems.isEmpty() ? "ok" : String.join("; ", problems));
        out.printf(
                "faults: %s %s in %.0f s: misfires %,d expected, %,d found, %d missing, %d invented, %d duplicates;"
                        + " dead letters %d expected, %d found; %d restarts; recovery %.1f s; %s%n",
                name,
                result.passed() ? "PASSED" : "FAILED",
                (System.nanoTime() - started) / 1e9,
                result.expected(),
                result.found(),
                result.missing(),
                result.invented(),
                result.duplicates(),
                result.deadLettersExpected(),
                result.deadLettersFound(),
                result.restarts(),
                result.recoveryS(),
                result.detail());
        return result;
    }

    /** The job's restarts so far (Flink's numRestarts gauge). */
    static long restarts(StandaloneFlinkCluster cluster, String jobId) throws Exception {
        JsonNode metric = cluster.get("/jobs/" + jobId + "/metrics?get=numRestarts");
        return metric.size() == 0 ? 0 : metric.get(0).path("value").asLong();
    }

    /** Every committed record of the misfires topic, counted by send_id/rule. */
    private static Map<String, Integer> committedMisfires(LocalInfrastructure infra, PulseConfig config)
            throws Exception {
        Map<String, Integer> counts = new HashMap<>();
        CommittedMisfires.read(infra.bootstrapServers(), config.topics().misfires())
                .forEach(e -> counts.merge(e.id(), 1, Integer::sum));
        return counts;
    }

    private static List<String> leakedToLogs(Path dir, List<String> secrets) throws IOException {
        List<String> leaked = new ArrayList<>();
        if (secrets.isEmpty()) {
            return leaked;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path log : files.filter(Files::isRegularFile).toList()) {
                String text = Files.readString(log);
                for (String s : secrets) {
                    if (text.contains(s)) {
                        leaked.add(log.getFileName() + " contains " + s);
                    }
                }
            }
        }
        return leaked;
    }

    static Map<DeadLetterReason, Integer> countByReason(List<DeadLetterReason> reasons) {
        Map<DeadLetterReason, Integer> counts = new EnumMap<>(DeadLetterReason.class);
        reasons.forEach(r -> counts.merge(r, 1, Integer::sum));
        return counts;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> old = Files.walk(dir)) {
                old.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
