package io.campaignpulse.demo;

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
import io.campaignpulse.contract.WireFormat;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.specific.SpecificRecord;

/**
 * The records of one generated day as they are written: each is kept (the ground truth reads
 * them) and queued for publishing with its delivery delay. The generators decide what happens;
 * this book decides ids, encodings and when a record reaches Kafka.
 */
final class DayRecords {

    static final long MINUTE = 60_000L;
    static final long HOUR = 3_600_000L;
    static final long DAY_MS = 24 * HOUR;

    final Random rnd;
    final long day;
    final String dayTag;
    private final PulseConfig.Topics topics;

    final Map<String, Campaign> campaigns = new LinkedHashMap<>();
    final List<HoldingChange> holdings = new ArrayList<>();
    final List<ConsentChange> consents = new ArrayList<>();
    final List<CampaignSend> sends = new ArrayList<>();
    /** Sends of a campaign that never arrives: dead-lettered, not judged, but the customer got them. */
    final List<CampaignSend> ghostSends = new ArrayList<>();

    final List<TicketEvent> ticketEvents = new ArrayList<>();
    final List<Review> reviews = new ArrayList<>();
    final List<DemoWorld.Event> events = new ArrayList<>();
    /** The publications of valid sends, for producer redeliveries. */
    final List<DemoWorld.Event> validSendEvents = new ArrayList<>();

    int ticketsOpened;
    private int sendCounter;

    DayRecords(PulseConfig.Topics topics, long day, Random rnd) {
        this.topics = topics;
        this.day = day;
        this.rnd = rnd;
        this.dayTag = LocalDate.ofInstant(Instant.ofEpochMilli(day), ZoneOffset.UTC)
                .toString()
                .replace("-", "");
    }

    PulseConfig.Topics topics() {
        return topics;
    }

    /** A random instant of the day between two hours. */
    long between(int fromHour, int toHour) {
        return day + fromHour * HOUR + (long) (rnd.nextDouble() * (toHour - fromHour) * HOUR);
    }

    void campaign(String id, String name, OfferType offer, String product, Channel channel, String owner) {
        Campaign c = Campaign.newBuilder()
                .setCampaignId(id)
                .setName(name)
                .setOfferType(offer)
                .setOfferProductId(product)
                .setChannel(channel)
                .setOwner(owner)
                .setStartsAt(Instant.ofEpochMilli(day))
                .setEndsAt(Instant.ofEpochMilli(day + DAY_MS))
                .setUpdatedAt(Instant.ofEpochMilli(day - DAY_MS))
                .build();
        campaigns.put(id, c);
        // Published first of all, like a compacted topic's backlog.
        events.add(new DemoWorld.Event(
                c.getUpdatedAt().toEpochMilli(), Long.MIN_VALUE, topics.campaigns(), id, WireFormat.singleObject(c)));
    }

    CampaignSend send(String campaignId, String customer, Channel channel, long at) {
        CampaignSend s = CampaignSend.newBuilder()
                .setSendId(String.format("snd-%s-%06d", dayTag, ++sendCounter))
                .setCampaignId(campaignId)
                .setCustomerId(customer)
                .setChannel(channel)
                .setSentAt(Instant.ofEpochMilli(at))
                .build();
        sends.add(s);
        validSendEvents.add(publish(at, jitter(), topics.campaignSends(), customer, s));
        return s;
    }

    /** A holding change; a delay of 0 means the usual delivery jitter. */
    void holding(String customer, String product, HoldingStatus status, long at, long delay) {
        HoldingChange h = HoldingChange.newBuilder()
                .setCustomerId(customer)
                .setProductId(product)
                .setStatus(status)
                .setChangedAt(Instant.ofEpochMilli(at))
                .build();
        holdings.add(h);
        publish(at, delay > 0 ? delay : jitter(), topics.customerHoldings(), customer, h);
    }

    /** A consent change; a null channel covers every channel. */
    void consent(String customer, Channel channel, boolean optedIn, long at) {
        ConsentChange c = ConsentChange.newBuilder()
                .setCustomerId(customer)
                .setChannel(channel)
                .setOptedIn(optedIn)
                .setChangedAt(Instant.ofEpochMilli(at))
                .build();
        consents.add(c);
        publish(at, jitter(), topics.customerConsent(), customer, c);
    }

    /** A ticket opened by the recipient of a send, half an hour to six hours after it. */
    TicketEvent openTicket(CampaignSend s, String[] text, String category) {
        long at = s.getSentAt().toEpochMilli() + HOUR / 2 + (long) (rnd.nextDouble() * 5.5 * HOUR);
        TicketEvent t = TicketEvent.newBuilder()
                .setTicketId("tkt-" + dayTag + "-" + (ticketEvents.size() + 1))
                .setCustomerId(s.getCustomerId())
                .setStatus(TicketStatus.OPEN)
                .setSubject(text[0])
                .setBody(text[1])
                .setCampaignId(rnd.nextDouble() < 0.3 ? s.getCampaignId() : null)
                .setCategory(category)
                .setOccurredAt(Instant.ofEpochMilli(at))
                .build();
        ticketEvents.add(t);
        publish(at, jitter(), topics.tickets(), s.getCustomerId(), t);
        ticketsOpened++;
        return t;
    }

    /** The ticket resolved at {@code at}, with a CSAT and no text. */
    void resolveTicket(TicketEvent opened, int csat, long at) {
        TicketEvent resolved = TicketEvent.newBuilder(opened)
                .setStatus(TicketStatus.RESOLVED)
                .setSubject(null)
                .setBody(null)
                .setCsat(csat)
                .setOccurredAt(Instant.ofEpochMilli(at))
                .build();
        ticketEvents.add(resolved);
        publish(at, jitter(), topics.tickets(), opened.getCustomerId(), resolved);
    }

    /** An app-store review of a product; a null text is a rating without words. */
    void review(String customer, String product, int rating, String[] text, long at) {
        Review r = Review.newBuilder()
                .setReviewId("rev-" + dayTag + "-" + (reviews.size() + 1))
                .setCustomerId(customer)
                .setProductId(product)
                .setRating(rating)
                .setTitle(text == null ? null : text[0])
                .setBody(text == null ? null : text[1])
                .setSource("app-store")
                .setOccurredAt(Instant.ofEpochMilli(at))
                .build();
        reviews.add(r);
        publish(at, jitter(), topics.reviews(), customer, r);
    }

    /** A record published as is (bad records, duplicates): not part of the day's facts. */
    void raw(long eventTime, long publishAt, String topic, String key, byte[] value) {
        events.add(new DemoWorld.Event(eventTime, publishAt, topic, key, value));
    }

    /** Delivery delay: up to a minute, well inside the default 5-minute out-of-orderness bound. */
    long jitter() {
        return (long) (rnd.nextDouble() * MINUTE);
    }

    private DemoWorld.Event publish(long at, long delay, String topic, String key, SpecificRecord record) {
        // Records from before the day (the CRM's history) are published at the start, in order.
        long publishAt = at < day ? day - HOUR + (at - day) / 100_000 : at + delay;
        DemoWorld.Event e = new DemoWorld.Event(at, publishAt, topic, key, WireFormat.singleObject(record));
        events.add(e);
        return e;
    }
}
