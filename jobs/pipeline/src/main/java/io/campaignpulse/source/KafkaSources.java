package io.campaignpulse.source;

import io.campaignpulse.PulsePipeline;
import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.ingest.CustomerEventWatermarks;
import io.campaignpulse.ingest.Envelope;
import io.campaignpulse.ingest.EventTimeGuard;
import io.campaignpulse.ingest.InputTopics;
import io.campaignpulse.ingest.KafkaEnvelopeDeserializer;
import io.campaignpulse.ingest.SettlingWatermarks;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/** The live input: Kafka topics, decoded inside the source (bad records become dead letters). */
public final class KafkaSources implements PulsePipeline.Sources {

    private static final String CUSTOMER_EVENTS_GROUP_SUFFIX = "-customer-events";

    /**
     * How the customer-events source fetches unless kafka.properties says otherwise. Live, a fetch
     * that returns as soon as one record is there carries a handful, and the broker's and the
     * consumer's work per request outweighs the records': waiting for 32 KiB or 20 ms cut the CPU
     * of a 6,000 events/s feed by 12-19 % (pulse bench). A backlog fills every fetch anyway, and
     * 20 ms is small beside the watermark's own wait. Not for the quiet campaigns and control
     * topics, whose every fetch would wait out the 20 ms.
     */
    static final Map<String, String> CUSTOMER_EVENTS_FETCH =
            Map.of("fetch.min.bytes", "32768", "fetch.max.wait.ms", "20");

    @Override
    public DataStream<Envelope> campaigns(StreamExecutionEnvironment env, PulseConfig config) {
        KafkaSource<Envelope> source = source(config, List.of(config.topics().campaigns()), "-campaigns", Map.of());
        return env.fromSource(
                        source,
                        SettlingWatermarks.strategy(
                                config.eventTime().campaignsSettle(),
                                backlog(config),
                                config.topics().campaigns()),
                        "Kafka: campaigns")
                .uid("source-campaigns")
                .setParallelism(1); // a small compacted topic; one reader keeps its settling simple
    }

    @Override
    public DataStream<Envelope> customerEvents(StreamExecutionEnvironment env, PulseConfig config) {
        KafkaSource<Envelope> source =
                source(config, config.topics().customerEvents(), CUSTOMER_EVENTS_GROUP_SUFFIX, CUSTOMER_EVENTS_FETCH);
        // Watermarks per Kafka partition, inside the source, aligned across partitions; a quiet
        // partition is idle only once caught up, so catch-up reads exactly what live reads.
        return env.fromSource(
                        source,
                        CustomerEventWatermarks.strategy(config.eventTime(), backlog(config), true),
                        "Kafka: sends, holdings, consent, tickets, reviews")
                .uid("source-customer-events");
    }

    @Override
    public DataStream<Envelope> control(StreamExecutionEnvironment env, PulseConfig config) {
        // Always from the beginning on a fresh start (restores resume from their checkpointed
        // offsets): replaying the control log rebuilds the settings in force.
        KafkaSource<Envelope> source =
                source(config, List.of(config.topics().control()), "-control", OffsetsInitializer.earliest(), Map.of());
        return env.fromSource(
                        source,
                        SettlingWatermarks.strategy(
                                config.eventTime().campaignsSettle(),
                                backlog(config),
                                config.topics().control()),
                        "Kafka: control")
                .uid("source-control")
                .setParallelism(1);
    }

    /** The consumer group whose committed offsets say how far the customer-events input is read. */
    public static String customerEventsGroupId(PulseConfig config) {
        return config.kafka().groupId() + CUSTOMER_EVENTS_GROUP_SUFFIX;
    }

    private static KafkaBacklog backlog(PulseConfig config) {
        return new KafkaBacklog(config.kafka().clientProperties());
    }

    /** A source that starts where kafka.starting-offsets says. */
    private static KafkaSource<Envelope> source(
            PulseConfig config, List<String> topics, String groupSuffix, Map<String, String> defaults) {
        return source(
                config, topics, groupSuffix, startingOffsets(config.kafka().startingOffsets()), defaults);
    }

    /** @param defaults consumer properties of this source that kafka.properties may override */
    private static KafkaSource<Envelope> source(
            PulseConfig config,
            List<String> topics,
            String groupSuffix,
            OffsetsInitializer offsets,
            Map<String, String> defaults) {
        PulseConfig.Kafka kafka = config.kafka();
        return KafkaSource.<Envelope>builder()
                .setBootstrapServers(kafka.bootstrapServers())
                .setGroupId(kafka.groupId() + groupSuffix)
                .setTopics(topics)
                .setStartingOffsets(offsets)
                .setDeserializer(new KafkaEnvelopeDeserializer(
                        new InputTopics(config.topics()),
                        new EventTimeGuard(config.eventTime()),
                        config.contract().wire()))
                .setProperties(consumerProperties(kafka, defaults))
                .build();
    }

    /** A source's consumer properties: its defaults, then kafka.properties, then what the job requires. */
    static Properties consumerProperties(PulseConfig.Kafka kafka, Map<String, String> defaults) {
        Properties props = new Properties();
        props.putAll(defaults);
        props.putAll(kafka.clientProperties());
        // Our own sinks write transactionally; never read their aborted or open transactions.
        props.setProperty("isolation.level", "read_committed");
        props.setProperty("commit.offsets.on.checkpoint", "true");
        return props;
    }

    private static OffsetsInitializer startingOffsets(PulseConfig.StartingOffsets startingOffsets) {
        return switch (startingOffsets) {
            case EARLIEST -> OffsetsInitializer.earliest();
            case LATEST -> OffsetsInitializer.latest();
            case COMMITTED -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
        };
    }
}
