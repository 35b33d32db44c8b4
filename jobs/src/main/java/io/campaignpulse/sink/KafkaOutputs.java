package io.campaignpulse.sink;

import io.campaignpulse.config.PulseConfig;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.formats.avro.AvroSerializationSchema;

/** Exactly-once Kafka sinks writing Avro values (plain binary, as Flink's 'avro' format). */
public final class KafkaOutputs {

    private KafkaOutputs() {}

    /** Extracts a record's Kafka key. */
    public interface KeyOf<T> extends java.io.Serializable {
        String key(T record);
    }

    public static <T extends SpecificRecord> KafkaSink<T> sink(PulseConfig config, String topic, Class<T> type, KeyOf<T> keyOf) {
        PulseConfig.Kafka kafka = config.kafka();
        Properties props = new Properties();
        props.putAll(kafka.properties());
        props.setProperty("transaction.timeout.ms", Long.toString(kafka.transactionTimeout().toMillis()));
        SerializationSchema<T> key = record -> keyOf.key(record).getBytes(StandardCharsets.UTF_8);
        return KafkaSink.<T>builder()
                .setBootstrapServers(kafka.bootstrapServers())
                .setKafkaProducerConfig(props)
                .setRecordSerializer(KafkaRecordSerializationSchema.<T>builder()
                        .setTopic(topic)
                        .setKeySerializationSchema(key)
                        .setValueSerializationSchema(AvroSerializationSchema.forSpecific(type))
                        .build())
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                // Unique per sink and stable across restarts (shared/guarantees-notes.md).
                .setTransactionalIdPrefix(kafka.transactionalIdPrefix() + "-" + topic)
                .build();
    }
}
