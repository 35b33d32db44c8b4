package io.campaignpulse.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import io.campaignpulse.config.ConfigLoader;
import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.ingest.AvroJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pulse replay} on a hand-made folder (src/test/resources/replay/basic) whose expected
 * misfires were worked out by hand: each rule and each exemption is hit at least once, plus
 * a redelivery, a late-arriving holding, an overriding send and five kinds of bad line.
 */
class ReplayCommandTest {

    @TempDir
    Path output;

    @Test
    void replayProducesExactlyTheExpectedMisfiresAlertsAndDeadLetters() throws Exception {
        PulseConfig config = new ConfigLoader()
                .load(null, Map.of("alerting.misfire-rate-min-count", "1", "postgres.enabled", "false"));
        Path input = Path.of("src/test/resources/replay/basic");

        ReplayCommand.Summary summary = ReplayCommand.replay(config, input, output);

        List<JsonNode> misfires = read(output.resolve("misfires.jsonl"));
        assertThat(misfires)
                .extracting(m -> m.get("send_id").asText(), m -> m.get("rule").asText())
                .containsExactlyInAnyOrder(
                        tuple("s1", "ALREADY_HOLDS_PRODUCT"),
                        tuple("s2", "ALREADY_HOLDS_PRODUCT"), // holding opened 09:00, listed after the 09:05 send
                        tuple("s4", "ACQUISITION_TO_EXISTING_CUSTOMER"), // its redelivery is ignored
                        tuple("s5", "ACQUISITION_TO_EXISTING_CUSTOMER"),
                        tuple("s6", "NO_CONSENT"), // opted out of all channels; s7 is SERVICE, exempt
                        tuple("s8", "NO_CONSENT"),
                        tuple("s9", "DUPLICATE_SEND"), // consent was given back at 12:00
                        tuple("s16", "DUPLICATE_SEND"),
                        tuple("s16", "FREQUENCY_CAP"), // 4th promotional send in 24 h; s15 is SERVICE
                        tuple("s17", "ALREADY_HOLDS_PRODUCT")); // the send's own offer overrides its SERVICE campaign
        JsonNode s1 = misfires.stream()
                .filter(m -> m.get("send_id").asText().equals("s1"))
                .findFirst()
                .orElseThrow();
        assertThat(s1.get("campaign_id").asText()).isEqualTo("C1");
        assertThat(s1.get("customer_id").asText()).isEqualTo("cust-1");
        assertThat(s1.get("sent_at").asText()).isEqualTo("2026-11-20T08:00:00Z");
        assertThat(s1.get("detail").asText()).contains("CARD-PLAT");

        List<JsonNode> deadLetters = read(output.resolve("dead-letters.jsonl"));
        assertThat(deadLetters)
                .extracting(
                        d -> d.get("source_topic").asText(),
                        d -> d.get("source_offset").asLong(),
                        d -> d.get("reason").asText())
                .containsExactlyInAnyOrder(
                        tuple("campaign-sends", 5L, "DECODE_ERROR"),
                        tuple("campaign-sends", 11L, "MISSING_FIELD"),
                        tuple("campaign-sends", 15L, "UNKNOWN_ENUM"),
                        tuple("campaign-sends", 19L, "UNKNOWN_CAMPAIGN"),
                        tuple("customer-holdings", 4L, "INVALID_VALUE"));
        JsonNode decodeError = deadLetters.stream()
                .filter(d -> d.get("reason").asText().equals("DECODE_ERROR"))
                .findFirst()
                .orElseThrow();
        assertThat(new String(
                        Base64.getDecoder().decode(decodeError.get("payload").asText())))
                .isEqualTo("{not json");

        List<JsonNode> alerts = read(output.resolve("alerts.jsonl"));
        assertThat(alerts).anySatisfy(a -> {
            assertThat(a.get("campaign_id").asText()).isEqualTo("C1");
            assertThat(a.get("severity").asText()).isEqualTo("CRITICAL");
            assertThat(a.get("title").asText()).contains("Platinum Card Push", "opted out");
        });
        assertThat(alerts).anySatisfy(a -> {
            assertThat(a.get("title").asText()).contains("current holders of CARD-PLAT");
            assertThat(a.get("detail").asText())
                    .contains("exclude current holders of product CARD-PLAT from campaign Platinum Card Push (C1)");
        });
        assertThat(summary.misfires()).isEqualTo(10);
        assertThat(summary.deadLetters()).isEqualTo(5);

        // A second replay re-creates the same alert ids: they are deterministic.
        Path again = output.resolve("again");
        ReplayCommand.replay(config, input, again);
        assertThat(read(again.resolve("alerts.jsonl")))
                .extracting(a -> a.get("alert_id").asText())
                .containsExactlyInAnyOrderElementsOf(
                        alerts.stream().map(a -> a.get("alert_id").asText()).toList());
    }

    @Test
    void aControlFileInTheReplayFolderMutesAndItsBadMessagesAreRejected() throws Exception {
        PulseConfig config = new ConfigLoader()
                .load(null, Map.of("alerting.misfire-rate-min-count", "1", "postgres.enabled", "false"));
        Path input = output.resolve("input");
        Files.createDirectories(input);
        try (var files = Files.list(Path.of("src/test/resources/replay/basic"))) {
            for (Path f : files.toList()) {
                Files.copy(f, input.resolve(f.getFileName()));
            }
        }
        Files.writeString(input.resolve("pulse-control.jsonl"), """
                {"control_id": "mute-c1", "scope": "CAMPAIGN", "target": "C1", "settings": {"mute": "true"}, "author": "maria", "issued_at": "2026-11-20T00:00:00Z"}
                {"control_id": "typo", "scope": "KIND", "target": "MISFIRES", "settings": {"mute": "true"}, "author": "tom", "issued_at": "2026-11-20T00:00:00Z"}
                """);
        Path out = output.resolve("muted");

        ReplayCommand.replay(config, input, out);

        assertThat(read(out.resolve("alerts.jsonl")))
                .isNotEmpty()
                .noneMatch(a -> a.get("campaign_id").asText().equals("C1"));
        assertThat(read(out.resolve("control-audit.jsonl")))
                .extracting(a ->
                        a.get("control_id").asText() + ":" + a.get("accepted").asBoolean())
                .containsExactlyInAnyOrder("mute-c1:true", "typo:false");
        assertThat(read(out.resolve("dead-letters.jsonl"))).anySatisfy(d -> {
            assertThat(d.get("source_topic").asText()).isEqualTo("pulse-control");
            assertThat(d.get("detail").asText()).contains("unknown alert kind 'MISFIRES'");
        });
    }

    private static List<JsonNode> read(Path file) throws Exception {
        return Files.readAllLines(file).stream()
                .map(line -> {
                    try {
                        return AvroJson.MAPPER.readTree(line);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                })
                .toList();
    }
}
