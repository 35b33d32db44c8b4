package io.campaignpulse.sink;

import io.campaignpulse.config.PulseConfig;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;

/** Exactly-once Kafka sinks writing Avro values (plain binary, as Flink's 'avro' format). */
public final class KafkaOutputs {

    private KafkaOutputs() {}

    /** Extracts a record's Kafka key. */
    public interface KeyOf<T> extends java.io.Serializable {
        String key(T record);
    }

    public static <T extends SpecificRecord> KafkaSink<T> sink(PulseConfig config, String topic, Class<T> type, KeyOf<T> keyOf) {
        PulseConfig.Kafka kafka = config.kafka();
        Properties props = kafka.clientProperties();
        props.setProperty("transaction.timeout.ms", Long.toString(kafka.transactionTimeout().toMillis()));
        return KafkaSink.<T>builder()
                .setBootstrapServers(kafka.bootstrapServers())
                .setKafkaProducerConfig(props)
                .setRecordSerializer(new AvroRecordSerializer<>(topic, type, keyOf))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                // Unique per sink and stable across restarts (shared/guarantees-notes.md).
                .setTransactionalIdPrefix(kafka.transactionalIdPrefix() + "-" + topic)
                .build();
    }
}
