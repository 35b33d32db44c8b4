package io.campaignpulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.campaignpulse.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.flink.configuration.CheckpointingOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `pulse run` never leaves checkpoints in JobManager memory, which refuses any real backlog's state. */
class RunCommandTest {

    @TempDir
    Path home;

    @Test
    void withoutADirectoryAnywhereCheckpointsGoToALocalFolder() {
        var extra = RunCommand.durableCheckpoints(Fixtures.config(), "campaign-pulse", null, home);
        assertThat(extra.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY))
                .isEqualTo(home.resolve(".campaign-pulse/checkpoints/campaign-pulse")
                        .toUri()
                        .toString());
    }

    @Test
    void theConfigurationOrTheClusterChooseWhenTheyNameOne() throws Exception {
        var configured = Fixtures.config(Map.of("checkpoints.directory", "s3://bucket/pulse"));
        assertThat(RunCommand.durableCheckpoints(configured, "campaign-pulse", null, home)
                        .getOptional(CheckpointingOptions.CHECKPOINTS_DIRECTORY))
                .isEmpty();

        Path clusterConf = Files.createDirectories(home.resolve("flink-conf"));
        Files.writeString(
                clusterConf.resolve("config.yaml"), "execution.checkpointing.dir: hdfs:///flink/checkpoints\n");
        assertThat(RunCommand.durableCheckpoints(Fixtures.config(), "campaign-pulse", clusterConf.toString(), home)
                        .getOptional(CheckpointingOptions.CHECKPOINTS_DIRECTORY))
                .isEmpty();

        Files.writeString(clusterConf.resolve("config.yaml"), "parallelism.default: 2\n");
        assertThat(RunCommand.durableCheckpoints(Fixtures.config(), "campaign-pulse", clusterConf.toString(), home)
                        .getOptional(CheckpointingOptions.CHECKPOINTS_DIRECTORY))
                .isPresent();
    }
}
