package io.campaignpulse.ingest;

import io.campaignpulse.contract.WireFormat;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Decodes inside the Kafka source, so a bad record becomes a dead letter instead of a task failure. */
public final class KafkaEnvelopeDeserializer implements KafkaRecordDeserializationSchema<Envelope> {

    private final EnvelopeDecoder decoder;

    public KafkaEnvelopeDeserializer(InputTopics topics, EventTimeGuard eventTimes, WireFormat.Settings contract) {
        this.decoder = new EnvelopeDecoder(topics, eventTimes, contract);
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Envelope> out) {
        out.collect(decoder.decode(record.topic(), record.partition(), record.offset(), record.key(), record.value()));
    }

    @Override
    public TypeInformation<Envelope> getProducedType() {
        return new AvroTypeInfo<>(Envelope.class);
    }
}
