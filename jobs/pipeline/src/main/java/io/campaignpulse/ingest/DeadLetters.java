package io.campaignpulse.ingest;

import io.campaignpulse.contract.DeadLetter;
import io.campaignpulse.contract.DeadLetterReason;
import io.campaignpulse.contract.WireFormat;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;

/** Builds dead letters. */
public final class DeadLetters {

    /**
     * The most of a record's bytes a dead letter carries: a dead letter must always fit in one
     * Kafka request (1 MB by default) and one PostgreSQL row without straining either.
     */
    public static final int MAX_PAYLOAD_BYTES = 256 * 1024;

    private DeadLetters() {}

    public static DeadLetter of(
            String topic,
            int partition,
            long offset,
            byte[] key,
            byte[] payload,
            DeadLetterReason reason,
            String detail,
            Instant detectedAt) {
        String why = detail;
        if (payload != null && payload.length > MAX_PAYLOAD_BYTES) {
            why = detail + " (payload truncated to its first " + MAX_PAYLOAD_BYTES + " of " + payload.length
                    + " bytes)";
        }
        return DeadLetter.newBuilder()
                .setSourceTopic(topic)
                .setSourcePartition(partition)
                .setSourceOffset(offset)
                .setKey(key == null ? null : ByteBuffer.wrap(key, 0, Math.min(key.length, MAX_PAYLOAD_BYTES)))
                .setPayload(
                        payload == null
                                ? null
                                : ByteBuffer.wrap(payload, 0, Math.min(payload.length, MAX_PAYLOAD_BYTES)))
                .setReason(reason)
                .setDetail(why)
                .setDetectedAt(detectedAt)
                .build();
    }

    /** A dead letter for a record that decoded fine but could not be processed later on. */
    public static DeadLetter of(Envelope envelope, DeadLetterReason reason, String detail) {
        byte[] payload = WireFormat.singleObject((SpecificRecord) envelope.getPayload());
        return of(
                envelope.getSourceTopic(),
                envelope.getSourcePartition(),
                envelope.getSourceOffset(),
                null,
                payload,
                reason,
                detail,
                Instant.now());
    }
}
