package io.campaignpulse.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import io.campaignpulse.contract.DeadLetter;
import io.campaignpulse.contract.DeadLetterReason;
import io.campaignpulse.contract.WireFormat;
import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Decodes one line of a replay file. The JSON is turned into the same Avro bytes a Kafka
 * producer would write and then goes through {@link EnvelopeDecoder}, so replay and live
 * input meet exactly the same contract checks. Dead letters carry the original line.
 */
public final class JsonLineDecoder implements Serializable {

    private final InputTopics topics;
    private final EnvelopeDecoder decoder;

    public JsonLineDecoder(InputTopics topics, EventTimeGuard eventTimes) {
        this.topics = topics;
        this.decoder = new EnvelopeDecoder(topics, eventTimes);
    }

    /**
     * A line as read from a file: text that is not valid UTF-8 is a dead letter, never a guess
     * with replacement characters in ids.
     *
     * @param lineNumber 1-based, recorded as the dead letter's offset
     */
    public Envelope decode(String topic, long lineNumber, byte[] raw) {
        String line;
        try {
            line = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw))
                    .toString();
        } catch (CharacterCodingException e) {
            return EnvelopeDecoder.deadLetter(
                    topic, 0, lineNumber, null, raw, DeadLetterReason.DECODE_ERROR, "not valid UTF-8 text");
        }
        return decode(topic, lineNumber, line, raw);
    }

    /** @param lineNumber 1-based, recorded as the dead letter's offset */
    public Envelope decode(String topic, long lineNumber, String line) {
        return decode(topic, lineNumber, line, line.getBytes(StandardCharsets.UTF_8));
    }

    private Envelope decode(String topic, long lineNumber, String line, byte[] raw) {
        Class<? extends SpecificRecord> type = topics.recordType(topic);
        if (type == null) {
            return EnvelopeDecoder.deadLetter(
                    topic, 0, lineNumber, null, raw, DeadLetterReason.DECODE_ERROR, "not an input topic");
        }
        Schema schema = SpecificData.get().getSchema(type);
        try {
            JsonNode node = AvroJson.MAPPER.readTree(line);
            GenericRecord generic = AvroJson.fromJson(node, schema);
            Envelope envelope = decoder.decode(topic, 0, lineNumber, null, toAvroBytes(generic));
            if (envelope.getPayload() instanceof DeadLetter dl) {
                dl.setPayload(ByteBuffer.wrap(raw));
            }
            return envelope;
        } catch (AvroJson.Mismatch e) {
            return EnvelopeDecoder.deadLetter(topic, 0, lineNumber, null, raw, e.reason, e.getMessage());
        } catch (IOException | RuntimeException e) {
            return EnvelopeDecoder.deadLetter(
                    topic,
                    0,
                    lineNumber,
                    null,
                    raw,
                    DeadLetterReason.DECODE_ERROR,
                    "not valid JSON (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** As a producer on this release's schema writes it. */
    private static byte[] toAvroBytes(GenericRecord record) {
        return WireFormat.singleObject(record.getSchema(), record);
    }
}
