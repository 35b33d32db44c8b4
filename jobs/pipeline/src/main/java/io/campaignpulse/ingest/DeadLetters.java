package io.campaignpulse.ingest;

import io.campaignpulse.contract.DeadLetter;
import io.campaignpulse.contract.DeadLetterReason;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;

/** Builds dead letters. */
public final class DeadLetters {

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
        return DeadLetter.newBuilder()
                .setSourceTopic(topic)
                .setSourcePartition(partition)
                .setSourceOffset(offset)
                .setKey(key == null ? null : ByteBuffer.wrap(key))
                .setPayload(payload == null ? null : ByteBuffer.wrap(payload))
                .setReason(reason)
                .setDetail(detail)
                .setDetectedAt(detectedAt)
                .build();
    }

    /** A dead letter for a record that decoded fine but could not be processed later on. */
    public static DeadLetter of(Envelope envelope, DeadLetterReason reason, String detail) {
        byte[] payload = AvroBinary.toBytes((SpecificRecord) envelope.getPayload());
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
