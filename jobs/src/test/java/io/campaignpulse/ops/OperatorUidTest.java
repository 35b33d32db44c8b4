package io.campaignpulse.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.campaignpulse.Fixtures;
import io.campaignpulse.JobEnvironment;
import io.campaignpulse.PulsePipeline;
import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.sink.LiveSinks;
import io.campaignpulse.source.KafkaSources;
import java.util.Map;
import java.util.Set;
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

    private static StreamGraph liveJobGraph() {
        PulseConfig config = Fixtures.config(Map.of());
        StreamExecutionEnvironment env = JobEnvironment.create(config, true, new Configuration());
        PulsePipeline.defineWorkflow(env, config, new KafkaSources(), new LiveSinks(config));
        return env.getStreamGraph(false);
    }

    @Test
    void everyOperatorOfTheLiveJobHasAUid() {
        Set<String> withoutUid = liveJobGraph().getStreamNodes().stream()
                .filter(node -> node.getTransformationUID() == null || node.getTransformationUID().isBlank())
                .map(StreamNode::getOperatorName)
                .collect(Collectors.toSet());
        assertThat(withoutUid).as("operators without a uid").isEmpty();
    }

    @Test
    void theStatefulOperatorsKeepTheirUids() {
        Set<String> uids = liveJobGraph().getStreamNodes().stream().map(StreamNode::getTransformationUID).collect(Collectors.toSet());
        assertThat(uids).contains(
                "source-campaigns", "source-customer-events", // Kafka offsets
                "customer-misfire-detector", // holdings, consent, recent and pending sends, campaigns
                "misfire-rate-alerter", "sentiment-alerter", // open alert windows and incidents
                "kafka-sink-misfires", "kafka-sink-alerts", "kafka-sink-dead-letters", "kafka-sink-campaign-stats"); // Kafka transactions
        assertThat(uids).as("the planner's stateless operators of the five PostgreSQL sinks")
                .filteredOn(uid -> uid.matches("postgres-\\d+_.*")).hasSize(20);
        assertThat(uids).as("the roll-ups' window aggregations and window join")
                .anyMatch(uid -> uid.matches("rollups-\\d+_global-window-aggregate")).anyMatch(uid -> uid.matches("rollups-\\d+_window-join"));
    }
}
