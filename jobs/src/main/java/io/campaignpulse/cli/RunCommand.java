package io.campaignpulse.cli;

import io.campaignpulse.JobEnvironment;
import io.campaignpulse.PulsePipeline;
import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.sink.LiveSinks;
import io.campaignpulse.sink.PostgresOutputs;
import io.campaignpulse.source.KafkaSources;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Runs the job against existing Kafka and PostgreSQL: on a cluster under `flink run`, or locally. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run the Campaign Pulse job against your own Kafka and PostgreSQL.",
            "Under `flink run campaign-pulse.jar run ...` it is submitted to that Flink cluster; "
                    + "started directly it runs in a local Flink MiniCluster."})
public final class RunCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions configOptions = new ConfigOptions();

    @Option(names = "--create-tables", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Create the PostgreSQL output tables if missing before starting (default: ${DEFAULT-VALUE}).")
    boolean createTables;

    @Option(names = "--job-name", defaultValue = "campaign-pulse", description = "Flink job name (default: ${DEFAULT-VALUE}).")
    String jobName;

    @Override
    public Integer call() throws Exception {
        PulseConfig config = configOptions.load();
        if (config.postgres().enabled() && createTables) {
            PostgresOutputs.createTables(config.postgres().url(), config.postgres().username(), config.postgres().password());
        }
        StreamExecutionEnvironment env = JobEnvironment.create(config, true, new Configuration());
        PulsePipeline.defineWorkflow(env, config, new KafkaSources(), new LiveSinks(config));
        env.execute(jobName);
        return 0;
    }
}
