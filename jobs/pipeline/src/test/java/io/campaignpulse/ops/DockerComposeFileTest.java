package io.campaignpulse.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
        runsCleanly(
                installed,
                "docker-compose",
                "docker-compose",
                "-f",
                ROOT.resolve("docker-compose.yml").toString(),
                "config",
                "-q");
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
                .contains("submit-to-cluster", "campaign-pulse.jar");
    }

    @Test
    void theStackKeepsItsDataAndStartsInOrder() throws IOException {
        JsonNode services = new ObjectMapper()
                .valueToTree(new Yaml().load(Files.readString(ROOT.resolve("docker-compose.yml"))))
                .path("services");

        // Kafka writes where its volume is mounted, not to the image's /tmp default.
        JsonNode kafka = services.path("kafka");
        String kafkaMount = mountTarget(kafka, "kafka-data");
        assertThat(kafka.path("environment").path("KAFKA_LOG_DIRS").asText()).isEqualTo(kafkaMount);

        // The Flink image runs as user flink; the flink-data volume is handed over first by a
        // one-shot root step, and every Flink service that mounts it waits for that step.
        JsonNode init = services.path("flink-data-init");
        assertThat(init.path("user").asText()).isEqualTo("root");
        assertThat(init.path("entrypoint").toString())
                .contains("chown -R flink:flink " + mountTarget(init, "flink-data"));
        services.fields().forEachRemaining(e -> {
            if (!e.getKey().equals("flink-data-init")
                    && !e.getKey().equals("generator")
                    && mountTarget(e.getValue(), "flink-data") != null) {
                assertThat(e.getValue()
                                .path("depends_on")
                                .path("flink-data-init")
                                .path("condition")
                                .asText())
                        .as(e.getKey() + " waits for the volume's owner to be set")
                        .isEqualTo("service_completed_successfully");
            }
        });

        // Long-running services come back; one-shot ones do not.
        for (String name : List.of("kafka", "postgres", "jobmanager", "taskmanager", "prometheus", "grafana")) {
            assertThat(services.path(name).path("restart").asText()).as(name).isEqualTo("unless-stopped");
        }
        for (String name : List.of("setup", "generator", "flink-data-init")) {
            assertThat(services.path(name).path("restart").asText()).as(name).isEqualTo("no");
        }

        // Every long-running service has a healthcheck; setup waits for the TaskManager's.
        for (String name : List.of("kafka", "postgres", "jobmanager", "taskmanager", "prometheus")) {
            assertThat(services.path(name).path("healthcheck").path("test").isMissingNode())
                    .as(name + " healthcheck")
                    .isFalse();
        }
        assertThat(services.path("setup")
                        .path("depends_on")
                        .path("taskmanager")
                        .path("condition")
                        .asText())
                .isEqualTo("service_healthy");

        // Memory limits above the process sizes Flink is configured with.
        Map<String, Object> flink = new Yaml().load(Files.readString(ROOT.resolve("conf/flink/config.yaml")));
        assertThat(bytes(services.path("jobmanager").path("mem_limit").asText()))
                .isGreaterThan(bytes(String.valueOf(flink.get("jobmanager.memory.process.size"))));
        assertThat(bytes(services.path("taskmanager").path("mem_limit").asText()))
                .isGreaterThan(bytes(String.valueOf(flink.get("taskmanager.memory.process.size"))));

        // A second `up` must not submit a second job (SubmitToClusterTest runs the script).
        assertThat(services.path("setup").path("command").toString()).contains("/campaign-pulse/bin/submit-to-cluster");
        assertThat(mountTarget(services.path("setup"), "./jobs/bin")).isEqualTo("/campaign-pulse/bin");
    }

    @Test
    void prometheusScrapesThePortTheFlinkReportersServe() throws Exception {
        Map<String, Object> flink = new Yaml().load(Files.readString(ROOT.resolve("conf/flink/config.yaml")));
        assertThat(flink.get("metrics.reporter.prom.factory.class"))
                .isEqualTo("org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        String firstPort =
                String.valueOf(flink.get("metrics.reporter.prom.port")).split("-")[0];
        JsonNode prometheus = new ObjectMapper()
                .valueToTree(new Yaml().load(Files.readString(ROOT.resolve("conf/prometheus/prometheus.yml"))));
        JsonNode discovery =
                prometheus.path("scrape_configs").get(0).path("dns_sd_configs").get(0);
        assertThat(discovery.path("port").asText()).isEqualTo(firstPort);
        assertThat(discovery.path("names").toString()).contains("jobmanager", "taskmanager");
        JsonNode service = new ObjectMapper()
                .valueToTree(new Yaml().load(Files.readString(ROOT.resolve("docker-compose.yml"))))
                .path("services")
                .path("prometheus");
        assertThat(mountTarget(service, "./conf/prometheus")).isEqualTo("/etc/prometheus");

        // Prometheus' own check of the file (Debian's package, which .ci/run installs).
        runsCleanly(
                Files.isExecutable(Path.of("/usr/bin/promtool")),
                "prometheus",
                "promtool",
                "check",
                "config",
                ROOT.resolve("conf/prometheus/prometheus.yml").toString());
    }

    /**
     * Runs a checker from a Debian package and requires exit code 0. Without the package the check
     * is skipped locally; under CI=true (.ci/run installs it) its absence fails.
     */
    private static void runsCleanly(boolean installed, String debianPackage, String... command) throws Exception {
        if (!installed) {
            assertThat(System.getenv("CI"))
                    .as("CI must have " + command[0] + " (.ci/run installs " + debianPackage + ")")
                    .isNull();
            Assumptions.abort(command[0] + " is not installed (apt-get install " + debianPackage + "); CI checks this");
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
    }

    /** Where a service mounts a volume or host path, or null. */
    private static String mountTarget(JsonNode service, String source) {
        for (JsonNode volume : service.path("volumes")) {
            String[] parts = volume.asText().split(":");
            if (parts[0].equals(source)) {
                return parts[1];
            }
        }
        return null;
    }

    /** "1600m", "4g", "2g" in bytes. */
    private static long bytes(String size) {
        String s = size.trim().toLowerCase(Locale.ROOT);
        long unit = s.endsWith("g") ? 1L << 30 : s.endsWith("m") ? 1L << 20 : s.endsWith("k") ? 1L << 10 : 1;
        return Long.parseLong(s.replaceAll("[a-z]+$", "")) * unit;
    }
}
