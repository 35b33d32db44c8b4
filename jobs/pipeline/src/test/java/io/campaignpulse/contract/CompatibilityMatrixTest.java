package io.campaignpulse.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every record on every topic, in every framing and version a producer may use, read by this
 * release; and every record this release writes, read by a consumer on each published version.
 * The printed table is the tested compatibility matrix.
 */
class CompatibilityMatrixTest {

    private static final String ADDED = "added_by_a_newer_producer";

    @TempDir
    static Path newerSchemas;

    private static HttpServer registry;
    private static final Map<Integer, String> REGISTERED = new HashMap<>();

    @BeforeAll
    static void startRegistry() throws IOException {
        registry = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        registry.createContext("/schemas/ids/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            String schema = REGISTERED.get(Integer.parseInt(path.substring(path.lastIndexOf('/') + 1)));
            byte[] body = (schema == null
                            ? "{\"error_code\":40403}"
                            : "{\"schema\":" + GenericData.get().toString(schema) + "}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(schema == null ? 404 : 200, body.length);
            try (var out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        registry.start();
    }

    @AfterAll
    static void stopRegistry() {
        registry.stop(0);
    }

    @Test
    void everyProducerVersionAndFramingIsReadByThisRelease() throws Exception {
        WireFormat job = new WireFormat(WireFormat.Settings.defaults()
                .withSchemaDirectories(List.of(newerSchemas.toString()))
                .withSchemaRegistry("http://127.0.0.1:" + registry.getAddress().getPort(), "", Duration.ofSeconds(5)));
        // Producers ahead of this release: each record's newest version plus an optional field, its
        // schema added to the job's schema directory before the producer writes.
        Map<Class<?>, Schema> newer = new HashMap<>();
        for (Class<? extends SpecificRecord> type : PublishedSchemas.WIRE_RECORDS) {
            List<Schema> versions = PublishedSchemas.bundled().versions(type.getSimpleName());
            Schema ahead = ProducerSchemas.changed(
                    versions.get(versions.size() - 1), f -> f.add(ProducerSchemas.optionalString(ADDED)));
            Files.writeString(newerSchemas.resolve(type.getSimpleName() + ".avsc"), ahead.toString());
            newer.put(type, ahead);
        }
        Map<String, List<String>> matrix = new TreeMap<>();
        int id = 1;
        for (Class<? extends SpecificRecord> type : PublishedSchemas.WIRE_RECORDS) {
            List<Schema> versions = PublishedSchemas.bundled().versions(type.getSimpleName());
            List<String> row = new ArrayList<>();
            for (int v = 1; v <= versions.size(); v++) {
                Schema published = versions.get(v - 1);
                GenericRecord datum = sample(published);
                if (v == 1) {
                    check(job, type, WireFormat.plainBinary(published, datum), datum, "plain v1", row);
                }
                check(job, type, WireFormat.singleObject(published, datum), datum, "single-object v" + v, row);
                REGISTERED.put(id, published.toString());
                check(job, type, WireFormat.confluent(id++, published, datum), datum, "Confluent v" + v, row);
            }
            GenericRecord ahead = sample(newer.get(type));
            ahead.put(ADDED, "ignored");
            check(job, type, WireFormat.singleObject(newer.get(type), ahead), ahead, "single-object newer", row);
            REGISTERED.put(id, newer.get(type).toString());
            check(job, type, WireFormat.confluent(id++, newer.get(type), ahead), ahead, "Confluent newer", row);
            matrix.put(type.getSimpleName(), row);
        }
        print("producer -> this release", matrix);
    }

    @Test
    void everyRecordThisReleaseWritesIsReadByAConsumerOnEachPublishedVersion() throws Exception {
        Map<String, List<String>> matrix = new TreeMap<>();
        for (Class<? extends SpecificRecord> type : PublishedSchemas.WIRE_RECORDS) {
            List<Schema> versions = PublishedSchemas.bundled().versions(type.getSimpleName());
            Schema current = versions.get(versions.size() - 1);
            GenericRecord datum = sample(current);
            SpecificRecord ours = WireFormat.defaults().decode(WireFormat.singleObject(current, datum), type);
            byte[] written = WireFormat.defaults().encode(ours);
            List<String> row = new ArrayList<>();
            for (int v = 1; v <= versions.size(); v++) {
                BinaryMessageDecoder<GenericRecord> consumer =
                        new BinaryMessageDecoder<>(GenericData.get(), versions.get(v - 1));
                versions.forEach(consumer::addSchema);
                GenericRecord read = consumer.decode(written);
                for (Schema.Field f : versions.get(v - 1).getFields()) {
                    assertThat(text(read.get(f.name())))
                            .as("%s v%d reads %s", type.getSimpleName(), v, f.name())
                            .isEqualTo(text(datum.get(f.name())));
                }
                row.add("v" + v + " consumer: ok");
            }
            matrix.put(type.getSimpleName(), row);
        }
        print("this release -> consumer", matrix);
    }

    /** Decodes as this release does, then compares every field the producer wrote and this release knows. */
    private static void check(
            WireFormat job,
            Class<? extends SpecificRecord> type,
            byte[] bytes,
            GenericRecord written,
            String label,
            List<String> row)
            throws IOException {
        SpecificRecord read = job.decode(bytes, type);
        Schema ours = SpecificData.get().getSchema(type);
        GenericRecord asGeneric = new GenericDatumReader<GenericRecord>(ours)
                .read(null, DecoderFactory.get().binaryDecoder(WireFormat.plainBinary(ours, read), null));
        for (Schema.Field f : ours.getFields()) {
            Object expected = written.getSchema().getField(f.name()) == null
                    ? GenericData.get().getDefaultValue(f)
                    : written.get(f.name());
            assertThat(text(asGeneric.get(f.name())))
                    .as("%s from %s: %s", type.getSimpleName(), label, f.name())
                    .isEqualTo(text(expected));
        }
        row.add(label + ": ok");
    }

    /** A record of the schema with a value in every field: text, numbers, the first enum symbol, one map entry. */
    static GenericRecord sample(Schema schema) {
        GenericRecord r = new GenericData.Record(schema);
        for (Schema.Field f : schema.getFields()) {
            r.put(f.name(), value(f.schema(), f.name()));
        }
        return r;
    }

    private static Object value(Schema s, String name) {
        return switch (s.getType()) {
            case STRING -> name + "-1";
            case LONG -> 1_700_000_000_000L;
            case INT -> 3;
            case DOUBLE -> 0.25;
            case FLOAT -> 0.5f;
            case BOOLEAN -> true;
            case BYTES -> ByteBuffer.wrap(new byte[] {1, 2});
            case ENUM -> new GenericData.EnumSymbol(s, s.getEnumSymbols().get(0));
            case ARRAY -> new GenericData.Array<>(s, List.of(value(s.getElementType(), name)));
            case MAP -> Map.of("k", value(s.getValueType(), name));
            case UNION -> value(s.getTypes().get(s.getTypes().size() - 1), name);
            case RECORD -> sample(s);
            default -> null;
        };
    }

    /** Values compared as text; bytes by their content. */
    private static String text(Object value) {
        if (value instanceof ByteBuffer b) {
            ByteBuffer copy = b.duplicate();
            byte[] bytes = new byte[copy.remaining()];
            copy.get(bytes);
            return Arrays.toString(bytes);
        }
        return String.valueOf(value);
    }

    private static void print(String title, Map<String, List<String>> matrix) {
        System.out.println("Compatibility matrix, " + title + ":");
        matrix.forEach((record, cells) -> System.out.println("  " + record + ": " + String.join(", ", cells)));
    }
}
