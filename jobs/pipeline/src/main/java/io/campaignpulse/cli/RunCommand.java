package io.campaignpulse.cli;

import io.campaignpulse.JobEnvironment;
import io.campaignpulse.PulsePipeline;
import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.sink.LiveSinks;
import io.campaignpulse.sink.PostgresMigrations;
import io.campaignpulse.source.KafkaSources;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Runs the job against existing Kafka and PostgreSQL: on a cluster under `flink run`, or locally. */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = {
            "Run the Campaign Pulse job against your own Kafka and PostgreSQL.",
            "Under `flink run campaign-pulse.jar run ...` it is submitted to that Flink cluster; "
                    + "started directly it runs in a local Flink MiniCluster."
        })
public final class RunCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions configOptions = new ConfigOptions();

    @Option(
            names = {"--migrate", "--create-tables"},
            negatable = true,
            defaultValue = "true",
            fallbackValue = "true",
            description = "Create or upgrade the PostgreSQL output tables (versioned migrations) before starting"
                    + " (default: ${DEFAULT-VALUE}).")
    boolean migrate;

    @Option(
            names = "--job-name",
            defaultValue = "campaign-pulse",
            description = "Flink job name (default: ${DEFAULT-VALUE}).")
    String jobName;

    @Override
    public Integer call() throws Exception {
        PulseConfig config = configOptions.load();
        if (config.postgres().enabled() && migrate) {
            System.out.println(MigrateCommand.describe(PostgresMigrations.migrate(config.postgres())));
        }
        StreamExecutionEnvironment env = JobEnvironment.create(config, true, durableCheckpoints(config));
        PulsePipeline.defineWorkflow(env, config, new KafkaSources(), new LiveSinks(config));
        env.execute(jobName);
        return 0;
    }

    /**
     * Checkpoints never go to JobManager memory: that storage refuses state over 5 MB, and a job
     * reading a backlog then fails every checkpoint and restarts forever without committing any
     * output. Unless the configuration or the cluster (FLINK_CONF_DIR) names a directory, they go
     * to a local folder, printed here.
     */
    private Configuration durableCheckpoints(PulseConfig config) {
        Configuration extra = durableCheckpoints(
                config, jobName, System.getenv("FLINK_CONF_DIR"), Path.of(System.getProperty("user.home")));
        extra.getOptional(CheckpointingOptions.CHECKPOINTS_DIRECTORY)
                .ifPresent(dir -> System.err.println(
                        "checkpoints go to " + dir + " (set checkpoints.directory to choose another place)"));
        return extra;
    }

    /** The Flink settings that give checkpoints a durable home; empty where the configuration or the cluster names one. */
    static Configuration durableCheckpoints(PulseConfig config, String jobName, String flinkConfDir, Path home) {
        Configuration extra = new Configuration();
        boolean clusterNamesOne = flinkConfDir != null
                && GlobalConfiguration.loadConfiguration(flinkConfDir)
                        .getOptional(CheckpointingOptions.CHECKPOINTS_DIRECTORY)
                        .isPresent();
        if (config.checkpoints().directory().isBlank() && !clusterNamesOne) {
            Path dir = home.resolve(Path.of(".campaign-pulse", "checkpoints", jobName))
                    .toAbsolutePath();
            extra.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, dir.toUri().toString());
        }
        return extra;
    }
}
