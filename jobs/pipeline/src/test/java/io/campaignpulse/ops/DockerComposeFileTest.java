package io.campaignpulse.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * docker-compose.yml cannot be run here (no container engine), so it is validated: by
 * docker-compose itself (Debian's package, which .ci/run installs) and for what the stack needs:
 * its services, and that every file it mounts from this repository exists.
 */
class DockerComposeFileTest {

    private static final Path ROOT = Path.of("..", "..").toAbsolutePath().normalize();

    @Test
    void dockerComposeAcceptsTheFile() throws Exception {
        boolean installed = Files.isExecutable(Path.of("/usr/bin/docker-compose"))
                || Files.isExecutable(Path.of("/usr/local/bin/docker-compose"));
        if (!installed) {
            assertThat(System.getenv("CI"))
                    .as("CI must have docker-compose (.ci/run installs it)")
                    .isNull();
            Assumptions.abort("docker-compose is not installed (apt-get install docker-compose); CI checks this");
        }
        Process p = new ProcessBuilder(
                        "docker-compose",
                        "-f",
                        ROOT.resolve("docker-compose.yml").toString(),
                        "config",
                        "-q")
                .redirectErrorStream(true)
                .start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
    }

    @Test
    void theStackHasItsServicesAndEveryMountedFileExists() throws IOException {
        // SnakeYAML resolves anchors and merge keys (<<: *flink) as Compose does.
        Object yaml = new Yaml().load(Files.readString(ROOT.resolve("docker-compose.yml")));
        JsonNode compose = new ObjectMapper().valueToTree(yaml);
        assertThat(compose.path("services").fieldNames())
                .toIterable()
                .contains("kafka", "postgres", "jobmanager", "taskmanager", "setup", "generator", "grafana");
        for (JsonNode raw : compose.path("services")) {
            JsonNode service = raw;
            for (JsonNode volume : service.path("volumes")) {
                String source = volume.asText().split(":")[0];
                if (source.startsWith("./")) {
                    Path path = ROOT.resolve(source.substring(2));
                    if (!source.matches("[.]/jobs/[a-z]+/target.*")) { // built by `mvn package`
                        assertThat(path).as("mounted " + source).exists();
                    }
                }
            }
        }
        assertThat(compose.path("services").path("jobmanager").path("image").asText())
                .isEqualTo("flink:2.2.0-java17");
        assertThat(compose.path("services").path("setup").path("command").toString())
                .contains("flink run", "campaign-pulse.jar");
    }
}
