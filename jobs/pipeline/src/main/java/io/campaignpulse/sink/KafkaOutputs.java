package io.campaignpulse.sink;

import io.campaignpulse.config.PulseConfig;
import java.io.Serializable;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;

/**
 * Kafka sinks writing Avro values (framed as contract.output-encoding says): exactly-once by
 * default, with failed commits counted and logged ({@link CommitAlarmKafkaSink}); at-least-once
 * when kafka.delivery says so, for consumers that need records within milliseconds and drop
 * duplicates themselves.
 */
public final class KafkaOutputs {

    private KafkaOutputs() {}

    /** Extracts a record's Kafka key. */
    public interface KeyOf<T> extends Serializable {
        String key(T record);
    }

    public static <T extends SpecificRecord> CommitAlarmKafkaSink<T> sink(
            PulseConfig config, String topic, Class<T> type, KeyOf<T> keyOf) {
        PulseConfig.Kafka kafka = config.kafka();
        Properties props = new Properties();
        // Batches filled for up to 20 ms in either mode: each batch costs the task thread a
        // network wake-up and the broker a request. Exactly-once records are visible only when the
        // checkpoint commits their transaction, so there the wait costs no latency anyone can see.
        // At-least-once records are visible once sent, but on a busy machine the CPU that 2 ms
        // batches took cost the alerts more than the wait (measured with pulse bench: see the
        // README's performance section).
        // (Compression is the operator's choice, in kafka.properties: measured here, lz4 with
        // 256 KB batches cost the task thread more in buffer set-up than it saved on a loopback
        // broker.)
        props.setProperty("linger.ms", "20");
        props.putAll(kafka.clientProperties()); // the operator's own kafka.properties win
        props.setProperty(
                "transaction.timeout.ms",
                Long.toString(kafka.transactionTimeout().toMillis()));
        return new CommitAlarmKafkaSink<>(
                KafkaSink.<T>builder()
                        .setBootstrapServers(kafka.bootstrapServers())
                        .setKafkaProducerConfig(props)
                        .setRecordSerializer(new AvroRecordSerializer<>(
                                topic, keyOf, config.contract().wire()))
                        .setDeliveryGuarantee(
                                kafka.exactlyOnce() ? DeliveryGuarantee.EXACTLY_ONCE : DeliveryGuarantee.AT_LEAST_ONCE)
                        // Unique per sink and stable across restarts: a changed prefix would leave the old
                        // transactions open and block read_committed consumers until they time out.
                        .setTransactionalIdPrefix(kafka.transactionalIdPrefix() + "-" + topic)
                        .build(),
                topic);
    }
}
