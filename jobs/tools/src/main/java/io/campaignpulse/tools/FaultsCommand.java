package io.campaignpulse.tools;

import io.campaignpulse.faults.FaultSuite;
import io.campaignpulse.ingest.AvroJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The fault suite: the job jar on a real standalone Flink cluster, a real Kafka broker and a
 * real PostgreSQL, one fault per scenario, every output counted against the ground truth.
 */
@Command(
        name = "faults",
        mixinStandardHelpOptions = true,
        description = {
            "Run the job jar on a local standalone Flink cluster (separate JobManager and TaskManager processes),"
                    + " inject faults while a generated day streams in, and count every output against its ground truth.",
            "Scenarios: taskmanager-kill (kill -9 after completed checkpoints, a new TaskManager each time),"
                    + " jobmanager-kill (kill -9, a new JobManager, the job resubmitted from its newest retained"
                    + " checkpoint at parallelism 1), postgres-outage (the server stopped, then started again),"
                    + " broker-restart (the Kafka broker shut down, then started again with its data),"
                    + " poison-records (on every input topic), webhook-receivers (the TaskManager kills while one"
                    + " webhook answers slowly and another always fails).",
            "Exit code 0 when every scenario passed: 0 missing, 0 invented, 0 duplicates, dead letters as injected."
        })
public final class FaultsCommand implements Callable<Integer> {

    @Option(names = "--scenarios", split = ",", description = "Scenarios to run, comma-separated (default: all).")
    List<String> scenarios = FaultSuite.SCENARIOS;

    @Option(names = "--kills", defaultValue = "5", description = "TaskManager kills (default: ${DEFAULT-VALUE}).")
    int kills;

    @Option(
            names = "--customers",
            defaultValue = "1000",
            description = "Customers of the generated day (default: ${DEFAULT-VALUE}).")
    int customers;

    @Option(
            names = "--play-seconds",
            defaultValue = "60",
            description = "Seconds over which the last two thirds of the day are published while faults happen"
                    + " (default: ${DEFAULT-VALUE}).")
    int playSeconds;

    @Option(
            names = "--outage-seconds",
            defaultValue = "30",
            description = "How long PostgreSQL or the Kafka broker is down (default: ${DEFAULT-VALUE}).")
    int outageSeconds;

    @Option(names = "--work", description = "Folder for the clusters' logs and data (default: a new temporary folder).")
    Path work;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON.")
    Path json;

    @Override
    public Integer call() throws Exception {
        if (kills < 1 || customers < 100 || playSeconds < 10 || outageSeconds < 1) {
            throw new IllegalArgumentException(
                    "--kills must be at least 1, --customers 100, --play-seconds 10, --outage-seconds 1");
        }
        Path root = Path.of(System.getProperty("pulse.root", "."));
        Path jar = root.resolve(Path.of("jobs", "pipeline", "target", "campaign-pulse.jar"));
        if (!Files.exists(jar)) {
            throw new IllegalArgumentException(jar + " is missing: build it with mvn -B -DskipTests package");
        }
        Path dir = work != null ? work : Files.createTempDirectory("campaign-pulse-faults-");
        System.out.println("faults: clusters' logs and data in " + dir);
        FaultSuite suite = new FaultSuite(
                new FaultSuite.Options(
                        customers,
                        kills,
                        Duration.ofSeconds(playSeconds),
                        Duration.ofSeconds(outageSeconds),
                        dir,
                        jar,
                        root.resolve(Path.of("conf", "flink", "config.yaml"))),
                System.out);
        List<FaultSuite.Result> results = suite.run(scenarios);
        System.out.printf(
                "%n  %-18s %-6s %8s %6s %8s %8s %10s %9s %8s %10s%n",
                "scenario",
                "passed",
                "expected",
                "found",
                "missing",
                "invented",
                "duplicates",
                "dead ltrs",
                "restarts",
                "recovery s");
        for (FaultSuite.Result r : results) {
            System.out.printf(
                    "  %-18s %-6s %8d %6d %8d %8d %10d %4d/%-4d %8d %10.1f%n",
                    r.name(),
                    r.passed(),
                    r.expected(),
                    r.found(),
                    r.missing(),
                    r.invented(),
                    r.duplicates(),
                    r.deadLettersFound(),
                    r.deadLettersExpected(),
                    r.restarts(),
                    r.recoveryS());
        }
        if (json != null) {
            List<Map<String, Object>> rows =
                    results.stream().map(FaultsCommand::row).toList();
            Files.writeString(
                    json,
                    AvroJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(Map.of("scenarios", rows)));
            System.out.println("  results written to " + json);
        }
        return results.stream().allMatch(FaultSuite.Result::passed) ? 0 : 1;
    }

    static Map<String, Object> row(FaultSuite.Result r) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("name", r.name());
        row.put("passed", r.passed());
        row.put("expected", r.expected());
        row.put("found", r.found());
        row.put("missing", r.missing());
        row.put("invented", r.invented());
        row.put("duplicates", r.duplicates());
        row.put("dead_letters_expected", r.deadLettersExpected());
        row.put("dead_letters_found", r.deadLettersFound());
        row.put("restarts", r.restarts());
        row.put("recovery_s", r.recoveryS());
        row.put("taskmanager_exits", r.taskManagerExits());
        row.put("detail", r.detail());
        return row;
    }
}
