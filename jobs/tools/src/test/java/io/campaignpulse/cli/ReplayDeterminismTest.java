package io.campaignpulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.campaignpulse.CpuLoad;
import io.campaignpulse.Fixtures;
import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.contract.DeadLetterReason;
import io.campaignpulse.contract.WireFormat;
import io.campaignpulse.demo.DemoWorld;
import io.campaignpulse.ingest.AvroJson;
import io.campaignpulse.ingest.InputTopics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Same input, same answers: a generated day written as replay files, with bad clocks among the
 * records (a send stamped 2099 early in the sends file, a holding stamped 1960, a timestamp that
 * overflows a long, a year no sink can store), replayed five times, the last three while busy
 * threads saturate every core. Every output file is identical on every run, the misfires are
 * exactly the ground truth, the bad clocks are INVALID_TIMESTAMP dead letters, nothing is late.
 */
class ReplayDeterminismTest {

    @TempDir
    Path work;

    @Test
    void fiveReplaysOfOneFolderGiveIdenticalOutputsAndTheGroundTruth() throws Exception {
        PulseConfig config = Fixtures.config(Map.of("postgres.enabled", "false"));
        DemoWorld world = DemoWorld.generate(config, new DemoWorld.Options(2000, 5, Fixtures.DAY));
        Path input = writeReplayFolder(config, world, work.resolve("input"));

        Map<String, List<String>> first = null;
        for (int run = 1; run <= 5; run++) {
            Path output = work.resolve("output-" + run);
            if (run <= 2) {
                ReplayCommand.replay(config, input, output);
            } else {
                try (CpuLoad ignored = CpuLoad.saturatingAllCores()) {
                    ReplayCommand.replay(config, input, output);
                }
            }
            Map<String, List<String>> outputs = readOutputs(output);
            if (first == null) {
                first = outputs;
                assertThat(outputs.keySet())
                        .contains(
                                "misfires.jsonl",
                                "alerts.jsonl",
                                "dead-letters.jsonl",
                                "campaign-stats.jsonl",
                                "feedback-scores.jsonl",
                                "suppressions.jsonl");
            } else {
                for (String file : first.keySet()) {
                    List<String> onlyNow = new ArrayList<>(outputs.get(file));
                    onlyNow.removeAll(first.get(file));
                    List<String> onlyFirst = new ArrayList<>(first.get(file));
                    onlyFirst.removeAll(outputs.get(file));
                    assertThat(outputs.get(file))
                            .as("run %d, %s: only in this run %s, only in the first %s", run, file, onlyNow, onlyFirst)
                            .isEqualTo(first.get(file));
                }
                assertThat(outputs.keySet()).isEqualTo(first.keySet());
            }
        }

        Set<String> expected = world.expectedMisfires().entrySet().stream()
                .flatMap(e -> e.getValue().stream().map(r -> e.getKey() + "/" + r))
                .collect(Collectors.toSet());
        Set<String> found = first.get("misfires.jsonl").stream()
                .map(ReplayDeterminismTest::json)
                .map(m -> m.get("send_id").asText() + "/" + m.get("rule").asText())
                .collect(Collectors.toSet());
        assertThat(found).as("misfires against the ground truth").isEqualTo(expected);
        Map<String, Long> reasons = first.get("dead-letters.jsonl").stream()
                .map(ReplayDeterminismTest::json)
                .collect(Collectors.groupingBy(d -> d.get("reason").asText(), TreeMap::new, Collectors.counting()));
        assertThat(reasons)
                .as("dead letters by reason")
                .doesNotContainKey(DeadLetterReason.LATE_EVENT.name())
                .containsEntry(
                        DeadLetterReason.INVALID_TIMESTAMP.name(), 4L); // two planted by the world, two added here
    }

    /** One file per topic, each in the order a single partition would have delivered it. */
    private static Path writeReplayFolder(PulseConfig config, DemoWorld world, Path folder) throws IOException {
        Files.createDirectories(folder);
        InputTopics topics = new InputTopics(config.topics());
        WireFormat wire = WireFormat.defaults();
        Map<String, List<String>> lines = new LinkedHashMap<>();
        for (DemoWorld.Event e : world.events()) {
            Class<? extends SpecificRecord> type = topics.recordType(e.topic());
            String line;
            try {
                line = AvroJson.toJson(wire.decode(e.value(), type)).toString();
            } catch (IOException | RuntimeException notAvro) {
                line = new String(e.value(), StandardCharsets.UTF_8); // a planted bad record stays bad
            }
            lines.computeIfAbsent(e.topic(), t -> new ArrayList<>()).add(line);
        }
        var t = config.topics();
        // More bad clocks, early in their files: a number past a long, and a year no sink can store.
        lines.get(t.campaignSends())
                .add(
                        2,
                        "{\"send_id\": \"overflow\", \"campaign_id\": \"C-PLAT\", \"customer_id\": \"cust-overflow\", "
                                + "\"channel\": \"EMAIL\", \"sent_at\": 99999999999999999999}");
        lines.get(t.customerConsent())
                .add(
                        1,
                        "{\"customer_id\": \"cust-far\", \"channel\": \"EMAIL\", \"opted_in\": false, "
                                + "\"changed_at\": \"+999999999-01-01T00:00:00Z\"}");
        for (var file : lines.entrySet()) {
            Files.write(folder.resolve(file.getKey() + ".jsonl"), file.getValue());
        }
        return folder;
    }

    /** Every output file's lines, sorted, without the dead letters' wall-clock detected_at. */
    private static Map<String, List<String>> readOutputs(Path folder) throws IOException {
        Map<String, List<String>> outputs = new HashMap<>();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".jsonl")).toList()) {
                List<String> rows = new ArrayList<>();
                for (String line : Files.readAllLines(file)) {
                    ObjectNode node = (ObjectNode) json(line);
                    if (file.getFileName().toString().equals("dead-letters.jsonl")) {
                        node.remove("detected_at");
                    }
                    rows.add(node.toString());
                }
                rows.sort(null);
                outputs.put(file.getFileName().toString(), rows);
            }
        }
        return outputs;
    }

    private static JsonNode json(String line) {
        try {
            return AvroJson.MAPPER.readTree(line);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
