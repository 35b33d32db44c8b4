package io.campaignpulse;

import io.campaignpulse.campaign.CampaignDirectory;
import io.campaignpulse.config.ConfigLoader;
import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.contract.Campaign;
import io.campaignpulse.contract.CampaignSend;
import io.campaignpulse.contract.Channel;
import io.campaignpulse.contract.ConsentChange;
import io.campaignpulse.contract.HoldingChange;
import io.campaignpulse.contract.HoldingStatus;
import io.campaignpulse.contract.OfferType;
import io.campaignpulse.contract.Review;
import io.campaignpulse.contract.TicketEvent;
import io.campaignpulse.contract.TicketStatus;
import io.campaignpulse.customer.CustomerProcessor;
import io.campaignpulse.eventtime.InMemoryTimersOperator;
import io.campaignpulse.eventtime.MemtablePreflush;
import io.campaignpulse.ingest.Envelope;
import io.campaignpulse.ingest.EventTimes;
import io.campaignpulse.misfire.SendVerdict;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;

/** Named times and record builders shared by the tests. */
public final class Fixtures {

    private static long offset;

    public static final Instant DAY = Instant.parse("2026-11-20T00:00:00Z");
    public static final long T0900 = at("09:00");
    public static final long T0905 = at("09:05");
    public static final long T1000 = at("10:00");

    private Fixtures() {}

    /**
     * The per-customer step as the job runs it, in Flink's operator harness (one instance of one),
     * on the given backend; not yet opened.
     */
    public static KeyedBroadcastOperatorTestHarness<String, Envelope, Campaign, SendVerdict> customerStep(
            PulseConfig config, MemtablePreflush.Schedule preflush, StateBackend backend) throws Exception {
        var harness = new KeyedBroadcastOperatorTestHarness<>(
                new InMemoryTimersOperator<>(
                        new CustomerProcessor(config), List.of(CampaignDirectory.DESCRIPTOR), preflush),
                EventTimes::customerOf,
                Types.STRING,
                1,
                1,
                0);
        harness.setStateBackend(backend);
        return harness;
    }

    /** Epoch millis of a time of day on {@link #DAY}, "HH:mm". */
    public static long at(String hhmm) {
        String[] p = hhmm.split(":");
        return DAY.plus(Duration.ofHours(Integer.parseInt(p[0])))
                .plus(Duration.ofMinutes(Integer.parseInt(p[1])))
                .toEpochMilli();
    }

    public static PulseConfig config(Map<String, String> overrides) {
        return new ConfigLoader(name -> null).load(null, overrides);
    }

    public static PulseConfig config() {
        return config(Map.of());
    }

    public static Campaign campaign(String id, String name, OfferType offer, String product) {
        return Campaign.newBuilder()
                .setCampaignId(id)
                .setName(name)
                .setOfferType(offer)
                .setOfferProductId(product)
                .setChannel(Channel.EMAIL)
                .setOwner("owner-" + id)
                .setStartsAt(DAY)
                .setUpdatedAt(DAY.minusSeconds(3600))
                .build();
    }

    public static CampaignSend send(String sendId, String campaignId, String customerId, long sentAt) {
        return CampaignSend.newBuilder()
                .setSendId(sendId)
                .setCampaignId(campaignId)
                .setCustomerId(customerId)
                .setChannel(Channel.EMAIL)
                .setSentAt(Instant.ofEpochMilli(sentAt))
                .build();
    }

    public static HoldingChange holding(String customerId, String product, HoldingStatus status, long at) {
        return HoldingChange.newBuilder()
                .setCustomerId(customerId)
                .setProductId(product)
                .setStatus(status)
                .setChangedAt(Instant.ofEpochMilli(at))
                .build();
    }

    public static ConsentChange consent(String customerId, Channel channel, boolean optedIn, long at) {
        return ConsentChange.newBuilder()
                .setCustomerId(customerId)
                .setChannel(channel)
                .setOptedIn(optedIn)
                .setChangedAt(Instant.ofEpochMilli(at))
                .build();
    }

    public static TicketEvent ticket(
            String ticketId, String customerId, TicketStatus status, String body, String campaignId, long at) {
        return TicketEvent.newBuilder()
                .setTicketId(ticketId)
                .setCustomerId(customerId)
                .setStatus(status)
                .setBody(body)
                .setCampaignId(campaignId)
                .setOccurredAt(Instant.ofEpochMilli(at))
                .build();
    }

    public static Review review(
            String reviewId, String customerId, Integer rating, String body, String campaignId, long at) {
        return Review.newBuilder()
                .setReviewId(reviewId)
                .setCustomerId(customerId)
                .setRating(rating)
                .setBody(body)
                .setCampaignId(campaignId)
                .setOccurredAt(Instant.ofEpochMilli(at))
                .build();
    }

    public static Envelope envelope(Object payload) {
        return new Envelope("test-topic", 0, offset++, payload);
    }

    /** A real PostgreSQL for one test class, its files under {@code work}. */
    public static EmbeddedPostgres embeddedPostgres(Path work) throws IOException {
        return EmbeddedPostgres.builder()
                .setOverrideWorkingDirectory(work.toFile())
                .setDataDirectory(work.resolve("data"))
                .setCleanDataDirectory(true)
                .start();
    }

    /** Copies a folder with everything in it (a schemas tree a test then edits). */
    public static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    /**
     * A snapshot's keyed state alone: what a savepoint of an earlier release holds when that
     * release kept in keyed state what today's keeps in memory (it wrote no operator state of its own).
     */
    public static OperatorSubtaskState keyedStateOnly(OperatorSubtaskState snapshot) {
        return OperatorSubtaskState.builder()
                .setManagedKeyedState(snapshot.getManagedKeyedState())
                .setRawKeyedState(snapshot.getRawKeyedState())
                .build();
    }
}
