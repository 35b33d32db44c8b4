package io.campaignpulse.contract;

import static io.campaignpulse.Fixtures.T0900;
import static io.campaignpulse.Fixtures.campaign;
import static io.campaignpulse.Fixtures.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writer schemas on the wire: what producers of other versions send us, and what we send them. */
class WireFormatTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void ourRecordsCarryAvrosSingleObjectHeaderWithTheirSchemasFingerprint() throws IOException {
        CampaignSend sent = send("s1", "C1", "cust-1", T0900);
        byte[] bytes = WireFormat.defaults().encode(sent);

        assertThat(bytes[0]).isEqualTo((byte) 0xC3);
        assertThat(bytes[1]).isEqualTo((byte) 0x01);
        long fingerprint =
                ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(fingerprint).isEqualTo(SchemaNormalization.parsingFingerprint64(CampaignSend.getClassSchema()));
        assertThat(WireFormat.defaults().decode(bytes, CampaignSend.class)).isEqualTo(sent);
        // Avro's own decoder reads it: the framing is Avro's standard, not ours.
        assertThat(CampaignSend.fromByteBuffer(ByteBuffer.wrap(bytes))).isEqualTo(sent);
    }

    @Test
    void everyRecordOnOurTopicsStartsWithAStringSoThePlainBinaryCannotBeMistakenForAHeader() {
        // In plain binary C3 01 would announce a string of -98 characters, and 00 an empty id.
        for (Class<? extends SpecificRecord> type : PublishedSchemas.WIRE_RECORDS) {
            Schema first = schemaOf(type).getFields().get(0).schema();
            assertThat(first.getType()).as(type.getSimpleName()).isEqualTo(Schema.Type.STRING);
        }
    }

    @Test
    void aProducerThatAddedAnOptionalFieldIsReadWithTheNewFieldIgnored() throws IOException {
        Schema v2 = ProducerSchemas.evolved(
                "CampaignSend", fields -> fields.add(ProducerSchemas.optionalString("utm_source")));
        Files.writeString(dir.resolve("CampaignSend-v2.avsc"), v2.toString(true));
        GenericRecord record = sendOf(v2, "EMAIL");
        record.put("utm_source", "newsletter");
        byte[] bytes = WireFormat.singleObject(v2, record);

        CampaignSend read = withSchemaDirectory().decode(bytes, CampaignSend.class);

        assertThat(read).isEqualTo(send("s1", "C1", "cust-1", T0900));
    }

    @Test
    void aWriterSchemaThatIsNeitherPublishedNorInASchemaDirectoryIsRefusedByName() {
        Schema v2 = ProducerSchemas.evolved(
                "CampaignSend", fields -> fields.add(ProducerSchemas.optionalString("utm_source")));
        byte[] bytes = WireFormat.singleObject(v2, sendOf(v2, "EMAIL"));

        assertThatThrownBy(() -> WireFormat.defaults().decode(bytes, CampaignSend.class))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("unknown writer schema")
                .hasMessageContaining("contract.schema-directories");
    }

    @Test
    void anEnumSymbolAppendedByANewerProducerReadsAsUnknown() throws IOException {
        Schema v2 = ProducerSchemas.evolvedEnum("CampaignSend", "channel", symbols -> symbols.add("WHATSAPP"));
        Files.writeString(dir.resolve("v2.avsc"), v2.toString());

        CampaignSend read =
                withSchemaDirectory().decode(WireFormat.singleObject(v2, sendOf(v2, "WHATSAPP")), CampaignSend.class);

        assertThat(read.getChannel()).isEqualTo(Channel.UNKNOWN);
    }

    @Test
    void anEnumSymbolInsertedMidListResolvesByNameWhereAsPlainBinaryItWouldReadAsAnotherSymbol() throws IOException {
        // A producer put WHATSAPP before PHONE: its PHONE has the position of our PHONE + 1 ...
        Schema inserted =
                ProducerSchemas.evolvedEnum("CampaignSend", "channel", symbols -> symbols.insert(5, "WHATSAPP"));
        Files.writeString(dir.resolve("inserted.avsc"), inserted.toString());
        GenericRecord whatsapp = sendOf(inserted, "WHATSAPP");
        GenericRecord phone = sendOf(inserted, "PHONE");

        WireFormat wire = withSchemaDirectory();
        assertThat(wire.decode(WireFormat.singleObject(inserted, phone), CampaignSend.class)
                        .getChannel())
                .isEqualTo(Channel.PHONE);
        assertThat(wire.decode(WireFormat.singleObject(inserted, whatsapp), CampaignSend.class)
                        .getChannel())
                .isEqualTo(Channel.UNKNOWN);
        // ... so without its schema, position 5 (its WHATSAPP) would have been read as our PHONE.
        assertThat(wire.decode(WireFormat.plainBinary(inserted, whatsapp), CampaignSend.class)
                        .getChannel())
                .isEqualTo(Channel.PHONE);
    }

    @Test
    void plainBinaryIsReadAsTheConfiguredPublishedVersion() throws IOException {
        // campaign-stats as version 1 wrote it, without the three fields version 2 appended.
        Schema v1 = PublishedSchemas.bundled().version("CampaignStats", 1);
        GenericRecord stats = new GenericData.Record(v1);
        stats.put("campaign_id", "C1");
        stats.put("window_start", 0L);
        stats.put("window_end", 86_400_000L);
        for (String count : List.of(
                "sends", "misfires", "converted_recipients", "feedback", "tickets", "reviews", "baseline_feedback")) {
            stats.put(count, 7L);
        }
        stats.put("misfires_by_rule", Map.of("DUPLICATE_SEND", 7L));
        stats.put("sample_negative_feedback_ids", List.of());
        stats.put("scorer_version", "v");

        CampaignStats read = WireFormat.defaults().decode(WireFormat.plainBinary(v1, stats), CampaignStats.class);

        assertThat(read.getSends()).isEqualTo(7L);
        assertThat(read.getMisfiresByRule()).containsEntry("DUPLICATE_SEND", 7L);
        assertThat(read.getMisfiredSends()).isZero(); // v2's default
        assertThat(read.getLastSentAt()).isNull();
    }

    @Test
    void plainBinaryIsRefusedOnceTheContractSaysEveryProducerHasMovedOn() {
        WireFormat strict = new WireFormat(
                WireFormat.Settings.defaults().withPlainBinary(false, WireFormat.Encoding.SINGLE_OBJECT));
        byte[] plain = WireFormat.plainBinary(CampaignSend.getClassSchema(), send("s1", "C1", "cust-1", T0900));

        assertThatThrownBy(() -> strict.decode(plain, CampaignSend.class))
                .hasMessageContaining("contract.plain-binary-accepted");
    }

    @Test
    void aConsumerStillOnVersion1ReadsTheVersion2RecordsWeWrite() throws IOException {
        CampaignStats ours = CampaignStats.newBuilder()
                .setCampaignId("C1")
                .setCampaignName("Platinum")
                .setWindowStart(Instant.EPOCH)
                .setWindowEnd(Instant.ofEpochSecond(86_400))
                .setSends(100)
                .setMisfires(3)
                .setMisfiredSends(2)
                .setMisfiresByRule(Map.of("ALREADY_HOLDS_PRODUCT", 3L))
                .setConvertedRecipients(1)
                .setFeedback(4)
                .setTickets(2)
                .setReviews(2)
                .setBaselineFeedback(10)
                .setSampleNegativeFeedbackIds(List.of())
                .setScorerVersion("v")
                .build();
        byte[] bytes = WireFormat.defaults().encode(ours);
        PublishedSchemas published = PublishedSchemas.bundled();

        // A consumer generated from v1, with Avro's own decoder and the published v2 added to it.
        BinaryMessageDecoder<GenericRecord> v1Consumer =
                new BinaryMessageDecoder<>(GenericData.get(), published.version("CampaignStats", 1));
        v1Consumer.addSchema(published.version("CampaignStats", 2));
        GenericRecord read = v1Consumer.decode(bytes);

        assertThat(read.getSchema()).isEqualTo(published.version("CampaignStats", 1));
        assertThat(read.get("sends")).isEqualTo(100L);
        assertThat(read.get("tickets")).isEqualTo(2L);
        assertThat(read.get("campaign_name").toString()).isEqualTo("Platinum");

        // And one that still reads plain binary by position, from a job set to write plain binary.
        WireFormat plainOut =
                new WireFormat(WireFormat.Settings.defaults().withPlainBinary(true, WireFormat.Encoding.PLAIN_BINARY));
        GenericRecord positional = new GenericDatumReader<GenericRecord>(published.version("CampaignStats", 1))
                .read(null, DecoderFactory.get().binaryDecoder(plainOut.encode(ours), null));
        assertThat(positional.get("sends")).isEqualTo(100L);
        assertThat(positional.get("scorer_version").toString()).isEqualTo("v");
    }

    @Test
    void aRecordOfAnotherTypeTruncatedRecordsAndTrailingBytesAreRefused() {
        WireFormat wire = WireFormat.defaults();
        byte[] campaign = WireFormat.singleObject(campaign("C1", "Platinum", OfferType.CROSS_SELL, "PLAT"));

        assertThatThrownBy(() -> wire.decode(campaign, CampaignSend.class))
                .hasMessageContaining("a Campaign record where a CampaignSend belongs");
        byte[] truncated = Arrays.copyOf(campaign, campaign.length - 3);
        assertThatThrownBy(() -> wire.decode(truncated, Campaign.class)).isInstanceOf(IOException.class);
        byte[] trailing = Arrays.copyOf(campaign, campaign.length + 1);
        assertThatThrownBy(() -> wire.decode(trailing, Campaign.class)).hasMessageContaining("trailing bytes");
        assertThatThrownBy(() -> wire.decode(new byte[] {(byte) 0xC3, 1, 2}, Campaign.class))
                .hasMessageContaining("truncated single-object header");
    }

    @Test
    void confluentFramedRecordsAreReadWithTheSchemaTheRegistryGivesForTheirId() throws Exception {
        Schema v2 = ProducerSchemas.evolved(
                "CampaignSend", fields -> fields.add(ProducerSchemas.optionalString("utm_source")));
        List<String> asked = new ArrayList<>();
        HttpServer registry = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        registry.createContext("/apis/ccompat/v7/schemas/ids/", exchange -> {
            asked.add(exchange.getRequestURI().getPath() + " "
                    + exchange.getRequestHeaders().getFirst("Authorization"));
            boolean known = exchange.getRequestURI().getPath().endsWith("/42");
            byte[] body = known
                    ? JSON.writeValueAsBytes(Map.of("schema", v2.toString()))
                    : "{\"error_code\":40403,\"message\":\"Schema not found\"}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(known ? 200 : 404, body.length);
            try (var out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        registry.start();
        try {
            String url = "http://127.0.0.1:" + registry.getAddress().getPort() + "/apis/ccompat/v7";
            WireFormat wire = new WireFormat(
                    WireFormat.Settings.defaults().withSchemaRegistry(url, "pulse:s3cret", Duration.ofSeconds(5)));
            GenericRecord record = sendOf(v2, "SMS");

            for (int i = 0; i < 3; i++) {
                assertThat(wire.decode(WireFormat.confluent(42, v2, record), CampaignSend.class)
                                .getChannel())
                        .isEqualTo(Channel.SMS);
            }
            assertThatThrownBy(() -> wire.decode(WireFormat.confluent(43, v2, record), CampaignSend.class))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("no schema with id 43");
            // Once per id (ids never change), with basic authentication.
            assertThat(asked)
                    .containsExactly(
                            "/apis/ccompat/v7/schemas/ids/42 Basic cHVsc2U6czNjcmV0",
                            "/apis/ccompat/v7/schemas/ids/43 Basic cHVsc2U6czNjcmV0");
        } finally {
            registry.stop(0);
        }
    }

    @Test
    void aRegistryThatDoesNotAnswerIsTheInfrastructuresFaultNotTheRecords() throws Exception {
        HttpServer down = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        down.createContext("/", exchange -> {
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
        });
        down.start();
        try {
            WireFormat wire = new WireFormat(WireFormat.Settings.defaults()
                    .withSchemaRegistry(
                            "http://127.0.0.1:" + down.getAddress().getPort(),
                            "user:planted-secret",
                            Duration.ofSeconds(2)));
            byte[] bytes = WireFormat.confluent(7, CampaignSend.getClassSchema(), send("s1", "C1", "cust-1", T0900));

            assertThatThrownBy(() -> wire.decode(bytes, CampaignSend.class))
                    .isInstanceOf(SchemaRegistry.Unavailable.class)
                    .hasMessageContaining("did not answer for schema id 7")
                    .hasMessageNotContaining("planted-secret");
        } finally {
            down.stop(0);
        }
    }

    // --- producers of other versions ---

    private WireFormat withSchemaDirectory() {
        return new WireFormat(WireFormat.Settings.defaults().withSchemaDirectories(List.of(dir.toString())));
    }

    private static Schema schemaOf(Class<? extends SpecificRecord> type) {
        return SpecificData.get().getSchema(type);
    }

    private static GenericRecord sendOf(Schema schema, String channel) {
        return ProducerSchemas.record(
                schema,
                "send_id",
                "s1",
                "campaign_id",
                "C1",
                "customer_id",
                "cust-1",
                "channel",
                channel,
                "sent_at",
                T0900);
    }
}
