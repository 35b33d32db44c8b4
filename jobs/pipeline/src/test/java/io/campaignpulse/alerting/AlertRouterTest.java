package io.campaignpulse.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.contract.Alert;
import io.campaignpulse.contract.AlertKind;
import io.campaignpulse.contract.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

/** Which webhooks an alert message goes to: by kind, campaign owner and severity. */
class AlertRouterTest {

    private static Alert alert(AlertKind kind, Severity severity, String owner) {
        Instant t = Instant.parse("2026-11-20T09:00:00Z");
        return Alert.newBuilder()
                .setAlertId("a")
                .setKind(kind)
                .setSeverity(severity)
                .setCampaignId("C1")
                .setCampaignName("C1")
                .setTitle("t")
                .setDetail("d")
                .setMetrics(Map.of())
                .setWindowStart(t)
                .setWindowEnd(t)
                .setDetectedAt(t)
                .setOwner(owner)
                .build();
    }

    private static List<String> routed(AlertRouter router, Alert alert) {
        List<String> names = new ArrayList<>();
        router.flatMap(alert, new Collector<>() {
            @Override
            public void collect(WebhookCall call) {
                names.add(call.getWebhook());
            }

            @Override
            public void close() {}
        });
        return names;
    }

    @Test
    void eachWebhookGetsTheKindsOwnersAndSeveritiesItAsksFor() {
        AlertRouter router = new AlertRouter(new PulseConfig.Routing(
                List.of(
                        new PulseConfig.Webhook("everything", "http://a", null, List.of(), List.of(), "INFO"),
                        new PulseConfig.Webhook(
                                "cards-critical",
                                "http://b",
                                null,
                                List.of("MISFIRE_RATE"),
                                List.of("cards-team"),
                                "CRITICAL"),
                        new PulseConfig.Webhook(
                                "sentiment",
                                "http://c",
                                null,
                                List.of("SENTIMENT_DROP", "TICKET_SURGE"),
                                List.of(),
                                "WARNING")),
                Duration.ofSeconds(5),
                3,
                Duration.ofSeconds(1),
                10));

        assertThat(routed(router, alert(AlertKind.MISFIRE_RATE, Severity.CRITICAL, "cards-team")))
                .containsExactly("everything", "cards-critical");
        assertThat(routed(router, alert(AlertKind.MISFIRE_RATE, Severity.WARNING, "cards-team")))
                .containsExactly("everything");
        assertThat(routed(router, alert(AlertKind.MISFIRE_RATE, Severity.CRITICAL, null)))
                .containsExactly("everything");
        assertThat(routed(router, alert(AlertKind.TICKET_SURGE, Severity.WARNING, "cards-team")))
                .containsExactly("everything", "sentiment");
        assertThat(routed(router, alert(AlertKind.SENTIMENT_DROP, Severity.INFO, null)))
                .containsExactly("everything");
        assertThat(routed(router, alert(AlertKind.UNKNOWN, Severity.UNKNOWN, null)))
                .as("a newer producer's symbols")
                .isEmpty();
    }
}
