package io.campaignpulse.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.contract.Alert;
import io.campaignpulse.contract.AlertKind;
import io.campaignpulse.contract.AlertState;
import io.campaignpulse.contract.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EmailDigestTest {

    private static final long HOUR = Duration.ofHours(1).toMillis();

    private KeyedOneInputStreamOperatorTestHarness<String, Alert, EmailMessage> harness;

    @BeforeEach
    void open() throws Exception {
        PulseConfig.Email email = new PulseConfig.Email(
                true,
                "smtp.example",
                587,
                true,
                "",
                "",
                "pulse@bank.example",
                Duration.ofHours(1),
                List.of(
                        new PulseConfig.Recipients("cards-team", List.of("cards-lead@bank.example")),
                        new PulseConfig.Recipients("*", List.of("marketing-ops@bank.example"))));
        PulseConfig.Routing routing = new PulseConfig.Routing(
                List.of(),
                Duration.ofSeconds(5),
                3,
                Duration.ofSeconds(1),
                10,
                "https://grafana.example/d/cp?var-campaign={campaign_id}",
                email);
        harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new EmailDigest(routing)), EmailDigest::ownerOf, Types.STRING);
        harness.open();
        harness.setProcessingTime(0);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    private static Alert alert(String id, String owner, AlertState state, Severity severity, int sequence) {
        return Alert.newBuilder()
                .setAlertId(id)
                .setKind(AlertKind.MISFIRE_RATE)
                .setSeverity(severity)
                .setCampaignId("C-" + id)
                .setCampaignName("Campaign " + id)
                .setTitle("Campaign " + id + " is reaching current holders: 42 of 264 sends")
                .setDetail("42 sends offered a product the customer holds.")
                .setMetrics(Map.of("misfires", 42.0))
                .setWindowStart(Instant.parse("2026-11-22T08:00:00Z"))
                .setWindowEnd(Instant.parse("2026-11-22T09:00:00Z"))
                .setDetectedAt(Instant.parse("2026-11-22T09:10:00Z"))
                .setState(state)
                .setSequence(sequence)
                .setOwner(owner)
                .setRule("ALREADY_HOLDS_PRODUCT")
                .setCountTotal(42)
                .setCountSinceLast(42)
                .setExampleIds(List.of())
                .setExampleCustomerIds(List.of())
                .setSuggestedAction("Exclude current holders from the audience.")
                .build();
    }

    private List<EmailMessage> mails() {
        List<EmailMessage> out = harness.extractOutputValues();
        harness.getOutput().clear();
        return out;
    }

    @Test
    void aCriticalIncidentIsMailedAtOnceAndOnlyOnce() throws Exception {
        harness.processElement(alert("a1", "cards-team", AlertState.OPENED, Severity.CRITICAL, 1), 0);
        harness.processElement(alert("a2", "cards-team", AlertState.OPENED, Severity.WARNING, 1), 0);
        assertThat(mails()).singleElement().satisfies(m -> {
            assertThat(m.getTo()).containsExactly("cards-lead@bank.example");
            assertThat(m.getSubject()).isEqualTo("[CRITICAL] Campaign a1 is reaching current holders: 42 of 264 sends");
            assertThat(m.getBody())
                    .contains("Count: 42", "misfires: 42", "Suggested action: Exclude current holders")
                    .contains("https://grafana.example/d/cp?var-campaign=C-a1")
                    .contains("pulse control --campaign C-a1 --mute");
            assertThat(m.getMessageId()).isEqualTo("a1#1");
        });
        // Still CRITICAL: no second mail. Raised from WARNING to CRITICAL: one.
        harness.processElement(alert("a1", "cards-team", AlertState.UPDATED, Severity.CRITICAL, 2), 0);
        harness.processElement(alert("a2", "cards-team", AlertState.UPDATED, Severity.CRITICAL, 2), 0);
        assertThat(mails()).extracting(EmailMessage::getMessageId).containsExactly("a2#2");
    }

    @Test
    void eachOwnerGetsADigestOfItsOpenIncidentsEveryInterval() throws Exception {
        harness.processElement(alert("a1", "cards-team", AlertState.OPENED, Severity.WARNING, 1), 0);
        harness.processElement(alert("a2", "cards-team", AlertState.OPENED, Severity.INFO, 1), 0);
        harness.processElement(alert("a3", "savings-team", AlertState.OPENED, Severity.WARNING, 1), 0);
        harness.processElement(alert("a2", "cards-team", AlertState.RESOLVED, Severity.INFO, 2), 0);
        assertThat(mails()).isEmpty();

        harness.setProcessingTime(HOUR);
        List<EmailMessage> digests = mails();
        assertThat(digests).extracting(EmailMessage::getOwner).containsExactlyInAnyOrder("cards-team", "savings-team");
        EmailMessage cards = digests.stream()
                .filter(m -> m.getOwner().equals("cards-team"))
                .findFirst()
                .orElseThrow();
        assertThat(cards.getSubject()).isEqualTo("Campaign Pulse: 1 open incident for cards-team");
        assertThat(cards.getAlertIds()).containsExactly("a1"); // a2 was resolved
        assertThat(cards.getBody())
                .contains("Campaign a1 is reaching", "Suggested action", "pulse control --campaign C-a1");
        EmailMessage savings = digests.stream()
                .filter(m -> m.getOwner().equals("savings-team"))
                .findFirst()
                .orElseThrow();
        assertThat(savings.getTo())
                .as("no entry of its own: the \"*\" recipients")
                .containsExactly("marketing-ops@bank.example");

        // The next interval: again for what is still open; nothing once all is resolved.
        harness.processElement(alert("a3", "savings-team", AlertState.RESOLVED, Severity.WARNING, 2), 0);
        harness.setProcessingTime(2 * HOUR);
        assertThat(mails()).extracting(EmailMessage::getOwner).containsExactly("cards-team");
        harness.processElement(alert("a1", "cards-team", AlertState.RESOLVED, Severity.WARNING, 2), 0);
        harness.setProcessingTime(3 * HOUR);
        assertThat(mails()).isEmpty();
        assertThat(harness.numProcessingTimeTimers())
                .as("no timer once nothing is open")
                .isZero();
    }
}
