package io.campaignpulse.sink;

import io.campaignpulse.contract.WireFormat;
import java.nio.charset.StandardCharsets;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Kafka records for our outputs: a UTF-8 key, an Avro value framed by {@code contract.output-encoding}
 * (single-object by default: the writer schema's fingerprint travels with it), and no explicit
 * timestamp, so the producer stamps the time of writing. (The sink would otherwise use the element's
 * event time; a broker refuses timestamps more than an hour ahead of its clock, and one skewed
 * producer upstream would then fail the job over and over. Event times are in the payload.)
 */
final class AvroRecordSerializer<T extends SpecificRecord> implements KafkaRecordSerializationSchema<T> {

    private final String topic;
    private final KafkaOutputs.KeyOf<T> keyOf;
    private final WireFormat wire;

    AvroRecordSerializer(String topic, KafkaOutputs.KeyOf<T> keyOf, WireFormat.Settings contract) {
        this.topic = topic;
        this.keyOf = keyOf;
        this.wire = new WireFormat(contract);
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(T element, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(
                topic, null, null, keyOf.key(element).getBytes(StandardCharsets.UTF_8), wire.encode(element));
    }
}
