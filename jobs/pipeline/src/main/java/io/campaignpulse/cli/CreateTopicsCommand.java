package io.campaignpulse.cli;

import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.source.TopicLayout;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Creates the job's Kafka topics that are missing (idempotent). */
@Command(
        name = "create-topics",
        mixinStandardHelpOptions = true,
        description = "Create the Kafka topics of the configuration that do not exist yet (campaigns compacted).")
public final class CreateTopicsCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions configOptions = new ConfigOptions();

    @Option(
            names = "--partitions",
            defaultValue = "4",
            description = "Partitions per topic, campaigns excepted (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(
            names = "--replication-factor",
            defaultValue = "1",
            description = "Replication factor (default: ${DEFAULT-VALUE}).")
    short replication;

    @Override
    public Integer call() throws Exception {
        PulseConfig config = configOptions.load();
        List<String> created =
                TopicLayout.createMissing(config.kafka().clientProperties(), config.topics(), partitions, replication);
        System.out.println(created.isEmpty() ? "create-topics: all topics exist" : "create-topics: created " + created);
        return 0;
    }
}
