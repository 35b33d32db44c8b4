package io.campaignpulse.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/**
 * The job jar operators submit carries what runs on the cluster and nothing of the local tools:
 * no demo, generator, benchmark or launcher class, no embedded broker or database, and no Flink.
 * (An integration test: the pipeline module's `package` builds the jar before this module runs.)
 */
class JobJarContentIT {

    private static final Path JOB_JAR = Path.of("..", "pipeline", "target", "campaign-pulse.jar");

    @Test
    void theJobJarHasThePipelineAndNoneOfTheTools() throws Exception {
        assertThat(JOB_JAR)
                .as("the shaded job jar, built by the pipeline module's package phase")
                .exists();
        List<String> entries;
        try (JarFile jar = new JarFile(JOB_JAR.toFile())) {
            entries = jar.stream().map(ZipEntry::getName).toList();
            assertThat(jar.getManifest().getMainAttributes().getValue("Main-Class"))
                    .isEqualTo("io.campaignpulse.cli.PulseCli");
        }
        assertThat(entries)
                .as("what the cluster runs")
                .contains(
                        "io/campaignpulse/PulsePipeline.class",
                        "io/campaignpulse/customer/CustomerProcessor.class",
                        "io/campaignpulse/cli/RunCommand.class",
                        "org/apache/flink/connector/kafka/source/KafkaSource.class",
                        "org/postgresql/Driver.class");
        assertThat(entries)
                .as("demo, generator, ground truth, benchmark, launcher, embedded infrastructure")
                .noneMatch(e -> e.startsWith("io/campaignpulse/demo/")
                        || e.startsWith("io/campaignpulse/bench/")
                        || e.startsWith("io/campaignpulse/tools/")
                        || (e.startsWith("kafka/") && e.endsWith(".class"))
                        || e.startsWith("org/apache/kafka/common/test/")
                        || e.startsWith("io/zonky/")
                        || e.contains("DemoWorld")
                        || e.contains("LocalInfrastructure"));
        assertThat(entries)
                .as("Flink itself comes from the cluster")
                .noneMatch(e -> e.startsWith("org/apache/flink/streaming/api/environment/")
                        || e.startsWith("org/apache/flink/runtime/"));
        assertThat(Files.size(JOB_JAR)).as("size in bytes").isPositive();
    }
}
