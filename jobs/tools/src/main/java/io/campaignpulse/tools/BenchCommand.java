package io.campaignpulse.tools;

import io.campaignpulse.bench.Bench;
import io.campaignpulse.cli.ConfigOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pulse bench}: throughput, checkpoints and state of the pipeline over a preloaded backlog, checked against its ground truth. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = {
            "Measure the pipeline on this machine: preloads a generated backlog of every input topic into an embedded "
                    + "Kafka, then runs a pass-through job (Kafka, decode, discard) and the full pipeline (RocksDB, checkpoints, "
                    + "exactly-once outputs to Kafka and PostgreSQL) over it, and the sentiment scorer alone; then the alert "
                    + "latency on a live feed at half the measured rate, at-least-once and exactly-once. Prints a table; "
                    + "refuses to report a throughput for a run whose misfires differ from the generator's ground truth.",
            "Give the JVM room for the generated backlog: PULSE_JAVA_OPTS=-Xmx8g for the default size."
        })
public final class BenchCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions configOptions = new ConfigOptions();

    @Option(
            names = "--customers",
            defaultValue = "1000000",
            description = "Customers in the generated bank (default: ${DEFAULT-VALUE}; about 3 events each).")
    int customers;

    @Option(names = "--quick", description = "A small run (100,000 customers) that finishes in a few minutes.")
    boolean quick;

    @Option(
            names = "--partitions",
            defaultValue = "4",
            description = "Partitions per input topic (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--parallelism", defaultValue = "2", description = "Flink parallelism (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--seed", defaultValue = "7", description = "Generator seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--checkpoint-interval",
            defaultValue = "PT10S",
            description = "Checkpoint interval, ISO-8601 (default: ${DEFAULT-VALUE}).")
    Duration checkpointInterval;

    @Option(
            names = "--latency-seconds",
            description = "How long each latency run's live feed lasts (default: 60; 10 with --quick).")
    Integer latencySeconds;

    @Option(
            names = "--latency-warm-up",
            paramLabel = "DURATION",
            description = "How long each latency run's live feed runs before the measured span, ISO-8601 (default:"
                    + " PT20S; PT5S with --quick). Its sends' latencies are printed apart, not counted: the JIT"
                    + " compiles the live code paths, which catching up with a backlog does not run, in the"
                    + " first live job's first seconds.")
    Duration latencyWarmUp;

    @Option(
            names = "--latency-rate",
            paramLabel = "EVENTS_PER_S",
            description = "The latency runs' input rate (default: half the pipeline rate this run measured).")
    Integer latencyRate;

    @Option(
            names = "--latency-out-of-orderness",
            defaultValue = "PT0S",
            description =
                    "event-time.max-out-of-orderness for the latency runs, ISO-8601 (default: ${DEFAULT-VALUE}: the"
                            + " live feed is in order). A send is judged once the watermark has passed it, so every alert"
                            + " waits at least this long by design: the latency figures are what the job adds to it.")
    Duration latencyOutOfOrderness;

    @Option(
            names = "--latency-publication-delay",
            defaultValue = "PT0S",
            description = "event-time.max-publication-delay for the latency runs, ISO-8601 (default: ${DEFAULT-VALUE},"
                    + " no promise): the feed's promise that each event is readable in Kafka within this long of its"
                    + " event time, so that quiet partitions follow the clock. The runs report what the feed kept"
                    + " of it (event time to the broker's acknowledgement) and any LATE_EVENT.")
    Duration latencyPublicationDelay;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures to this file as JSON.")
    Path json;

    @Override
    public Integer call() throws Exception {
        int size = quick ? 100_000 : customers;
        if (size < 1000) {
            throw new IllegalArgumentException("--customers must be at least 1000");
        }
        if (partitions < 1 || parallelism < 1) {
            throw new IllegalArgumentException("--partitions and --parallelism must be at least 1");
        }
        int feedSeconds = latencySeconds != null ? latencySeconds : quick ? 10 : 60;
        if (feedSeconds < 1) {
            throw new IllegalArgumentException("--latency-seconds must be at least 1");
        }
        Duration warmUp = latencyWarmUp != null ? latencyWarmUp : Duration.ofSeconds(quick ? 5 : 20);
        if (warmUp.isNegative()) {
            throw new IllegalArgumentException("--latency-warm-up must not be negative");
        }
        if (latencyRate != null && latencyRate < 1) {
            throw new IllegalArgumentException("--latency-rate must be at least 1");
        }
        if (latencyOutOfOrderness.isNegative()) {
            throw new IllegalArgumentException("--latency-out-of-orderness must not be negative");
        }
        if (latencyPublicationDelay.isNegative()) {
            throw new IllegalArgumentException("--latency-publication-delay must not be negative");
        }
        var figures = Bench.run(
                new Bench.Settings(
                        size,
                        partitions,
                        parallelism,
                        seed,
                        checkpointInterval,
                        Duration.ofSeconds(feedSeconds),
                        warmUp,
                        latencyRate == null ? 0 : latencyRate,
                        latencyOutOfOrderness,
                        latencyPublicationDelay,
                        json,
                        configOptions.file,
                        configOptions.overrides),
                System.out);
        return Boolean.TRUE.equals(figures.get("correct")) ? 0 : 3;
    }
}
