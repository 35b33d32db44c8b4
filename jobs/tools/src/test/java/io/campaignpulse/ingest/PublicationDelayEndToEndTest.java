package io.campaignpulse.ingest;

import static io.campaignpulse.Fixtures.campaign;
import static io.campaignpulse.Fixtures.consent;
import static io.campaignpulse.Fixtures.holding;
import static io.campaignpulse.Fixtures.review;
import static io.campaignpulse.Fixtures.send;
import static io.campaignpulse.Fixtures.ticket;
import static org.assertj.core.api.Assertions.assertThat;

import io.campaignpulse.CpuLoad;
import io.campaignpulse.Fixtures;
import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.contract.Channel;
import io.campaignpulse.contract.DeadLetterReason;
import io.campaignpulse.contract.HoldingStatus;
import io.campaignpulse.contract.OfferType;
import io.campaignpulse.contract.TicketStatus;
import io.campaignpulse.contract.WireFormat;
import io.campaignpulse.demo.LocalInfrastructure;
import io.campaignpulse.demo.LocalJob;
import io.campaignpulse.demo.OutputTables;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * event-time.max-publication-delay on a real broker and a MiniCluster at parallelism 2, with every
 * core busy: every partition of every customer-event topic delivers one record, then all but one
 * go quiet, and a send arrives in that one. Without the promise the quiet partitions hold event
 * time at their last record until they are idle (10 minutes here); with it they follow the clock,
 * so the send is judged within seconds, and nothing is late.
 */
class PublicationDelayEndToEndTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    private static final int PARTITIONS = 2;

    @TempDir
    Path work;

    private LocalInfrastructure infra;

    @BeforeEach
    void startInfrastructure() throws Exception {
        infra = LocalInfrastructure.start(work.resolve("infra"));
    }

    @AfterEach
    void stopInfrastructure() throws Exception {
        if (infra != null) {
            infra.close();
        }
    }

    @Test
    void quietPartitionsFollowTheClockSoALiveSendIsJudgedLongBeforeTheyAreIdle() throws Exception {
        Map<String, String> overrides = new HashMap<>(infra.configOverrides());
        overrides.put("parallelism", "2");
        overrides.put("kafka.delivery", "at-least-once");
        overrides.put("event-time.max-out-of-orderness", "0s");
        overrides.put("event-time.idleness", "10m");
        overrides.put("event-time.max-publication-delay", "5s");
        overrides.put("event-time.campaigns-settle", "1s");
        overrides.put("postgres.batch-interval", "200ms");
        PulseConfig config = Fixtures.config(overrides);
        PulseConfig.Topics t = config.topics();
        infra.createTopics(t, PARTITIONS);
        infra.migrate();

        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
                        infra.clientProperties(), new ByteArraySerializer(), new ByteArraySerializer());
                CpuLoad unused = CpuLoad.saturatingAllCores()) {
            publish(
                    producer,
                    t.campaigns(),
                    0,
                    "C1",
                    campaign("C1", "Platinum card", OfferType.CROSS_SELL, "CARD-PLAT"));
            // One record in every partition of every customer-event topic, a minute ago: every
            // partition has delivered, so none is taken for empty, and each holds event time there.
            long before = System.currentTimeMillis() - 60_000;
            for (int p = 0; p < PARTITIONS; p++) {
                String c = "cust-" + p;
                publish(producer, t.customerHoldings(), p, c, holding(c, "CARD-PLAT", HoldingStatus.ACTIVE, before));
                publish(producer, t.customerConsent(), p, c, consent(c, Channel.EMAIL, true, before));
                publish(producer, t.tickets(), p, c, ticket("t-" + p, c, TicketStatus.CLOSED, "thanks", null, before));
                publish(producer, t.reviews(), p, c, review("r-" + p, c, 5, "fine", null, before));
                publish(producer, t.campaignSends(), p, c, send("early-" + p, "C1", "cust-none", before));
            }
            producer.flush();

            try (LocalJob ignored = LocalJob.start(config, work.resolve("job"))) {
                OutputTables tables = new OutputTables(infra.jdbcUrl());
                // A live send, now, to a customer who holds the card, in one partition only.
                publish(
                        producer,
                        t.campaignSends(),
                        0,
                        "cust-0",
                        send("live", "C1", "cust-0", System.currentTimeMillis()));
                producer.flush();
                long sentAt = System.nanoTime();
                // The job's start and first fetches included; far below the 10 minutes of idleness.
                long deadline = sentAt + Duration.ofMinutes(3).toNanos();
                while (tables.count("misfires WHERE send_id = 'live'") == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                assertThat(tables.count("misfires WHERE send_id = 'live'"))
                        .as("the live send judged while the other partitions are quiet and not idle")
                        .isPositive();
                System.out.printf(
                        "publication delay: the live send judged %.1f s after it was published%n",
                        (System.nanoTime() - sentAt) / 1e9);
                assertThat(tables.deadLettersByReason()).doesNotContainKey(DeadLetterReason.LATE_EVENT.name());
            }
        }
    }

    private static void publish(
            KafkaProducer<byte[], byte[]> producer, String topic, int partition, String key, SpecificRecord value) {
        producer.send(new ProducerRecord<>(
                topic, partition, key.getBytes(StandardCharsets.UTF_8), WireFormat.singleObject(value)));
    }
}
