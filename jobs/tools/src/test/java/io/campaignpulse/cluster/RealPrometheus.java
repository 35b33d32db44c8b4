package io.campaignpulse.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real Prometheus server (Debian's prometheus package) scraping a local cluster's reporters
 * every second, queried through its HTTP API as Grafana queries it.
 */
final class RealPrometheus implements AutoCloseable {

    static final Path BINARY = Path.of("/usr/bin/prometheus");

    private final Process process;
    private final int port;
    private final HttpClient http = HttpClient.newHttpClient();

    private RealPrometheus(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static boolean installed() {
        return Files.isExecutable(BINARY);
    }

    /** Starts scraping 127.0.0.1 on {@code targets} (the reporters' ports); returns once it answers. */
    static RealPrometheus start(Path dir, Collection<Integer> targets) throws Exception {
        Files.createDirectories(dir);
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(
                config,
                String.join(
                        "\n",
                        "global:",
                        "  scrape_interval: 1s",
                        "scrape_configs:",
                        "  - job_name: flink",
                        "    static_configs:",
                        "      - targets: ["
                                + targets.stream()
                                        .map(p -> "'127.0.0.1:" + p + "'")
                                        .collect(Collectors.joining(", "))
                                + "]",
                        ""));
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Process process = new ProcessBuilder(
                        BINARY.toString(),
                        "--config.file=" + config,
                        "--storage.tsdb.path=" + dir.resolve("data"),
                        "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("prometheus.log").toFile())
                .start();
        RealPrometheus prometheus = new RealPrometheus(process, port);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!prometheus.ready()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                prometheus.close();
                throw new IllegalStateException("Prometheus did not start; see " + dir.resolve("prometheus.log"));
            }
            Thread.sleep(250);
        }
        return prometheus;
    }

    private boolean ready() {
        try {
            return http.send(
                                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/-/ready"))
                                            .build(),
                                    HttpResponse.BodyHandlers.discarding())
                            .statusCode()
                    == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The series an instant query returns now. */
    List<JsonNode> query(String promql) throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/query?query="
                                + URLEncoder.encode(promql, StandardCharsets.UTF_8)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode body = new ObjectMapper().readTree(r.body());
        if (!"success".equals(body.path("status").asText())) {
            throw new IllegalStateException("Prometheus refused " + promql + ": " + r.body());
        }
        return List.copyOf(body.path("data").path("result").findParents("metric"));
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
