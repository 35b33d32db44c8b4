package io.campaignpulse.source;

import static io.campaignpulse.Fixtures.config;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaSourcesTest {

    @Test
    void theCustomerEventsSourceWaitsForFullerFetchesUnlessKafkaPropertiesSayOtherwise() {
        var tuned = KafkaSources.consumerProperties(config().kafka(), KafkaSources.CUSTOMER_EVENTS_FETCH);
        assertThat(tuned)
                .containsEntry("fetch.min.bytes", "32768")
                .containsEntry("fetch.max.wait.ms", "20")
                .containsEntry("isolation.level", "read_committed");

        var overridden = KafkaSources.consumerProperties(
                config(Map.of("kafka.properties.fetch.max.wait.ms", "5")).kafka(), KafkaSources.CUSTOMER_EVENTS_FETCH);
        assertThat(overridden).containsEntry("fetch.max.wait.ms", "5").containsEntry("fetch.min.bytes", "32768");

        assertThat(KafkaSources.consumerProperties(config().kafka(), Map.of()))
                .as("the quiet campaigns and control sources keep Kafka's defaults")
                .doesNotContainKeys("fetch.min.bytes", "fetch.max.wait.ms");
    }

    @Test
    void everySourceReadsOnlyCommittedRecordsWhateverKafkaPropertiesSay() {
        var props = KafkaSources.consumerProperties(
                config(Map.of("kafka.properties.isolation.level", "read_uncommitted"))
                        .kafka(),
                Map.of());
        assertThat(props).containsEntry("isolation.level", "read_committed");
    }
}
