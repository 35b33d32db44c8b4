package io.campaignpulse.ingest;

import static io.campaignpulse.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.campaignpulse.contract.Campaign;
import io.campaignpulse.contract.CampaignSend;
import io.campaignpulse.contract.ConsentChange;
import io.campaignpulse.contract.ControlMessage;
import io.campaignpulse.contract.ControlScope;
import io.campaignpulse.contract.DeadLetter;
import io.campaignpulse.contract.DeadLetterReason;
import io.campaignpulse.contract.HoldingChange;
import io.campaignpulse.contract.HoldingStatus;
import io.campaignpulse.contract.OfferType;
import io.campaignpulse.contract.ProducerSchemas;
import io.campaignpulse.contract.SchemaRegistry;
import io.campaignpulse.contract.WireFormat;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvelopeDecoderTest {

    private final EnvelopeDecoder decoder =
            new EnvelopeDecoder(new InputTopics(config().topics()), new EventTimeGuard(config().eventTime()));

    @Test
    void aValidRecordDecodesWithItsProvenance() {
        byte[] bytes = WireFormat.singleObject(send("s1", "C1", "cust-1", T0900));
        Envelope e = decoder.decode("campaign-sends", 3, 42, null, bytes);
        assertThat(e.getPayload()).isInstanceOf(CampaignSend.class);
        assertThat(e.getSourcePartition()).isEqualTo(3);
        assertThat(e.getSourceOffset()).isEqualTo(42);
        assertThat(EventTimes.of(e)).isEqualTo(T0900);
        // An earlier release's producer: plain binary, read as version 1 (contract.plain-binary-writer-version).
        CampaignSend legacy = send("s1", "C1", "cust-1", T0900);
        assertThat(decoder.decode("campaign-sends", 3, 43, null, WireFormat.plainBinary(legacy.getSchema(), legacy))
                        .getPayload())
                .isEqualTo(legacy);
    }

    @Test
    void garbageBecomesADeadLetterWithTheRawBytesAndNeverThrows() {
        byte[] garbage = "definitely not avro".getBytes(StandardCharsets.UTF_8);
        DeadLetter dl =
                (DeadLetter) decoder.decode("campaign-sends", 0, 7, "k".getBytes(StandardCharsets.UTF_8), garbage)
                        .getPayload();
        assertThat(dl.getReason()).isEqualTo(DeadLetterReason.DECODE_ERROR);
        assertThat(dl.getSourceOffset()).isEqualTo(7);
        assertThat(dl.getPayload().array()).isEqualTo(garbage);
        assertThat(dl.getDetail()).doesNotContain("definitely");

        byte[] wrongType = WireFormat.singleObject(holding("c", "P", HoldingStatus.ACTIVE, T0900));
        assertThat(decoder.decode("campaign-sends", 0, 8, null, wrongType).getPayload())
                .isInstanceOf(DeadLetter.class);
        assertThat(decoder.decode("campaign-sends", 0, 9, null, new byte[0]).getPayload())
                .isInstanceOf(DeadLetter.class);
        assertThat(decoder.decode("campaign-sends", 0, 10, null, null).getPayload())
                .isInstanceOf(DeadLetter.class);
    }

    @Test
    void aLengthPrefixAskingForGigabytesIsADeadLetterWithoutTheAllocation() {
        // A string length of 2^31 - 9 as the first field (send_id), and nothing after it.
        assertDeadLetterAllocatingLittle("campaign-sends", (byte) 0xee, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f);
        // A control message whose settings map announces 2^31 - 1 entries.
        assertDeadLetterAllocatingLittle(
                "pulse-control", 0x02, 'a', 0x00, 0x00, (byte) 0xfe, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f);
    }

    private void assertDeadLetterAllocatingLittle(String topic, int... values) {
        byte[] crafted = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            crafted[i] = (byte) values[i];
        }
        decoder.decode(topic, 0, 10, null, new byte[] {0}); // the topic's reader is made once, not measured
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        Object payload = decoder.decode(topic, 0, 11, null, crafted).getPayload();
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(((DeadLetter) payload).getReason()).as(topic).isEqualTo(DeadLetterReason.DECODE_ERROR);
        assertThat(allocated)
                .as("bytes allocated to decode %d bytes of %s", crafted.length, topic)
                .isLessThan(1 << 20);
    }

    @Test
    void valuesTheOutputsCannotHoldAreDeadLettersBeforeTheyReachASink() {
        DeadLetter nul = (DeadLetter)
                decoder.decode("campaign-sends", 0, 20, null, WireFormat.singleObject(send("s\u0000", "C", "c", T0900)))
                        .getPayload();
        assertThat(nul.getReason()).isEqualTo(DeadLetterReason.INVALID_VALUE);
        assertThat(nul.getDetail()).isEqualTo("send_id contains a NUL character, which PostgreSQL cannot store");

        HoldingChange huge = holding("c", "P".repeat(1 << 20), HoldingStatus.ACTIVE, T0900);
        byte[] hugeBytes = WireFormat.singleObject(huge);
        DeadLetter big = (DeadLetter)
                decoder.decode("customer-holdings", 0, 21, null, hugeBytes).getPayload();
        assertThat(big.getReason()).isEqualTo(DeadLetterReason.INVALID_VALUE);
        assertThat(big.getDetail()).startsWith("product_id is 1048576 characters, over the limit of 256");
        assertThat(big.getPayload().remaining())
                .as("a dead letter always fits one Kafka request")
                .isEqualTo(DeadLetters.MAX_PAYLOAD_BYTES);
        assertThat(big.getDetail())
                .endsWith("(payload truncated to its first 262144 of " + hugeBytes.length + " bytes)");

        Campaign farFuture = campaign("C-F", "Far future", OfferType.CROSS_SELL, "P");
        farFuture.setEndsAt(Instant.ofEpochMilli(Long.MAX_VALUE / 2)); // year ~146 million
        DeadLetter unstorable =
                (DeadLetter) decoder.decode("campaigns", 0, 22, null, WireFormat.singleObject(farFuture))
                        .getPayload();
        assertThat(unstorable.getReason()).isEqualTo(DeadLetterReason.INVALID_TIMESTAMP);
        assertThat(unstorable.getDetail()).isEqualTo("ends_at is outside the years 1 to 9999");
    }

    @Test
    void contractBreachesAreNamed() {
        HoldingChange unknownStatus = holding("c", "P", HoldingStatus.UNKNOWN, T0900);
        DeadLetter dl =
                (DeadLetter) decoder.decode("customer-holdings", 0, 1, null, WireFormat.singleObject(unknownStatus))
                        .getPayload();
        assertThat(dl.getReason()).isEqualTo(DeadLetterReason.UNKNOWN_ENUM);
        assertThat(dl.getDetail()).contains("status");

        DeadLetter missing = (DeadLetter)
                decoder.decode("campaign-sends", 0, 2, null, WireFormat.singleObject(send("s", "C", "", T0900)))
                        .getPayload();
        assertThat(missing.getReason()).isEqualTo(DeadLetterReason.MISSING_FIELD);
        assertThat(missing.getDetail()).contains("customer_id");

        // A campaign of an offer type this version does not know cannot be judged: a dead letter, not UNKNOWN in state.
        Campaign unknownOffer = campaign("C-NEW", "New kind of offer", OfferType.UNKNOWN, null);
        DeadLetter campaign =
                (DeadLetter) decoder.decode("campaigns", 0, 3, null, WireFormat.singleObject(unknownOffer))
                        .getPayload();
        assertThat(campaign.getReason()).isEqualTo(DeadLetterReason.UNKNOWN_ENUM);
        assertThat(campaign.getDetail()).contains("offer_type");
    }

    @Test
    void replayJsonGoesThroughTheSameChecks() {
        JsonLineDecoder json =
                new JsonLineDecoder(new InputTopics(config().topics()), new EventTimeGuard(config().eventTime()));
        Envelope ok = json.decode(
                "customer-consent", 1, "{\"customer_id\":\"c\",\"opted_in\":false,\"changed_at\":1795165200000}");
        assertThat(ok.getPayload()).isInstanceOf(ConsentChange.class);

        DeadLetter missing = (DeadLetter) json.decode("customer-consent", 2, "{\"customer_id\":\"c\",\"changed_at\":1}")
                .getPayload();
        assertThat(missing.getReason()).isEqualTo(DeadLetterReason.MISSING_FIELD);
        assertThat(missing.getDetail()).contains("opted_in");
        DeadLetter zoneless = (DeadLetter) json.decode(
                        "customer-consent",
                        3,
                        "{\"customer_id\":\"c\",\"opted_in\":true,\"changed_at\":\"2026-11-20T09:00:00\"}")
                .getPayload();
        assertThat(zoneless.getReason()).isEqualTo(DeadLetterReason.INVALID_VALUE);
        assertThat(new String(zoneless.getPayload().array(), StandardCharsets.UTF_8))
                .contains("2026-11-20T09:00:00");
    }

    @Test
    void badClocksAreInvalidTimestampsOnEveryInputTopic() {
        // The wall clock stands at 10:00 on the fixtures' day; the default skew is 1 h.
        EventTimeGuard guard = new EventTimeGuard(config().eventTime(), () -> T1000);
        EnvelopeDecoder clocked = new EnvelopeDecoder(new InputTopics(config().topics()), guard);
        long hour = Duration.ofHours(1).toMillis();

        assertThat(clocked.decode(
                                "campaign-sends",
                                0,
                                1,
                                null,
                                WireFormat.singleObject(send("s", "C", "c", T1000 + hour)))
                        .getPayload())
                .as("exactly the skew ahead is fine")
                .isInstanceOf(CampaignSend.class);
        DeadLetter ahead = (DeadLetter) clocked.decode(
                        "campaign-sends", 0, 2, null, WireFormat.singleObject(send("s", "C", "c", T1000 + hour + 1)))
                .getPayload();
        assertThat(ahead.getReason()).isEqualTo(DeadLetterReason.INVALID_TIMESTAMP);
        assertThat(ahead.getDetail()).contains("max-future-skew");

        DeadLetter before = (DeadLetter) clocked.decode(
                        "customer-holdings",
                        0,
                        3,
                        null,
                        WireFormat.singleObject(holding("c", "P", HoldingStatus.ACTIVE, -1)))
                .getPayload();
        assertThat(before.getReason()).isEqualTo(DeadLetterReason.INVALID_TIMESTAMP);
        assertThat(before.getDetail()).contains("event-time.earliest");

        var campaignFromTheFuture = campaign("C9", "Later", OfferType.CROSS_SELL, "P");
        campaignFromTheFuture.setUpdatedAt(Instant.parse("2099-01-01T00:00:00Z"));
        assertThat(((DeadLetter) clocked.decode("campaigns", 0, 4, null, WireFormat.singleObject(campaignFromTheFuture))
                                .getPayload())
                        .getReason())
                .isEqualTo(DeadLetterReason.INVALID_TIMESTAMP);
        var unstorable = campaign("C9", "Forever", OfferType.CROSS_SELL, "P");
        unstorable.setEndsAt(Instant.parse("+300000-01-01T00:00:00Z"));
        assertThat(((DeadLetter) clocked.decode("campaigns", 0, 5, null, WireFormat.singleObject(unstorable))
                                .getPayload())
                        .getReason())
                .isEqualTo(DeadLetterReason.INVALID_TIMESTAMP);

        var control = ControlMessage.newBuilder()
                .setControlId("x")
                .setScope(ControlScope.GLOBAL)
                .setSettings(Map.of("mute", "true"))
                .setAuthor("a")
                .setIssuedAt(Instant.ofEpochMilli(T1000 + 2 * hour))
                .build();
        assertThat(((DeadLetter) clocked.decode("pulse-control", 0, 6, null, WireFormat.singleObject(control))
                                .getPayload())
                        .getReason())
                .isEqualTo(DeadLetterReason.INVALID_TIMESTAMP);
    }

    @Test
    void replayTimestampsThatNoLongCanHoldAreInvalidTimestampsNotSomeOtherInstant() {
        JsonLineDecoder json =
                new JsonLineDecoder(new InputTopics(config().topics()), new EventTimeGuard(config().eventTime()));
        DeadLetter overflow = (DeadLetter) json.decode(
                        "customer-consent",
                        1,
                        "{\"customer_id\":\"c\",\"opted_in\":false,\"changed_at\":99999999999999999999}")
                .getPayload();
        assertThat(overflow.getReason()).isEqualTo(DeadLetterReason.INVALID_TIMESTAMP);
        DeadLetter farYear = (DeadLetter) json.decode(
                        "customer-consent",
                        2,
                        "{\"customer_id\":\"c\",\"opted_in\":false,\"changed_at\":\"+999999999-01-01T00:00:00Z\"}")
                .getPayload();
        assertThat(farYear.getReason()).isEqualTo(DeadLetterReason.INVALID_TIMESTAMP);
        DeadLetter future = (DeadLetter) json.decode(
                        "campaign-sends",
                        3,
                        "{\"send_id\":\"s\",\"campaign_id\":\"C\",\"customer_id\":\"c\",\"channel\":\"EMAIL\",\"sent_at\":\"2099-01-01T00:00:00Z\"}")
                .getPayload();
        assertThat(future.getReason()).isEqualTo(DeadLetterReason.INVALID_TIMESTAMP);
    }

    @Test
    void anOfferTypeThisVersionDoesNotKnowIsADeadLetterOnACampaignAndOnASendThatWouldOverrideItsCampaigns(
            @TempDir Path schemas) throws IOException {
        // A newer producer appended LOYALTY to OfferType; its schemas are in the job's schema directory.
        Schema campaignV2 = ProducerSchemas.evolvedEnum("Campaign", "offer_type", s -> s.add("LOYALTY"));
        Schema sendV2 = ProducerSchemas.evolvedEnum("CampaignSend", "offer_type", s -> s.add("LOYALTY"));
        Files.writeString(schemas.resolve("Campaign.avsc"), campaignV2.toString());
        Files.writeString(schemas.resolve("CampaignSend.avsc"), sendV2.toString());
        EnvelopeDecoder newerSchemas = new EnvelopeDecoder(
                new InputTopics(config().topics()),
                new EventTimeGuard(config().eventTime()),
                WireFormat.Settings.defaults().withSchemaDirectories(List.of(schemas.toString())));
        byte[] loyaltyCampaign = WireFormat.singleObject(
                campaignV2,
                ProducerSchemas.record(
                        campaignV2,
                        "campaign_id",
                        "C-LOY",
                        "name",
                        "Loyalty",
                        "offer_type",
                        "LOYALTY",
                        "channel",
                        "EMAIL",
                        "starts_at",
                        T0900,
                        "updated_at",
                        T0900));
        byte[] loyaltySend = WireFormat.singleObject(
                sendV2,
                ProducerSchemas.record(
                        sendV2,
                        "send_id",
                        "s1",
                        "campaign_id",
                        "C-PLAT",
                        "customer_id",
                        "cust-1",
                        "channel",
                        "EMAIL",
                        "offer_type",
                        "LOYALTY",
                        "sent_at",
                        T0900));
        byte[] crossSellSend = WireFormat.singleObject(
                sendV2,
                ProducerSchemas.record(
                        sendV2,
                        "send_id",
                        "s2",
                        "campaign_id",
                        "C-PLAT",
                        "customer_id",
                        "cust-1",
                        "channel",
                        "EMAIL",
                        "offer_type",
                        "CROSS_SELL",
                        "sent_at",
                        T0900));

        DeadLetter campaign = (DeadLetter)
                newerSchemas.decode("campaigns", 0, 1, null, loyaltyCampaign).getPayload();
        DeadLetter send = (DeadLetter)
                newerSchemas.decode("campaign-sends", 0, 2, null, loyaltySend).getPayload();
        CampaignSend known = (CampaignSend)
                newerSchemas.decode("campaign-sends", 0, 3, null, crossSellSend).getPayload();

        assertThat(campaign.getReason()).isEqualTo(DeadLetterReason.UNKNOWN_ENUM);
        assertThat(campaign.getDetail()).contains("offer_type");
        assertThat(send.getReason()).isEqualTo(DeadLetterReason.UNKNOWN_ENUM);
        assertThat(send.getDetail()).contains("offer_type");
        assertThat(known.getOfferType()).isEqualTo(OfferType.CROSS_SELL);
    }

    @Test
    void aRecordWhoseWriterSchemaIsUnknownIsADeadLetterThatSaysWhereToPublishIt() {
        Schema v2 = ProducerSchemas.evolved("CampaignSend", f -> f.add(ProducerSchemas.optionalString("utm_source")));
        byte[] bytes = WireFormat.singleObject(
                v2,
                ProducerSchemas.record(
                        v2,
                        "send_id",
                        "s1",
                        "campaign_id",
                        "C1",
                        "customer_id",
                        "cust-1",
                        "channel",
                        "EMAIL",
                        "sent_at",
                        T0900));

        DeadLetter dl =
                (DeadLetter) decoder.decode("campaign-sends", 0, 1, null, bytes).getPayload();

        assertThat(dl.getReason()).isEqualTo(DeadLetterReason.DECODE_ERROR);
        assertThat(dl.getDetail()).contains("unknown writer schema").contains("contract.schema-directories");
        assertThat(dl.getPayload().array()).isEqualTo(bytes);
    }

    @Test
    void aSchemaRegistryThatCannotBeReachedFailsTheTaskInsteadOfDeadLetteringTheRecord() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        EnvelopeDecoder withRegistry = new EnvelopeDecoder(
                new InputTopics(config().topics()),
                new EventTimeGuard(config().eventTime()),
                WireFormat.Settings.defaults()
                        .withSchemaRegistry("http://127.0.0.1:" + closedPort, "", Duration.ofSeconds(1)));
        byte[] framed = WireFormat.confluent(3, CampaignSend.getClassSchema(), send("s1", "C1", "cust-1", T0900));

        assertThatThrownBy(() -> withRegistry.decode("campaign-sends", 0, 1, null, framed))
                .isInstanceOf(SchemaRegistry.Unavailable.class);
    }
}
