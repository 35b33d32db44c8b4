package io.campaignpulse.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.campaignpulse.Fixtures;
import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.source.KafkaSources;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When the demo, the benchmark and the end-to-end tests stop a job as caught up, on a real
 * broker: only once the job's group has committed the end of every topic its customer-events
 * source reads. The feedback topics end later in event time than the sends; a check that left
 * them out stopped live runs before their last tickets and reviews were read.
 */
class LocalJobCaughtUpTest {

    @TempDir
    static Path work;

    static LocalInfrastructure infra;
    static PulseConfig config;

    @BeforeAll
    static void start() throws Exception {
        infra = LocalInfrastructure.start(work.resolve("infra"));
        config = Fixtures.config(infra.configOverrides());
        infra.createTopics(config.topics(), 2);
    }

    @AfterAll
    static void stop() throws Exception {
        infra.close();
    }

    @Test
    void aReviewNotYetCommittedMeansNotCaughtUp() throws Exception {
        List<String> topics = config.topics().customerEvents();
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(infra.clientProperties(), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (String topic : topics) {
                producer.send(new ProducerRecord<>(topic, 0, null, "x".getBytes()))
                        .get();
            }
        }
        assertThat(LocalJob.caughtUp(config)).isFalse();

        // Everything committed but the review: still not caught up.
        commitEnds(topics.stream()
                .filter(t -> !t.equals(config.topics().reviews()))
                .toList());
        assertThat(LocalJob.caughtUp(config)).isFalse();

        commitEnds(topics);
        assertThat(LocalJob.caughtUp(config)).isTrue();
    }

    /** Commits, for the job's customer-events group, the end offset of every partition of the topics. */
    private static void commitEnds(List<String> topics) throws Exception {
        try (Admin admin = Admin.create(infra.clientProperties())) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (String topic : topics) {
                for (int p = 0; p < 2; p++) {
                    latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
                }
            }
            Map<TopicPartition, OffsetAndMetadata> ends = new HashMap<>();
            admin.listOffsets(latest)
                    .all()
                    .get()
                    .forEach((tp, info) -> ends.put(tp, new OffsetAndMetadata(info.offset())));
            admin.alterConsumerGroupOffsets(KafkaSources.customerEventsGroupId(config), ends)
                    .all()
                    .get();
        }
    }
}
