package io.campaignpulse.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.campaignpulse.Fixtures;
import io.campaignpulse.JobEnvironment;
import io.campaignpulse.PulsePipeline;
import io.campaignpulse.config.ConfigLoader;
import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.sink.LiveSinks;
import io.campaignpulse.source.KafkaSources;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

/**
 * Savepoints map state to operators by uid. Every operator of the live job has one, and the
 * stateful ones keep theirs: renaming one would orphan its state on the next upgrade, so the
 * list below changes only on purpose (with allowNonRestoredState and a note in the release).
 */
class OperatorUidTest {

    /** With every optional step on: webhooks and mail. */
    private static PulseConfig everythingOn() {
        try {
            Path file = Files.createTempFile("pulse-all-steps", ".yaml");
            Files.writeString(file, """
                    routing:
                      webhooks:
                        - name: chat
                          url: https://chat.example/hook
                      email:
                        enabled: true
                        smtp-host: smtp.example
                        from: pulse@bank.example
                        recipients:
                          - owner: "*"
                            to: [ops@bank.example]
                    """);
            return new ConfigLoader(name -> null).load(file, Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static StreamGraph liveJobGraph() {
        PulseConfig config = everythingOn();
        StreamExecutionEnvironment env = JobEnvironment.create(config, true, new Configuration());
        PulsePipeline.defineWorkflow(env, config, new KafkaSources(), new LiveSinks(config));
        return env.getStreamGraph(false);
    }

    @Test
    void everyOperatorOfTheLiveJobHasAUid() {
        Set<String> withoutUid = liveJobGraph().getStreamNodes().stream()
                .filter(node -> node.getTransformationUID() == null
                        || node.getTransformationUID().isBlank())
                .map(StreamNode::getOperatorName)
                .collect(Collectors.toSet());
        assertThat(withoutUid).as("operators without a uid").isEmpty();
    }

    @Test
    void theUidsAreTheSameEveryTimeTheJobIsBuiltInOneJvm() {
        // A JobManager runs main() for every REST submission in one JVM; the Table planner's ids
        // come from a JVM-wide counter, so without PlannerUids a restore from a savepoint could not
        // map the roll-ups' window state (the standalone-cluster test found this).
        Set<String> first = uids(liveJobGraph());
        Set<String> second = uids(liveJobGraph());
        assertThat(second).isEqualTo(first);
        assertThat(first).anyMatch(uid -> uid.startsWith("rollup-windows-1_"));
    }

    @Test
    void everyOperatorKeepsItsMaxParallelismWhenTheJobIsRescaled() {
        // State restores only into a vertex with the same max parallelism. The planner runs the
        // roll-ups' window join as a singleton (max parallelism 1): an operator chained into it at
        // parallelism 1 but not at 2 could not be restored across a rescale (the cluster test found this).
        assertThat(maxParallelismByOperator(1)).isEqualTo(maxParallelismByOperator(2));
    }

    private static Map<String, Integer> maxParallelismByOperator(int parallelism) {
        PulseConfig config = Fixtures.config(Map.of("parallelism", Integer.toString(parallelism)));
        StreamExecutionEnvironment env = JobEnvironment.create(config, true, new Configuration());
        PulsePipeline.defineWorkflow(env, config, new KafkaSources(), new LiveSinks(config));
        Map<String, Integer> byOperator = new TreeMap<>();
        for (var vertex : env.getStreamGraph(false).getJobGraph().getVertices()) {
            vertex.getOperatorIDs()
                    .forEach(id -> byOperator.put(id.getGeneratedOperatorID().toString(), vertex.getMaxParallelism()));
        }
        return byOperator;
    }

    private static Set<String> uids(StreamGraph graph) {
        return graph.getStreamNodes().stream()
                .map(StreamNode::getTransformationUID)
                .collect(Collectors.toSet());
    }

    @Test
    void theStatefulOperatorsKeepTheirUids() {
        Set<String> uids = liveJobGraph().getStreamNodes().stream()
                .map(StreamNode::getTransformationUID)
                .collect(Collectors.toSet());
        assertThat(uids)
                .contains(
                        "source-campaigns",
                        "source-customer-events", // Kafka offsets
                        "customer-misfire-detector", // holdings, consent, tickets, suppressions, recent and pending
                        // sends, campaigns
                        "misfire-rate-alerter",
                        "sentiment-alerter", // open alert windows, roll-up windows waiting for the watermark
                        "incident-tracker", // open incidents, campaigns, control settings
                        "source-control", // control log offsets
                        "kafka-sink-misfires",
                        "kafka-sink-alerts",
                        "kafka-sink-dead-letters",
                        "kafka-sink-campaign-stats",
                        "kafka-sink-suppressions"); // Kafka transactions
        // Three per table: the rows in (RowData, taken as they are), NOT NULL enforcement, the writer.
        assertThat(uids)
                .as("the planner's stateless operators of the eight PostgreSQL sinks")
                .filteredOn(uid -> uid.matches("postgres-\\d+_(source|constraint-validator|sink)"))
                .hasSize(24);
        assertThat(uids)
                .as("the roll-ups' window aggregations and window join")
                .anyMatch(uid -> uid.matches("rollup-windows-\\d+_global-window-aggregate"))
                .anyMatch(uid -> uid.matches("rollup-windows-\\d+_window-join"));
    }
}
