package io.campaignpulse.faults;

import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.contract.ControlMessage;
import io.campaignpulse.contract.ControlScope;
import io.campaignpulse.contract.DeadLetter;
import io.campaignpulse.contract.DeadLetterReason;
import io.campaignpulse.contract.WireFormat;
import io.campaignpulse.demo.DemoWorld;
import io.campaignpulse.demo.PacedPublisher;
import io.campaignpulse.ingest.Envelope;
import io.campaignpulse.ingest.EnvelopeDecoder;
import io.campaignpulse.ingest.EventTimeGuard;
import io.campaignpulse.ingest.InputTopics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * Poison on every input topic, control included, published while the job runs: random bytes,
 * truncated Avro, a length prefix asking for 2 GB, a record of another topic's schema, a NUL
 * character in an id, and absurd timestamps. Every one must become a dead letter with its
 * topic, partition and offset; the job must not restart; no record content may reach a log.
 */
final class PoisonRecords implements FaultSuite.Fault {

    /** Planted in the text of the poison, so a log line that quotes a record is found. */
    static final String MARKER = "POISON-7c1d";

    private static final byte[] HUGE_LENGTH = {(byte) 0xee, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f};

    private final List<DeadLetterReason> expected = new ArrayList<>();

    @Override
    public double inject(FaultSuite.Run run) throws Exception {
        PulseConfig config = run.config();
        Map<String, byte[]> samples = samples(run);
        List<DemoWorld.Event> poison = poison(config, samples);
        run.awaitNewCheckpoint(Duration.ofMinutes(2));
        try (PacedPublisher publisher = new PacedPublisher(run.infra().bootstrapServers())) {
            publisher.publish(poison, 0, 0);
        }
        run.out().printf("faults: %d poison records published on %d topics%n", poison.size(), samples.size());
        return 0;
    }

    @Override
    public Map<DeadLetterReason, Integer> deadLetters() {
        return FaultSuite.countByReason(expected);
    }

    @Override
    public boolean restarts() {
        return false;
    }

    @Override
    public List<String> neverLogged() {
        return List.of(MARKER);
    }

    /** One valid record of each input topic, from the generated day, and a control message. */
    private static Map<String, byte[]> samples(FaultSuite.Run run) {
        Map<String, byte[]> samples = new LinkedHashMap<>();
        PulseConfig.Topics t = run.config().topics();
        // The day is regenerated the same way the suite generated it: the first record of each topic.
        DemoWorld world =
                DemoWorld.generate(run.config(), new DemoWorld.Options(50, 31, Instant.parse("2026-11-20T00:00:00Z")));
        for (DemoWorld.Event e : world.events()) {
            samples.putIfAbsent(e.topic(), e.value());
        }
        samples.put(
                t.control(),
                WireFormat.singleObject(ControlMessage.newBuilder()
                        .setControlId("poison-control")
                        .setScope(ControlScope.CAMPAIGN)
                        .setTarget("C-NONE")
                        .setSettings(Map.of("cooldown", "10m"))
                        .setAuthor("fault-suite")
                        .setReason(null)
                        .setIssuedAt(Instant.parse("2026-11-20T12:00:00Z"))
                        .build()));
        return samples;
    }

    /** The poison for every topic, each checked with the job's own decoder to be refused, and why. */
    private List<DemoWorld.Event> poison(PulseConfig config, Map<String, byte[]> samples) throws Exception {
        EnvelopeDecoder decoder =
                new EnvelopeDecoder(new InputTopics(config.topics()), new EventTimeGuard(config.eventTime()));
        List<String> topics = new ArrayList<>(samples.keySet());
        Random random = new Random(13);
        List<DemoWorld.Event> events = new ArrayList<>();
        for (int i = 0; i < topics.size(); i++) {
            String topic = topics.get(i);
            byte[] sample = samples.get(topic);
            byte[] noise = new byte[48];
            random.nextBytes(noise);
            List<byte[]> candidates = new ArrayList<>(List.of(
                    noise,
                    Arrays.copyOf(sample, sample.length - 2),
                    HUGE_LENGTH,
                    samples.get(topics.get((i + 1) % topics.size()))));
            Copies record = () -> decode(topic, sample, config);
            candidates.add(withNulInFirstText(record));
            candidates.addAll(withAbsurdTimestamps(record));
            for (byte[] value : candidates) {
                Envelope decoded = decoder.decode(topic, 0, 0, null, value);
                if (decoded.getPayload() instanceof DeadLetter dl) {
                    expected.add(dl.getReason());
                    events.add(new DemoWorld.Event(0, 0, topic, "poison-" + events.size(), value));
                }
            }
        }
        return events;
    }

    private static SpecificRecord decode(String topic, byte[] value, PulseConfig config) throws Exception {
        Class<? extends SpecificRecord> type = new InputTopics(config.topics()).recordType(topic);
        return decodeAs(type, value);
    }

    private static <T extends SpecificRecord> T decodeAs(Class<T> type, byte[] value) throws Exception {
        return WireFormat.defaults().decode(value, type);
    }

    /** A fresh copy of the sample record each time. */
    @FunctionalInterface
    private interface Copies {
        SpecificRecord copy() throws Exception;
    }

    private static byte[] withNulInFirstText(Copies record) throws Exception {
        SpecificRecord copy = record.copy();
        for (Schema.Field f : copy.getSchema().getFields()) {
            if (accepts(f.schema(), Schema.Type.STRING)) {
                copy.put(f.pos(), MARKER + "\u0000" + f.name());
                break;
            }
        }
        return WireFormat.singleObject(copy);
    }

    /** The record with each of its timestamps in 2099, one at a time, and in 1960. */
    private static List<byte[]> withAbsurdTimestamps(Copies record) throws Exception {
        List<byte[]> out = new ArrayList<>();
        for (Schema.Field f : record.copy().getSchema().getFields()) {
            Schema s = nonNull(f.schema());
            if (s.getType() == Schema.Type.LONG && s.getLogicalType() instanceof LogicalTypes.TimestampMillis) {
                for (String when : List.of("2099-01-01T09:00:00Z", "1960-01-01T00:00:00Z")) {
                    SpecificRecord copy = record.copy();
                    copy.put(f.pos(), Instant.parse(when));
                    out.add(WireFormat.singleObject(copy));
                }
            }
        }
        return out;
    }

    private static boolean accepts(Schema schema, Schema.Type type) {
        return nonNull(schema).getType() == type;
    }

    private static Schema nonNull(Schema schema) {
        if (schema.getType() == Schema.Type.UNION) {
            return schema.getTypes().stream()
                    .filter(s -> s.getType() != Schema.Type.NULL)
                    .findFirst()
                    .orElse(schema);
        }
        return schema;
    }
}
