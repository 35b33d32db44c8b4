package io.campaignpulse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.campaignpulse.contract.ProducerSchemas;
import io.campaignpulse.contract.PublishedSchemas;
import io.campaignpulse.contract.SchemaEvolution;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The state types are published and checked like the wire records (the build runs the same check). */
class PublishedSchemaCheckTest {

    private static final Path STATE_SCHEMAS = Path.of("src/main/state-schemas");

    @TempDir
    Path copy;

    @Test
    void theStateTypesPublishedVersionsFollowTheRulesAndMatchTheCode() throws Exception {
        PublishedSchemas state = PublishedSchemas.inDirectory(STATE_SCHEMAS, PublishedSchemaCheck.STATE.records());

        assertThat(SchemaEvolution.check(state, PublishedSchemaCheck.STATE)).isEmpty();
        assertThat(state.versions("CustomerState")).isNotEmpty();
    }

    @Test
    void aStateTypeChangedWithoutANewPublishedVersionFailsTheBuildsCheck() throws Exception {
        Fixtures.copyTree(STATE_SCHEMAS, copy.resolve("state"));
        Fixtures.copyTree(Path.of("../../schemas"), copy.resolve("schemas"));
        // As if a field had been appended to CustomerState.avsc without publishing v2.
        Path v1 = copy.resolve("state/CustomerState/v1.avsc");
        Schema edited = ProducerSchemas.changed(
                new Schema.Parser().parse(Files.readString(v1)),
                fields -> fields.add(ProducerSchemas.optionalString("segment")));
        Files.writeString(v1, edited.toString(true));

        assertThatThrownBy(() -> PublishedSchemaCheck.main(new String[] {
                    copy.resolve("schemas").toString(), copy.resolve("state").toString()
                }))
                .hasMessageContaining("jobs/pipeline/src/main/avro/CustomerState.avsc differs from"
                        + " jobs/pipeline/src/main/state-schemas/CustomerState/v1.avsc");
    }

    @Test
    void aStateFieldAddedWithoutADefaultWouldNotRestoreAnOlderSavepointAndIsRefused() throws Exception {
        Schema v1 = PublishedSchemas.inDirectory(STATE_SCHEMAS, PublishedSchemaCheck.STATE.records())
                .version("CustomerState", 1);
        Schema v2 = ProducerSchemas.changed(
                v1,
                fields -> fields.add(ProducerSchemas.optionalString("segment")
                        .put("type", "string")
                        .without("default")));

        assertThat(SchemaEvolution.checkStep("jobs/pipeline/src/main/state-schemas/CustomerState", 2, v1, v2))
                .anyMatch(p -> p.contains("cannot read v1 records"))
                .anyMatch(p -> p.contains("the new field CustomerState.segment has no default"));
    }
}
