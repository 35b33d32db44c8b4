package io.campaignpulse.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.campaignpulse.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rules the build applies to schemas/: each one is shown to fail on the change it forbids. */
class SchemaEvolutionTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path SCHEMAS = Path.of("../../schemas");

    @TempDir
    Path copy;

    @Test
    void theRepositorysPublishedSchemasFollowTheRulesAndAreTheOnesInTheJar() throws IOException {
        PublishedSchemas source = PublishedSchemas.inDirectory(SCHEMAS);

        assertThat(SchemaEvolution.check(source)).isEmpty();
        PublishedSchemas bundled = PublishedSchemas.bundled();
        for (var record : source.all().entrySet()) {
            assertThat(bundled.versions(record.getKey())).as(record.getKey()).isEqualTo(record.getValue());
        }
        // Campaign-stats already evolved once: its v2 appended three fields.
        assertThat(source.versions("CampaignStats")).hasSize(2);
    }

    @Test
    void aFieldInsertedBeforeTheEndIsRefusedEvenWithADefault() {
        Schema v1 = published("Campaign");
        Schema v2 = ProducerSchemas.changed(v1, fields -> fields.insert(2, ProducerSchemas.optionalString("segment")));

        assertThat(SchemaEvolution.checkStep("schemas/Campaign", 2, v1, v2))
                .singleElement()
                .asString()
                .contains("schemas/Campaign/v2.avsc")
                .contains("Campaign.offer_type is no longer field 3");
    }

    @Test
    void aFieldAppendedWithADefaultIsAccepted() {
        Schema v1 = published("Campaign");

        assertThat(SchemaEvolution.checkStep(
                        "Campaign",
                        2,
                        v1,
                        ProducerSchemas.changed(v1, f -> f.add(ProducerSchemas.optionalString("segment")))))
                .isEmpty();
    }

    @Test
    void aFieldAppendedWithoutADefaultIsRefusedBothAsUnreadableAndAsAppendedWithoutDefault() {
        Schema v1 = published("Campaign");
        Schema v2 = ProducerSchemas.changed(
                v1, f -> f.add(JSON.createObjectNode().put("name", "segment").put("type", "string")));

        List<String> problems = SchemaEvolution.checkStep("schemas/Campaign", 2, v1, v2);

        assertThat(problems).anyMatch(p -> p.contains("cannot read v1 records") && p.contains("segment"));
        assertThat(problems).anyMatch(p -> p.contains("the new field Campaign.segment has no default"));
    }

    @Test
    void aRemovedFieldThatOlderReadersNeedIsRefused() {
        Schema v1 = published("Campaign");
        Schema v2 = ProducerSchemas.changed(v1, f -> f.remove(1)); // name, which has no default

        assertThat(SchemaEvolution.checkStep("schemas/Campaign", 2, v1, v2))
                .anyMatch(p -> p.contains("v1 readers cannot read schemas/Campaign/v2.avsc records"));
    }

    @Test
    void anEnumSymbolInsertedMidListIsRefusedAndOneAppendedIsAccepted() {
        Schema v1 = published("Campaign");
        Schema inserted = ProducerSchemas.changedEnum(v1, "offer_type", s -> s.insert(0, "LOYALTY"));
        Schema appended = ProducerSchemas.changedEnum(v1, "offer_type", s -> s.add("LOYALTY"));

        assertThat(SchemaEvolution.checkStep("schemas/Campaign", 2, v1, inserted))
                .singleElement()
                .asString()
                .contains("symbols of OfferType changed order");
        assertThat(SchemaEvolution.checkStep("schemas/Campaign", 2, v1, appended))
                .isEmpty();
    }

    @Test
    void aTypeChangeIsRefused() {
        Schema v1 = published("Review");
        Schema v2 = ProducerSchemas.changed(v1, fields -> {
            for (var f : fields) {
                if (f.get("name").asText().equals("rating")) {
                    ((ObjectNode) f)
                            .set("type", JSON.createArrayNode().add("null").add("string"));
                }
            }
        });

        assertThat(SchemaEvolution.checkStep("schemas/Review", 2, v1, v2)).isNotEmpty();
    }

    @Test
    void aChangedRecordThatWasNotPublishedAsANewVersionFailsTheCheck() throws IOException {
        Fixtures.copyTree(SCHEMAS, copy);
        // As if Review.avsc had gained a field, but nobody wrote schemas/Review/v2.avsc: the newest
        // published version no longer matches the generated code. (Simulated by editing v1 instead.)
        Path reviewV1 = copy.resolve("Review/v1.avsc");
        ObjectNode edited = (ObjectNode) JSON.readTree(Files.readString(reviewV1));
        ((ArrayNode) edited.get("fields")).add(ProducerSchemas.optionalString("locale"));
        Files.writeString(reviewV1, edited.toString());

        assertThat(SchemaEvolution.check(PublishedSchemas.inDirectory(copy)))
                .singleElement()
                .asString()
                .contains("schemas/Review.avsc differs from schemas/Review/v1.avsc")
                .contains("schemas/Review/v2.avsc");
    }

    @Test
    void aMissingFirstVersionFailsTheCheck() throws IOException {
        Fixtures.copyTree(SCHEMAS, copy);
        Files.delete(copy.resolve("Alert/v1.avsc"));

        assertThat(SchemaEvolution.check(PublishedSchemas.inDirectory(copy)))
                .contains("schemas/Alert/v1.avsc is missing");
    }

    @Test
    void fingerprintsOfTheVersionsAreDistinct() throws IOException {
        PublishedSchemas source = PublishedSchemas.inDirectory(SCHEMAS);
        List<Long> fingerprints = source.all().values().stream()
                .flatMap(List::stream)
                .map(SchemaNormalization::parsingFingerprint64)
                .toList();
        assertThat(fingerprints).doesNotHaveDuplicates();
    }

    private static Schema published(String record) {
        return PublishedSchemas.bundled().version(record, 1);
    }
}
