package io.campaignpulse.sink;

import java.nio.charset.StandardCharsets;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.formats.avro.AvroSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Kafka records for our outputs: a UTF-8 key, a plain Avro value, and no explicit timestamp,
 * so the producer stamps the time of writing. (The sink would otherwise use the element's event
 * time; a broker refuses timestamps more than an hour ahead of its clock, and one skewed
 * producer upstream would then fail the job over and over. Event times are in the payload.)
 */
final class AvroRecordSerializer<T extends SpecificRecord> implements KafkaRecordSerializationSchema<T> {

    private final String topic;
    private final KafkaOutputs.KeyOf<T> keyOf;
    private final AvroSerializationSchema<T> value;

    AvroRecordSerializer(String topic, Class<T> type, KafkaOutputs.KeyOf<T> keyOf) {
        this.topic = topic;
        this.keyOf = keyOf;
        this.value = AvroSerializationSchema.forSpecific(type);
    }

    @Override
    public void open(SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext) throws Exception {
        value.open(context);
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(T element, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(
                topic, null, null, keyOf.key(element).getBytes(StandardCharsets.UTF_8), value.serialize(element));
    }
}
