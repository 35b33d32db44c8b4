package io.campaignpulse.ingest;

import io.campaignpulse.contract.DeadLetter;
import io.campaignpulse.contract.DeadLetterReason;
import io.campaignpulse.contract.SchemaRegistry;
import io.campaignpulse.contract.WireFormat;
import java.io.IOException;
import java.io.Serializable;
import java.time.Instant;
import org.apache.avro.specific.SpecificRecord;

/**
 * Turns the bytes of one input record into an {@link Envelope}: the decoded record when it is
 * valid Avro and meets the contract, otherwise a {@link DeadLetter} carrying the raw bytes and
 * the reason. Never throws, so a poison record can never crash-loop the job.
 */
public final class EnvelopeDecoder implements Serializable {

    private final InputTopics topics;
    private final EventTimeGuard eventTimes;
    private final WireFormat wire;

    /** With the default contract settings (tests, replay files). */
    public EnvelopeDecoder(InputTopics topics, EventTimeGuard eventTimes) {
        this(topics, eventTimes, WireFormat.Settings.defaults());
    }

    public EnvelopeDecoder(InputTopics topics, EventTimeGuard eventTimes, WireFormat.Settings contract) {
        this.topics = topics;
        this.eventTimes = eventTimes;
        this.wire = new WireFormat(contract);
    }

    public Envelope decode(String topic, int partition, long offset, byte[] key, byte[] value) {
        Class<? extends SpecificRecord> type = topics.recordType(topic);
        if (type == null) {
            return deadLetter(
                    topic,
                    partition,
                    offset,
                    key,
                    value,
                    DeadLetterReason.DECODE_ERROR,
                    "topic is not an input of this job");
        }
        if (value == null || value.length == 0) {
            return deadLetter(
                    topic, partition, offset, key, value, DeadLetterReason.DECODE_ERROR, "empty value (a tombstone?)");
        }
        SpecificRecord record = null;
        String why;
        try {
            record = wire.decode(value, type);
            why = null;
        } catch (SchemaRegistry.Unavailable e) {
            throw e; // the registry's fault, not the record's: the task restarts and reads it again
        } catch (IOException e) {
            why = ": " + e.getMessage(); // our own messages: they name the framing or schema, never the content
        } catch (Exception | StackOverflowError e) {
            why = " (" + e.getClass().getSimpleName() + ")"; // only the type: messages can quote the content
        }
        if (why != null) {
            return deadLetter(
                    topic,
                    partition,
                    offset,
                    key,
                    value,
                    DeadLetterReason.DECODE_ERROR,
                    "not a valid Avro " + type.getSimpleName() + why);
        }
        ContractCheck.Violation violation = ContractCheck.check(record);
        if (violation == null) {
            violation = eventTimes.check(record);
        }
        if (violation != null) {
            return deadLetter(topic, partition, offset, key, value, violation.reason(), violation.detail());
        }
        return new Envelope(topic, partition, offset, record);
    }

    static Envelope deadLetter(
            String topic,
            int partition,
            long offset,
            byte[] key,
            byte[] value,
            DeadLetterReason reason,
            String detail) {
        DeadLetter dl = DeadLetters.of(topic, partition, offset, key, value, reason, detail, Instant.now());
        return new Envelope(topic, partition, offset, dl);
    }
}
