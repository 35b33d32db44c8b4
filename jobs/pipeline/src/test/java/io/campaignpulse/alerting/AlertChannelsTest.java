package io.campaignpulse.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.contract.Alert;
import io.campaignpulse.contract.AlertKind;
import io.campaignpulse.contract.AlertState;
import io.campaignpulse.contract.DeadLetter;
import io.campaignpulse.contract.Severity;
import io.campaignpulse.ingest.AvroJson;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every webhook format delivered for real (the job's asynchronous delivery, a Flink MiniCluster)
 * to an HTTP receiver per format, whose body is checked against the target's documented shape
 * and limits: Slack Block Kit, a Teams Adaptive Card, Google Chat, Discord, PagerDuty Events v2,
 * and the generic JSON. Among the alerts is one with a 10,000-character detail, so the limits
 * are reached.
 */
class AlertChannelsTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(1)
            .build());

    private static final String LINK = "https://grafana.example/d/campaign-pulse?var-campaign={campaign_id}";

    private HttpServer server;
    /** Bodies by format, and each request's Authorization header. */
    private final Map<String, List<JsonNode>> bodies = new ConcurrentHashMap<>();

    private final List<String> authorizations = new CopyOnWriteArrayList<>();

    @BeforeEach
    void receivers() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        for (String format : PulseConfig.Webhook.FORMATS) {
            server.createContext("/" + format, exchange -> {
                String auth = exchange.getRequestHeaders().getFirst("Authorization");
                authorizations.add(format + " " + auth);
                bodies.computeIfAbsent(format, f -> new CopyOnWriteArrayList<>())
                        .add(AvroJson.MAPPER.readTree(exchange.getRequestBody().readAllBytes()));
                exchange.sendResponseHeaders(format.equals("pagerduty") ? 202 : 200, -1);
                exchange.close();
            });
        }
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static Alert alert(String id, AlertState state, Severity severity, String detail) {
        return Alert.newBuilder()
                .setAlertId(id)
                .setKind(AlertKind.MISFIRE_RATE)
                .setSeverity(severity)
                .setCampaignId("C-PLAT")
                .setCampaignName("Platinum Card Push")
                .setTitle("Platinum Card Push is reaching current holders: 42 of 264 sends")
                .setDetail(detail)
                .setMetrics(Map.of("misfires", 42.0, "sends", 264.0, "misfire_share", 0.159))
                .setWindowStart(Instant.parse("2026-11-22T08:00:00Z"))
                .setWindowEnd(Instant.parse("2026-11-22T09:00:00Z"))
                .setDetectedAt(Instant.parse("2026-11-22T09:10:00Z"))
                .setState(state)
                .setSequence(state == AlertState.OPENED ? 1 : 2)
                .setOwner("cards-team")
                .setRule("ALREADY_HOLDS_PRODUCT")
                .setCountTotal(42)
                .setCountSinceLast(state == AlertState.OPENED ? 42 : 0)
                .setExampleIds(List.of("s1"))
                .setExampleCustomerIds(List.of("c1"))
                .setSuggestedAction("Exclude current holders of CARD-PLAT from the audience.")
                .build();
    }

    @Test
    void everyFormatReachesItsReceiverInTheShapeTheReceiverDocuments() throws Exception {
        List<PulseConfig.Webhook> webhooks = new ArrayList<>();
        for (String format : PulseConfig.Webhook.FORMATS) {
            webhooks.add(new PulseConfig.Webhook(
                    format,
                    "http://127.0.0.1:" + server.getAddress().getPort() + "/" + format,
                    format.equals("pagerduty") ? "R0UT1NGKEY0123456789abcdef012345" : "tok",
                    List.of(),
                    List.of(),
                    "INFO",
                    format));
        }
        PulseConfig.Routing routing =
                new PulseConfig.Routing(webhooks, Duration.ofSeconds(5), 2, Duration.ofMillis(100), 10, LINK);
        List<Alert> alerts = List.of(
                alert(
                        "a1",
                        AlertState.OPENED,
                        Severity.CRITICAL,
                        "42 sends offered CARD-PLAT to customers holding it."),
                alert("a2", AlertState.UPDATED, Severity.WARNING, "x".repeat(10_000)),
                alert("a1", AlertState.RESOLVED, Severity.CRITICAL, "No misfires for 2 hours."));

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        DataStream<WebhookCall> calls = env.fromData(alerts, new AvroTypeInfo<>(Alert.class))
                .flatMap(new AlertRouter(routing), new AvroTypeInfo<>(WebhookCall.class));
        List<DeadLetter> undelivered = new ArrayList<>();
        try (CloseableIterator<DeadLetter> it = AsyncDataStream.orderedWait(
                        calls,
                        new WebhookDelivery(routing),
                        WebhookDelivery.totalTimeoutMs(routing),
                        TimeUnit.MILLISECONDS,
                        10)
                .returns(new AvroTypeInfo<>(DeadLetter.class))
                .executeAndCollect()) {
            it.forEachRemaining(undelivered::add);
        }
        assertThat(undelivered).isEmpty();
        for (String format : PulseConfig.Webhook.FORMATS) {
            assertThat(bodies.get(format)).as(format).hasSize(3);
        }
        String link = "https://grafana.example/d/campaign-pulse?var-campaign=C-PLAT";

        // Slack Block Kit: at most 50 blocks; a header's plain text at most 150 characters, a
        // section's text 3,000, at most 10 fields of 2,000; a colour per severity; a button.
        for (JsonNode slack : bodies.get("slack")) {
            assertThat(slack.path("text").asText()).isNotBlank();
            JsonNode attachment = slack.path("attachments").get(0);
            assertThat(attachment.path("color").asText()).matches("#[0-9a-f]{6}");
            JsonNode blocks = attachment.path("blocks");
            assertThat(blocks.size()).isBetween(1, 50);
            for (JsonNode block : blocks) {
                String type = block.path("type").asText();
                assertThat(type).isIn("header", "section", "context", "actions", "divider");
                if (type.equals("header")) {
                    assertThat(block.path("text").path("type").asText()).isEqualTo("plain_text");
                    assertThat(block.path("text").path("text").asText().length())
                            .isBetween(1, 150);
                }
                if (type.equals("section")) {
                    assertThat(block.path("text").path("text").asText().length())
                            .isBetween(1, 3000);
                    assertThat(block.path("fields").size()).isLessThanOrEqualTo(10);
                    block.path("fields")
                            .forEach(f ->
                                    assertThat(f.path("text").asText().length()).isBetween(1, 2000));
                }
                if (type.equals("actions")) {
                    assertThat(block.path("elements").get(0).path("url").asText())
                            .isEqualTo(link);
                }
            }
            assertThat(slack.toString()).contains("pulse control --campaign C-PLAT --mute");
        }
        // The three calls are in flight together: each message is found by its headline, not by arrival.
        assertThat(bodies.get("slack"))
                .extracting(b -> b.path("text")
                                .asText()
                                .substring(0, b.path("text").asText().indexOf(':')) + " "
                        + b.path("attachments").get(0).path("color").asText())
                .as("a colour per severity, green once resolved")
                .containsExactlyInAnyOrder(
                        "[CRITICAL] OPENED #e01e5a", "[WARNING] UPDATED #ecb22e", "[CRITICAL] RESOLVED #2eb67d");

        // Teams (Workflows webhook): a message whose attachment is an Adaptive Card.
        for (JsonNode teams : bodies.get("teams")) {
            assertThat(teams.path("type").asText()).isEqualTo("message");
            JsonNode attachment = teams.path("attachments").get(0);
            assertThat(attachment.path("contentType").asText()).isEqualTo("application/vnd.microsoft.card.adaptive");
            JsonNode card = attachment.path("content");
            assertThat(card.path("type").asText()).isEqualTo("AdaptiveCard");
            assertThat(card.path("version").asText()).isEqualTo("1.4");
            assertThat(card.path("body").size()).isPositive();
            card.path("body").forEach(b -> {
                assertThat(b.path("type").asText()).isIn("TextBlock", "FactSet");
                if (b.path("type").asText().equals("FactSet")) {
                    b.path("facts")
                            .forEach(f -> assertThat(f.path("title").asText()).isNotBlank());
                }
            });
            assertThat(card.path("actions").get(0).path("type").asText()).isEqualTo("Action.OpenUrl");
            assertThat(card.path("actions").get(0).path("url").asText()).isEqualTo(link);
        }

        // Google Chat refuses unknown fields: "text" only, at most 4,096 characters. Discord: "content", 2,000.
        for (JsonNode chat : bodies.get("google-chat")) {
            assertThat(fieldNames(chat)).containsExactly("text");
            assertThat(chat.path("text").asText().length()).isBetween(1, 4096);
            assertThat(chat.path("text").asText()).contains(link, "pulse control --campaign C-PLAT --mute");
        }
        for (JsonNode discord : bodies.get("discord")) {
            assertThat(fieldNames(discord)).containsExactly("content");
            assertThat(discord.path("content").asText().length()).isBetween(1, 2000);
        }

        // PagerDuty Events API v2: the routing key in the body, dedup_key = alert_id, OPENED and
        // UPDATED trigger, RESOLVED resolves; a trigger's payload has summary (<= 1,024),
        // source and a severity PagerDuty knows.
        List<JsonNode> pages = bodies.get("pagerduty");
        assertThat(pages)
                .extracting(p -> p.path("dedup_key").asText() + " "
                        + p.path("event_action").asText())
                .containsExactlyInAnyOrder("a1 trigger", "a2 trigger", "a1 resolve");
        for (JsonNode page : pages) {
            assertThat(page.path("routing_key").asText()).isEqualTo("R0UT1NGKEY0123456789abcdef012345");
            if (page.path("event_action").asText().equals("trigger")) {
                JsonNode payload = page.path("payload");
                assertThat(payload.path("summary").asText().length()).isBetween(1, 1024);
                assertThat(payload.path("source").asText()).isNotBlank();
                assertThat(payload.path("severity").asText()).isIn("critical", "error", "warning", "info");
                assertThat(Instant.parse(payload.path("timestamp").asText())).isNotNull();
                assertThat(page.path("links").get(0).path("href").asText()).isEqualTo(link);
            }
        }

        // The generic body keeps today's fields, with the link and the way to mute.
        JsonNode generic = bodies.get("generic").stream()
                .filter(b -> b.path("alert_id").asText().equals("a1"))
                .findFirst()
                .orElseThrow();
        assertThat(generic.path("alert_id").asText()).isNotBlank();
        assertThat(generic.path("text").asText()).isNotBlank();
        assertThat(generic.path("campaign_url").asText()).isEqualTo(link);
        assertThat(generic.path("mute").asText()).startsWith("pulse control --campaign C-PLAT --mute");

        // A bearer token for the chat receivers; none for PagerDuty, whose key is in the body.
        assertThat(authorizations).filteredOn(h -> h.startsWith("pagerduty ")).containsOnly("pagerduty null");
        assertThat(authorizations)
                .filteredOn(h -> !h.startsWith("pagerduty "))
                .allSatisfy(h -> assertThat(h).endsWith(" Bearer tok"));
    }

    private static Set<String> fieldNames(JsonNode json) {
        Set<String> names = new TreeSet<>();
        json.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
