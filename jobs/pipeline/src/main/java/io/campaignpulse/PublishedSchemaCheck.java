package io.campaignpulse;

import io.campaignpulse.alerting.CampaignWindow;
import io.campaignpulse.alerting.Incident;
import io.campaignpulse.alerting.PendingSignals;
import io.campaignpulse.contract.PublishedSchemas;
import io.campaignpulse.contract.SchemaEvolution;
import io.campaignpulse.customer.PendingEvent;
import io.campaignpulse.customer.state.CustomerState;
import io.campaignpulse.misfire.SendVerdict;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The build's schema check ({@code mvn verify} runs it after compiling): the records on our topics
 * ({@code schemas/}) and the types the job keeps in checkpoints and savepoints follow {@link
 * SchemaEvolution}'s rules, so neither a consumer nor a savepoint of an earlier version breaks.
 */
public final class PublishedSchemaCheck {

    /** The state types (the wire records kept as state are checked with the wire records). */
    public static final SchemaEvolution.Layout STATE = new SchemaEvolution.Layout(
            "jobs/pipeline/src/main/avro",
            "jobs/pipeline/src/main/state-schemas",
            List.of(
                    CustomerState.class,
                    PendingEvent.class,
                    Incident.class,
                    PendingSignals.class,
                    CampaignWindow.class,
                    SendVerdict.class));

    private PublishedSchemaCheck() {}

    /** args[0]: the source tree's {@code schemas/}; args[1]: its published state schemas. */
    public static void main(String[] args) throws IOException {
        List<String> problems = new ArrayList<>(SchemaEvolution.check(PublishedSchemas.inDirectory(Path.of(args[0]))));
        problems.addAll(SchemaEvolution.check(PublishedSchemas.inDirectory(Path.of(args[1]), STATE.records()), STATE));
        if (!problems.isEmpty()) {
            throw new IllegalStateException(
                    "the published schemas break the evolution rules:\n  " + String.join("\n  ", problems));
        }
        System.out.println("published schemas (wire and state): every version compatible with the one before,"
                + " the newest one the generated code's");
    }
}
