package io.campaignpulse.contract;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * Every published version of every record on our topics: {@code schemas/<Record>/v<N>.avsc},
 * each self-contained (nested types inlined), numbered from 1 without gaps, and never edited once
 * published. The jar carries them, so a reader knows every writer schema of earlier releases.
 */
public final class PublishedSchemas {

    /** The records that travel on Kafka topics, inputs and outputs. */
    public static final List<Class<? extends SpecificRecord>> WIRE_RECORDS = List.of(
            Campaign.class,
            CampaignSend.class,
            HoldingChange.class,
            ConsentChange.class,
            TicketEvent.class,
            Review.class,
            ControlMessage.class,
            Misfire.class,
            Alert.class,
            DeadLetter.class,
            CampaignStats.class,
            Suppression.class);

    static final String RESOURCE_ROOT = "/campaign-pulse/schemas/";

    private final Map<String, List<Schema>> versions;
    private final Map<Long, Schema> byFingerprint;

    private PublishedSchemas(Map<String, List<Schema>> versions) {
        this.versions = versions;
        Map<Long, Schema> fingerprints = new HashMap<>();
        versions.values().forEach(list -> list.forEach(s -> fingerprints.put(WireFormat.fingerprintOf(s), s)));
        this.byFingerprint = Map.copyOf(fingerprints);
    }

    /** Loaded once: every decoder and serializer of a JVM shares them. */
    private static final class Bundled {
        static final PublishedSchemas INSTANCE = load();
    }

    /** The versions packaged in the jar (read and parsed once per JVM). */
    public static PublishedSchemas bundled() {
        return Bundled.INSTANCE;
    }

    private static PublishedSchemas load() {
        Map<String, List<Schema>> all = new LinkedHashMap<>();
        for (Class<? extends SpecificRecord> type : WIRE_RECORDS) {
            String name = type.getSimpleName();
            List<Schema> list = new ArrayList<>();
            for (int v = 1; ; v++) {
                String text = resource(RESOURCE_ROOT + name + "/v" + v + ".avsc");
                if (text == null) {
                    break;
                }
                list.add(parse(text, name + "/v" + v + ".avsc"));
            }
            if (list.isEmpty()) {
                throw new IllegalStateException("no published schema of " + name + " in the jar");
            }
            all.put(name, List.copyOf(list));
        }
        return new PublishedSchemas(all);
    }

    /** The versions in a source tree's {@code schemas/} directory (the build's own check reads these). */
    public static PublishedSchemas inDirectory(Path schemas) throws IOException {
        return inDirectory(schemas, WIRE_RECORDS);
    }

    /** The versions of {@code records} in a directory laid out as {@code <Record>/v<N>.avsc}. */
    public static PublishedSchemas inDirectory(Path schemas, List<Class<? extends SpecificRecord>> records)
            throws IOException {
        Map<String, List<Schema>> all = new LinkedHashMap<>();
        for (Class<? extends SpecificRecord> type : records) {
            String name = type.getSimpleName();
            List<Schema> list = new ArrayList<>();
            for (int v = 1; Files.isRegularFile(schemas.resolve(name).resolve("v" + v + ".avsc")); v++) {
                Path file = schemas.resolve(name).resolve("v" + v + ".avsc");
                list.add(parse(Files.readString(file), file.toString()));
            }
            all.put(name, List.copyOf(list));
        }
        return new PublishedSchemas(all);
    }

    /** Versions of a record, v1 first; empty for a record that is not published. */
    public List<Schema> versions(String record) {
        return versions.getOrDefault(record, List.of());
    }

    /** @return version {@code v} (1-based) of the record, or null when it has no such version. */
    public Schema version(String record, int v) {
        List<Schema> list = versions(record);
        return v >= 1 && v <= list.size() ? list.get(v - 1) : null;
    }

    public Map<String, List<Schema>> all() {
        return versions;
    }

    /** Every version by the CRC-64-AVRO fingerprint of its canonical form. */
    public Map<Long, Schema> byFingerprint() {
        return byFingerprint;
    }

    static Schema parse(String json, String origin) {
        try {
            return new Schema.Parser().parse(json);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot parse schema " + origin + ": " + e.getMessage(), e);
        }
    }

    private static String resource(String path) {
        try (InputStream in = PublishedSchemas.class.getResourceAsStream(path)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
