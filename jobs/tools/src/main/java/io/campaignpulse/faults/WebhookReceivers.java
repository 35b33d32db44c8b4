package io.campaignpulse.faults;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.campaignpulse.contract.Alert;
import io.campaignpulse.contract.DeadLetterReason;
import io.campaignpulse.demo.CommittedRecords;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Scenario 1 (TaskManager kills) with two webhook receivers at the same time: a slow one that
 * answers after seconds (the first attempt of every third message only after the job's
 * per-attempt timeout, so it is retried) and one that always fails with HTTP 503. Webhooks are
 * at least once: after each kill the messages in flight are sent again. So the slow receiver must
 * have received every message of the committed alerts topic (repeats allowed, counted), and
 * nothing that is not in it; every message to the failing one must be exactly one
 * DELIVERY_FAILED dead letter; the webhooks' URL path and token (their secrets) must appear in no
 * log.
 */
final class WebhookReceivers implements FaultSuite.Fault {

    static final String SECRET = "hook-secret-5e2a";

    /** An answer slower than the job's per-attempt limit (routing.timeout, 5 s by default). */
    private static final long TOO_SLOW_MS = 6_500;

    private static final long SLOW_MS = 1_500;

    private final TaskManagerKills kills;
    private final Map<String, Integer> slowReceived = new ConcurrentHashMap<>();
    private final Map<String, Integer> failingReceived = new ConcurrentHashMap<>();
    private final ExecutorService handlers = Executors.newFixedThreadPool(32);
    private HttpServer server;
    private int deliveryFailures;

    WebhookReceivers(int kills) {
        this.kills = new TaskManagerKills(kills);
    }

    @Override
    public List<String> jobArgs(Path dir) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(handlers);
        server.createContext("/slow/" + SECRET, this::slow);
        server.createContext("/failing/" + SECRET, this::failing);
        server.start();
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        Path conf = dir.resolve("webhooks.yaml");
        Files.writeString(
                conf,
                String.join(
                        "\n",
                        "routing:",
                        "  timeout: 5s",
                        "  max-attempts: 3",
                        "  backoff: 1s",
                        "  webhooks:",
                        "    - name: slow-receiver",
                        "      url: " + base + "/slow/" + SECRET,
                        "      token: " + SECRET,
                        "    - name: failing-receiver",
                        "      url: " + base + "/failing/" + SECRET,
                        "      token: " + SECRET,
                        ""));
        return List.of("--config", conf.toString());
    }

    private void slow(HttpExchange exchange) throws IOException {
        String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
        exchange.getRequestBody().readAllBytes();
        int attempt = slowReceived.merge(String.valueOf(key), 1, Integer::sum);
        try {
            Thread.sleep(attempt == 1 && Math.floorMod(String.valueOf(key).hashCode(), 3) == 0 ? TOO_SLOW_MS : SLOW_MS);
            answer(exchange, 200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // The job gave up on this attempt (its timeout): it retries; nothing to answer.
        }
    }

    private void failing(HttpExchange exchange) throws IOException {
        String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
        exchange.getRequestBody().readAllBytes();
        failingReceived.merge(String.valueOf(key), 1, Integer::sum);
        answer(exchange, 503);
    }

    private static void answer(HttpExchange exchange, int status) throws IOException {
        exchange.sendResponseHeaders(status, -1);
        exchange.close();
    }

    @Override
    public double inject(FaultSuite.Run run) throws Exception {
        return kills.inject(run);
    }

    @Override
    public List<String> verify(FaultSuite.Run run) throws Exception {
        Set<String> committed = new HashSet<>();
        for (CommittedRecords.Keyed<Alert> r : CommittedRecords.read(
                run.infra().bootstrapServers(), run.config().topics().alerts(), Alert.class)) {
            committed.add(r.value().getAlertId() + "#" + r.value().getSequence());
        }
        deliveryFailures = committed.size();
        List<String> problems = new ArrayList<>();
        if (committed.isEmpty()) {
            problems.add("no alert messages were committed: the webhooks were not exercised");
        }
        Set<String> undelivered = new HashSet<>(committed);
        undelivered.removeAll(slowReceived.keySet());
        Set<String> unknown = new HashSet<>(slowReceived.keySet());
        unknown.removeAll(committed);
        Set<String> neverTried = new HashSet<>(committed);
        neverTried.removeAll(failingReceived.keySet());
        if (!undelivered.isEmpty()) {
            problems.add(undelivered.size() + " alert messages never reached the slow webhook");
        }
        if (!unknown.isEmpty()) {
            problems.add(unknown.size() + " webhook messages that the alerts topic does not have");
        }
        if (!neverTried.isEmpty()) {
            problems.add(neverTried.size() + " alert messages never tried on the failing webhook");
        }
        int requests =
                slowReceived.values().stream().mapToInt(Integer::intValue).sum();
        run.out()
                .printf(
                        "faults: webhooks: %d alert messages committed; slow receiver got %d requests for %d of them"
                                + " (%d repeats: timeouts retried, or sent again after a kill); failing receiver got %d"
                                + " requests%n",
                        committed.size(),
                        requests,
                        slowReceived.size(),
                        requests - slowReceived.size(),
                        failingReceived.values().stream()
                                .mapToInt(Integer::intValue)
                                .sum());
        return problems;
    }

    @Override
    public Map<DeadLetterReason, Integer> deadLetters() {
        return Map.of(DeadLetterReason.DELIVERY_FAILED, deliveryFailures);
    }

    @Override
    public List<String> neverLogged() {
        return List.of(SECRET);
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
        }
        handlers.shutdownNow();
    }
}
