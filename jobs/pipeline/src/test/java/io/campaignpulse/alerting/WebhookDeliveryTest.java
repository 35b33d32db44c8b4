package io.campaignpulse.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.campaignpulse.Fixtures;
import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.contract.Alert;
import io.campaignpulse.contract.AlertKind;
import io.campaignpulse.contract.AlertState;
import io.campaignpulse.contract.DeadLetter;
import io.campaignpulse.contract.DeadLetterReason;
import io.campaignpulse.contract.Severity;
import io.campaignpulse.ingest.AvroJson;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Routing and webhook delivery against a real HTTP server on loopback, in a Flink MiniCluster:
 * a healthy endpoint gets its messages (Slack-compatible JSON, idempotency key, bearer token);
 * a failing one is retried then recorded as a dead letter; a slow one times out into a dead
 * letter without holding up the others.
 */
class WebhookDeliveryTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(1)
            .build());

    private HttpServer server;
    private final List<JsonNode> received = Collections.synchronizedList(new ArrayList<>());
    private final List<String> headers = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger failingCalls = new AtomicInteger();
    private final AtomicInteger slowCalls = new AtomicInteger();

    @BeforeEach
    void startServer() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/ok", exchange -> {
            received.add(AvroJson.MAPPER.readTree(exchange.getRequestBody().readAllBytes()));
            headers.add(exchange.getRequestHeaders().getFirst("Idempotency-Key") + " "
                    + exchange.getRequestHeaders().getFirst("Authorization"));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.createContext("/failing", exchange -> {
            failingCalls.incrementAndGet();
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
        });
        server.createContext("/slow", exchange -> {
            slowCalls.incrementAndGet();
            try {
                Thread.sleep(3000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    private static Alert alert(String id, String owner, AlertKind kind, Severity severity, int sequence) {
        return Alert.newBuilder()
                .setAlertId(id)
                .setKind(kind)
                .setSeverity(severity)
                .setCampaignId("C-" + owner)
                .setCampaignName("Campaign of " + owner)
                .setTitle("Campaign of " + owner + " is reaching current holders: 42 of 264 sends")
                .setDetail("evidence")
                .setMetrics(Map.of("misfires", 42.0))
                .setWindowStart(Instant.parse("2026-11-22T08:00:00Z"))
                .setWindowEnd(Instant.parse("2026-11-22T09:00:00Z"))
                .setDetectedAt(Instant.parse("2026-11-22T09:10:00Z"))
                .setState(sequence == 1 ? AlertState.OPENED : AlertState.UPDATED)
                .setSequence(sequence)
                .setOwner(owner)
                .setRule("ALREADY_HOLDS_PRODUCT")
                .setCountTotal(42)
                .setCountSinceLast(42)
                .setExampleIds(List.of("s1"))
                .setExampleCustomerIds(List.of("c1"))
                .setSuggestedAction("exclude current holders.")
                .build();
    }

    @Test
    void healthyFailingAndSlowEndpoints() throws Exception {
        PulseConfig.Routing routing = new PulseConfig.Routing(
                List.of(
                        new PulseConfig.Webhook(
                                "cards-chat", url("/ok"), "s3cret", List.of(), List.of("cards-team"), "WARNING"),
                        new PulseConfig.Webhook(
                                "broken",
                                url("/failing"),
                                null,
                                List.of("MISFIRE_RATE"),
                                List.of("savings-team"),
                                "INFO"),
                        new PulseConfig.Webhook(
                                "sluggish", url("/slow"), null, List.of(), List.of("lending-team"), "CRITICAL"),
                        // Not possible through the configuration check, but a job must survive it.
                        new PulseConfig.Webhook(
                                "malformed",
                                "http://chat.example/hooks/se cret",
                                null,
                                List.of(),
                                List.of("news-team"),
                                "INFO")),
                Duration.ofMillis(500),
                3,
                Duration.ofMillis(100),
                10);
        List<Alert> alerts = List.of(
                alert("a1", "cards-team", AlertKind.MISFIRE_RATE, Severity.CRITICAL, 1),
                alert("a1", "cards-team", AlertKind.MISFIRE_RATE, Severity.CRITICAL, 2),
                alert(
                        "a2",
                        "cards-team",
                        AlertKind.TICKET_SURGE,
                        Severity.INFO,
                        1), // below the webhook's minimum: not sent
                alert("a3", "savings-team", AlertKind.MISFIRE_RATE, Severity.WARNING, 1), // -> failing
                alert("a4", "lending-team", AlertKind.SENTIMENT_DROP, Severity.CRITICAL, 1), // -> slow
                alert("a5", "nobody", AlertKind.MISFIRE_RATE, Severity.CRITICAL, 1), // no rule matches
                alert("a6", "news-team", AlertKind.MISFIRE_RATE, Severity.CRITICAL, 1)); // -> malformed URL

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        DataStream<WebhookCall> calls = env.fromData(alerts, new AvroTypeInfo<>(Alert.class))
                .flatMap(new AlertRouter(routing), new AvroTypeInfo<>(WebhookCall.class));
        DataStream<DeadLetter> undelivered = AsyncDataStream.unorderedWait(
                        calls,
                        new WebhookDelivery(routing),
                        WebhookDelivery.totalTimeoutMs(routing),
                        TimeUnit.MILLISECONDS,
                        routing.maxInFlight())
                .returns(new AvroTypeInfo<>(DeadLetter.class));
        List<DeadLetter> deadLetters = new ArrayList<>();
        try (CloseableIterator<DeadLetter> it = undelivered.executeAndCollect()) {
            it.forEachRemaining(deadLetters::add);
        }

        assertThat(received)
                .extracting(j ->
                        j.get("alert_id").asText() + "#" + j.get("sequence").asInt())
                .containsExactlyInAnyOrder("a1#1", "a1#2");
        JsonNode first = received.stream()
                .filter(j -> j.get("sequence").asInt() == 1)
                .findFirst()
                .orElseThrow();
        assertThat(first.get("text").asText())
                .isEqualTo("*[CRITICAL] OPENED* Campaign of cards-team is reaching current holders: 42 of 264 sends "
                        + "(owner: cards-team)\nSuggested action: exclude current holders.");
        assertThat(first.get("owner").asText()).isEqualTo("cards-team");
        assertThat(first.get("metrics").get("misfires").asDouble()).isEqualTo(42.0);
        assertThat(headers).containsExactlyInAnyOrder("a1#1 Bearer s3cret", "a1#2 Bearer s3cret");

        assertThat(failingCalls).as("three attempts").hasValue(3);
        assertThat(slowCalls.get()).as("retried after each timeout").isEqualTo(3);
        assertThat(deadLetters)
                .extracting(DeadLetter::getSourceTopic, DeadLetter::getReason)
                .containsExactlyInAnyOrder(
                        Tuple.tuple("webhook:broken", DeadLetterReason.DELIVERY_FAILED),
                        Tuple.tuple("webhook:sluggish", DeadLetterReason.DELIVERY_FAILED),
                        Tuple.tuple("webhook:malformed", DeadLetterReason.DELIVERY_FAILED));
        DeadLetter broken = deadLetters.stream()
                .filter(d -> d.getSourceTopic().equals("webhook:broken"))
                .findFirst()
                .orElseThrow();
        assertThat(broken.getDetail())
                .isEqualTo("webhook broken: alert a3 message 1 (OPENED) not delivered: HTTP 503 after 3 attempts");
        assertThat(new String(broken.getPayload().array(), StandardCharsets.UTF_8))
                .contains("\"alert_id\":\"a3\"");
        DeadLetter slow = deadLetters.stream()
                .filter(d -> d.getSourceTopic().equals("webhook:sluggish"))
                .findFirst()
                .orElseThrow();
        assertThat(slow.getDetail()).endsWith("not delivered: timed out after 3 attempts");
        assertThat(deadLetters)
                .allSatisfy(d -> assertThat(d.getDetail()).doesNotContain("127.0.0.1", "s3cret", "cret"));
    }

    @Test
    void routingRulesAreParsedAndValidatedFromTheConfiguration() {
        PulseConfig config = Fixtures.config(Map.of());
        assertThat(config.routing().webhooks()).as("none by default").isEmpty();
        assertThat(WebhookDelivery.totalTimeoutMs(config.routing()))
                .as("3 x 5 s + 1 s + 2 s of backoff + 1 s")
                .isEqualTo(19_000);
    }
}
