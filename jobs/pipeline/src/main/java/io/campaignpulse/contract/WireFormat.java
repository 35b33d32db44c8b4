package io.campaignpulse.contract;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How our records travel in Kafka values. Every record we write carries its writer schema's
 * identity, and every record we read is decoded from its writer's schema to ours with Avro's schema
 * resolution (fields matched by name, added fields ignored or defaulted, unknown enum symbols to
 * the enum's default):
 *
 * <ul>
 *   <li><b>Avro single-object encoding</b> (what we write): {@code C3 01}, the 8-byte CRC-64-AVRO
 *       fingerprint of the writer schema's canonical form (little-endian), then the binary body.
 *       The writer schema is found by fingerprint among the published versions in the jar, then
 *       among the {@code .avsc} files of {@code contract.schema-directories} (newer producers'
 *       schemas, read again when an unknown fingerprint arrives, at most once a second).
 *   <li><b>Confluent framing</b> ({@code 00}, a 4-byte big-endian schema id, the body), read when
 *       {@code contract.schema-registry-url} is set: the schema is fetched from the registry by id.
 *   <li><b>Plain binary</b> (earlier releases' producers): read as the published version {@code
 *       contract.plain-binary-writer-version} of the record, while {@code
 *       contract.plain-binary-accepted} is true.
 * </ul>
 *
 * The first byte tells them apart because every record on our topics starts with a string field: in
 * plain binary, {@code C3 01} would announce a negative length, and {@code 00} an empty id, which the
 * contract refuses anyway. One instance per thread: it reuses buffers and caches resolvers.
 */
public final class WireFormat implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(WireFormat.class);

    static final byte MAGIC_0 = (byte) 0xC3;
    static final byte MAGIC_1 = 0x01;
    static final int SINGLE_OBJECT_HEADER = 10;
    static final int CONFLUENT_HEADER = 5;
    /**
     * How often the schema directories may be read again for an unknown fingerprint: a schema added
     * there is seen within a second, and a flood of records nobody published costs one scan a second.
     */
    private static final long RESCAN_MS = 1_000;

    /** What we write. */
    public enum Encoding {
        SINGLE_OBJECT,
        PLAIN_BINARY
    }

    /** How the contract is configured (contract.* in pulse.yaml). */
    public record Settings(
            boolean plainBinaryAccepted,
            int plainBinaryWriterVersion,
            Encoding outputEncoding,
            List<String> schemaDirectories,
            String schemaRegistryUrl,
            String schemaRegistryCredentials,
            Duration schemaRegistryTimeout)
            implements Serializable {

        /** Writes single-object, reads plain binary as v1, no extra schemas, no registry. */
        public static Settings defaults() {
            return new Settings(true, 1, Encoding.SINGLE_OBJECT, List.of(), "", "", Duration.ofSeconds(10));
        }

        public Settings withSchemaDirectories(List<String> directories) {
            return new Settings(
                    plainBinaryAccepted,
                    plainBinaryWriterVersion,
                    outputEncoding,
                    List.copyOf(directories),
                    schemaRegistryUrl,
                    schemaRegistryCredentials,
                    schemaRegistryTimeout);
        }

        public Settings withSchemaRegistry(String url, String credentials, Duration timeout) {
            return new Settings(
                    plainBinaryAccepted,
                    plainBinaryWriterVersion,
                    outputEncoding,
                    schemaDirectories,
                    url,
                    credentials,
                    timeout);
        }

        public Settings withPlainBinary(boolean accepted, Encoding output) {
            return new Settings(
                    accepted,
                    plainBinaryWriterVersion,
                    output,
                    schemaDirectories,
                    schemaRegistryUrl,
                    schemaRegistryCredentials,
                    schemaRegistryTimeout);
        }

        @Override
        public String toString() {
            return "Settings[plainBinaryAccepted=" + plainBinaryAccepted + ", plainBinaryWriterVersion="
                    + plainBinaryWriterVersion + ", outputEncoding=" + outputEncoding + ", schemaDirectories="
                    + schemaDirectories + ", schemaRegistryUrl=" + schemaRegistryUrl + ", credentials="
                    + (schemaRegistryCredentials == null || schemaRegistryCredentials.isEmpty() ? "(none)" : "****")
                    + "]";
        }
    }

    /** The single-object header of each generated class: its schema's canonical form is computed once. */
    private static final ClassValue<byte[]> HEADERS = new ClassValue<>() {
        @Override
        protected byte[] computeValue(Class<?> type) {
            byte[] header = new byte[SINGLE_OBJECT_HEADER];
            header[0] = MAGIC_0;
            header[1] = MAGIC_1;
            System.arraycopy(fingerprintBytes(SpecificData.get().getSchema(type)), 0, header, 2, 8);
            return header;
        }
    };

    private final Settings settings;

    private transient Map<Long, Schema> byFingerprint;
    private transient long lastScan;
    private transient SchemaRegistry registry;
    private transient Map<Class<?>, Schema> plainWriters;
    private transient Map<Long, Map<Class<?>, SpecificDatumReader<?>>> readers;
    private transient Map<Integer, Map<Class<?>, SpecificDatumReader<?>>> registryReaders;
    private transient Map<Class<?>, Writer> writers;
    private transient BinaryDecoder decoder;
    private transient BinaryDecoder skipper;
    private transient BinaryEncoder encoder;
    private transient ByteArrayOutputStream buffer;

    public WireFormat(Settings settings) {
        this.settings = settings;
    }

    public static WireFormat defaults() {
        return new WireFormat(Settings.defaults());
    }

    public Settings settings() {
        return settings;
    }

    /**
     * Decodes one Kafka value into our version of {@code type}. Rejects truncated records, trailing
     * bytes and unknown writer schemas with an {@link IOException} whose message never quotes the
     * record's content. A schema registry that cannot be reached throws {@link
     * SchemaRegistry.Unavailable}: that is no fault of the record.
     */
    public <T extends SpecificRecord> T decode(byte[] bytes, Class<T> type) throws IOException {
        init();
        if (bytes.length >= 2 && bytes[0] == MAGIC_0 && bytes[1] == MAGIC_1) {
            if (bytes.length < SINGLE_OBJECT_HEADER) {
                throw new IOException("truncated single-object header");
            }
            long fingerprint =
                    ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            Schema writer = writerSchema(fingerprint);
            return read(
                    bytes,
                    SINGLE_OBJECT_HEADER,
                    writer,
                    type,
                    readers.computeIfAbsent(fingerprint, f -> new HashMap<>()));
        }
        if (registry != null && bytes.length >= 1 && bytes[0] == 0) {
            if (bytes.length < CONFLUENT_HEADER) {
                throw new IOException("truncated Confluent header");
            }
            int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
            Schema writer = registry.schema(id);
            return read(
                    bytes, CONFLUENT_HEADER, writer, type, registryReaders.computeIfAbsent(id, i -> new HashMap<>()));
        }
        if (!settings.plainBinaryAccepted()) {
            throw new IOException(
                    "plain Avro binary without a schema header, refused by contract.plain-binary-accepted");
        }
        Schema writer = plainWriters.computeIfAbsent(type, this::plainWriter);
        return read(bytes, 0, writer, type, readers.computeIfAbsent(fingerprintOf(writer), f -> new HashMap<>()));
    }

    /** Encodes one of our records the way {@code contract.output-encoding} says. */
    public byte[] encode(SpecificRecord record) {
        init();
        Writer w = writers.computeIfAbsent(record.getClass(), Writer::new);
        buffer.reset();
        if (settings.outputEncoding() == Encoding.SINGLE_OBJECT) {
            buffer.write(w.header, 0, w.header.length);
        }
        encoder = EncoderFactory.get().binaryEncoder(buffer, encoder);
        try {
            w.writer.write(record, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buffer.toByteArray();
    }

    /** A record in single-object encoding (producers, tests). */
    public static byte[] singleObject(SpecificRecord record) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        out.writeBytes(HEADERS.get(record.getClass()));
        writeBody(record.getSchema(), record, out);
        return out.toByteArray();
    }

    /** A datum of any schema in single-object encoding: what a producer on that schema writes. */
    public static byte[] singleObject(Schema schema, Object datum) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        out.write(MAGIC_0);
        out.write(MAGIC_1);
        out.writeBytes(fingerprintBytes(schema));
        writeBody(schema, datum, out);
        return out.toByteArray();
    }

    /** A datum in plain Avro binary, as earlier releases wrote it. */
    public static byte[] plainBinary(Schema schema, Object datum) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        writeBody(schema, datum, out);
        return out.toByteArray();
    }

    /** A datum in the Confluent wire format with the given registry id. */
    public static byte[] confluent(int schemaId, Schema schema, Object datum) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        out.write(0);
        out.writeBytes(ByteBuffer.allocate(4).putInt(schemaId).array());
        writeBody(schema, datum, out);
        return out.toByteArray();
    }

    private static void writeBody(Schema schema, Object datum, ByteArrayOutputStream out) {
        DatumWriter<Object> writer =
                datum instanceof SpecificRecord ? new SpecificDatumWriter<>(schema) : new GenericDatumWriter<>(schema);
        BinaryEncoder e = EncoderFactory.get().binaryEncoder(out, null);
        try {
            writer.write(datum, e);
            e.flush();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    static byte[] fingerprintBytes(Schema schema) {
        return ByteBuffer.allocate(8)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(fingerprintOf(schema))
                .array();
    }

    /** A schema's fingerprint; the published ones' are computed once, in {@link PublishedSchemas}. */
    static long fingerprintOf(Schema schema) {
        return SchemaNormalization.parsingFingerprint64(schema);
    }

    @SuppressWarnings("unchecked")
    private <T extends SpecificRecord> T read(
            byte[] bytes, int offset, Schema writer, Class<T> type, Map<Class<?>, SpecificDatumReader<?>> cache)
            throws IOException {
        Schema ours = SpecificData.get().getSchema(type);
        if (writer.getType() != Schema.Type.RECORD
                || !(writer.getFullName().equals(ours.getFullName())
                        || ours.getAliases().contains(writer.getFullName()))) {
            throw new IOException("a " + writer.getName() + " record where a " + type.getSimpleName() + " belongs");
        }
        // Skip through first, allocating nothing: Avro allocates a string, array or map of the length a
        // prefix announces before reading it, so 5 crafted bytes could otherwise ask for 2 GB.
        skipper = DecoderFactory.get().binaryDecoder(bytes, offset, bytes.length - offset, skipper);
        GenericDatumReader.skip(writer, skipper);
        if (!skipper.isEnd()) {
            throw new IOException("trailing bytes after a " + type.getSimpleName());
        }
        SpecificDatumReader<T> reader =
                (SpecificDatumReader<T>) cache.computeIfAbsent(type, t -> new SpecificDatumReader<>(writer, ours));
        decoder = DecoderFactory.get().binaryDecoder(bytes, offset, bytes.length - offset, decoder);
        T record = reader.read(null, decoder);
        if (!decoder.isEnd()) {
            throw new IOException("trailing bytes after a " + type.getSimpleName());
        }
        return record;
    }

    private Schema plainWriter(Class<?> type) {
        List<Schema> versions = PublishedSchemas.bundled().versions(type.getSimpleName());
        if (versions.isEmpty()) {
            return SpecificData.get().getSchema(type);
        }
        return versions.get(Math.min(settings.plainBinaryWriterVersion(), versions.size()) - 1);
    }

    private Schema writerSchema(long fingerprint) throws IOException {
        Schema known = byFingerprint.get(fingerprint);
        if (known == null
                && !settings.schemaDirectories().isEmpty()
                && System.currentTimeMillis() - lastScan >= RESCAN_MS) {
            scanDirectories();
            known = byFingerprint.get(fingerprint);
        }
        if (known == null) {
            throw new IOException("unknown writer schema (fingerprint " + Long.toHexString(fingerprint)
                    + "): publish it in schemas/ or add it to contract.schema-directories");
        }
        return known;
    }

    private void init() {
        if (byFingerprint != null) {
            return;
        }
        byFingerprint = new HashMap<>();
        readers = new HashMap<>();
        registryReaders = new HashMap<>();
        writers = new HashMap<>();
        buffer = new ByteArrayOutputStream(512);
        plainWriters = new HashMap<>();
        byFingerprint.putAll(PublishedSchemas.bundled().byFingerprint());
        scanDirectories();
        if (settings.schemaRegistryUrl() != null
                && !settings.schemaRegistryUrl().isEmpty()) {
            registry = new SchemaRegistry(
                    settings.schemaRegistryUrl(),
                    settings.schemaRegistryCredentials(),
                    settings.schemaRegistryTimeout());
        }
    }

    /** Every .avsc under the configured directories; a file that does not parse is skipped, loudly. */
    private void scanDirectories() {
        lastScan = System.currentTimeMillis();
        for (String dir : settings.schemaDirectories()) {
            try (Stream<Path> files = Files.walk(Path.of(dir))) {
                for (Path file : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".avsc"))::iterator) {
                    try {
                        Schema s = new Schema.Parser().parse(Files.readString(file));
                        byFingerprint.putIfAbsent(fingerprintOf(s), s);
                    } catch (IOException | RuntimeException e) {
                        LOG.warn("schema file {} cannot be read and is ignored ({})", file, e.toString());
                    }
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("schema directory {} cannot be read ({})", dir, e.toString());
            }
        }
    }

    /** Our record's writer and its single-object header. */
    private static final class Writer {
        final SpecificDatumWriter<SpecificRecord> writer;
        final byte[] header;

        @SuppressWarnings("unchecked")
        Writer(Class<?> type) {
            this.writer = new SpecificDatumWriter<>((Class<SpecificRecord>) type);
            this.header = HEADERS.get(type);
        }
    }
}
