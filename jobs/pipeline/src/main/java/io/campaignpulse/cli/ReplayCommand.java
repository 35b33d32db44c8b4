package io.campaignpulse.cli;

import io.campaignpulse.JobEnvironment;
import io.campaignpulse.PulsePipeline;
import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.sink.ReplaySinks;
import io.campaignpulse.source.ReplaySources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Backtests: the same pipeline over JSON-lines files, bounded, writing JSON-lines results. */
@Command(
        name = "replay",
        mixinStandardHelpOptions = true,
        description = {
            "Backtest: run the pipeline over JSON-lines files and write the results to files.",
            "Input: <topic>.jsonl per topic (campaigns.jsonl and campaign-sends.jsonl required; "
                    + "customer-holdings.jsonl, customer-consent.jsonl optional), one JSON object per line, "
                    + "field names as in schemas/*.avsc, timestamps ISO-8601 or epoch millis.",
            "Output: misfires.jsonl, alerts.jsonl, dead-letters.jsonl."
        })
public final class ReplayCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions configOptions = new ConfigOptions();

    @Option(names = "--input", required = true, paramLabel = "DIR", description = "Folder with the input files.")
    Path input;

    @Option(
            names = "--output",
            required = true,
            paramLabel = "DIR",
            description = "Folder for the results (created if missing).")
    Path output;

    @Override
    public Integer call() throws Exception {
        PulseConfig config = configOptions.load();
        Summary summary = replay(config, input, output);
        System.out.println(summary);
        return 0;
    }

    /** The counts a replay wrote. */
    public record Summary(Path output, long misfires, long alerts, long deadLetters) {
        @Override
        public String toString() {
            return "replay wrote " + misfires + " misfires, " + alerts + " alerts, " + deadLetters + " dead letters to "
                    + output;
        }
    }

    public static Summary replay(PulseConfig config, Path input, Path output) throws Exception {
        ReplaySources sources = new ReplaySources(input);
        List<Path> files = sources.check(config);
        Files.createDirectories(output);
        System.err.println("replaying "
                + files.stream().map(p -> p.getFileName().toString()).toList() + " from " + input);
        StreamExecutionEnvironment env = JobEnvironment.create(config, false, new Configuration());
        PulsePipeline.defineWorkflow(env, config, sources, new ReplaySinks(output));
        env.execute("campaign-pulse-replay");
        return new Summary(
                output,
                lines(output.resolve("misfires.jsonl")),
                lines(output.resolve("alerts.jsonl")),
                lines(output.resolve("dead-letters.jsonl")));
    }

    private static long lines(Path file) throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        try (Stream<String> s = Files.lines(file)) {
            return s.count();
        }
    }
}
