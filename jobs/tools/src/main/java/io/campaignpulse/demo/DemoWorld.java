package io.campaignpulse.demo;

import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.contract.Campaign;
import io.campaignpulse.contract.CampaignSend;
import io.campaignpulse.contract.Channel;
import io.campaignpulse.contract.ConsentChange;
import io.campaignpulse.contract.DeadLetterReason;
import io.campaignpulse.contract.HoldingChange;
import io.campaignpulse.contract.HoldingStatus;
import io.campaignpulse.contract.MisfireRule;
import io.campaignpulse.contract.OfferType;
import io.campaignpulse.contract.Review;
import io.campaignpulse.contract.TicketEvent;
import io.campaignpulse.contract.TicketStatus;
import io.campaignpulse.ingest.AvroBinary;
import io.campaignpulse.misfire.SuppressionList;
import io.campaignpulse.sentiment.SentimentScorer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import org.apache.avro.specific.SpecificRecord;

/**
 * A seeded, realistic day of a retail bank's marketing: thousands of customers with holdings
 * and consent (and changes during the day), six campaigns, tickets and reviews, and planted
 * misfires: a card push that reaches current cardholders (some of whose cards were opened
 * minutes before the send and reach Kafka after it), an acquisition offer leaking to existing
 * customers, a newsletter reaching opted-out customers, duplicate sends, a flash sale breaking
 * the frequency cap, producer redeliveries, and bad records.
 *
 * <p>{@link #expectedMisfires()} is the ground truth, computed by a brute-force oracle over
 * the whole day (a different algorithm from the streaming detector), so accidental misfires
 * (a customer who opts out an hour before a send) are expected too; the planted ones are a
 * subset of it.
 */
public final class DemoWorld {

    /** One record to publish: its event time, when to publish it (event time plus delivery delay), where, and its bytes. */
    public record Event(long eventTime, long publishAt, String topic, String key, byte[] value) {}

    /**
     * @param history false for the second and later days of `demo --follow`: the customer base
     *     and its past were published on the first day
     */
    public record Options(int customers, long seed, Instant day, boolean history) {
        public Options(int customers, long seed, Instant day) {
            this(customers, seed, day, true);
        }
    }

    private static final long MINUTE = 60_000L;
    private static final long HOUR = 3_600_000L;
    private static final long DAY_MS = 24 * HOUR;
    private static final String[] PRODUCTS = {
        "CARD-PLAT", "CARD-CLASSIC", "SAVINGS-PLUS", "MORTGAGE", "LOAN-PERSONAL", "INSURANCE-HOME"
    };
    private static final double[] PRODUCT_SHARE = {0.15, 0.40, 0.35, 0.10, 0.10, 0.12};

    private final PulseConfig config;
    private final Options options;
    private final Random rnd;
    private final long day;
    private final List<String> customers = new ArrayList<>();
    private final Map<String, Campaign> campaigns = new LinkedHashMap<>();
    private final List<HoldingChange> holdings = new ArrayList<>();
    private final List<ConsentChange> consents = new ArrayList<>();
    private final List<CampaignSend> sends = new ArrayList<>();
    private final List<Event> events = new ArrayList<>();
    private final List<Event> validSendEvents = new ArrayList<>();
    private final Map<MisfireRule, Set<String>> planted = new EnumMap<>(MisfireRule.class);
    private final Map<DeadLetterReason, Integer> plantedDeadLetters = new EnumMap<>(DeadLetterReason.class);
    private int redeliveries;
    private final List<TicketEvent> ticketEvents = new ArrayList<>();
    private final List<Review> reviewList = new ArrayList<>();
    private final List<CampaignSend> ghostSends = new ArrayList<>();
    private int tickets;
    private int reviews;
    private int sendCounter;

    private DemoWorld(PulseConfig config, Options options) {
        this.config = config;
        this.options = options;
        this.rnd = new Random(options.seed());
        this.day = options.day().toEpochMilli();
        for (MisfireRule r : MisfireRule.values()) {
            if (r != MisfireRule.UNKNOWN) {
                planted.put(r, new HashSet<>());
            }
        }
    }

    public static DemoWorld generate(PulseConfig config, Options options) {
        DemoWorld w = new DemoWorld(config, options);
        w.build();
        return w;
    }

    // ------------------------------------------------------------------ generation

    private void build() {
        for (int i = 1; i <= options.customers(); i++) {
            customers.add(String.format("cust-%05d", i));
        }
        Map<String, Set<String>> heldAtStart = new HashMap<>();
        Map<String, Boolean> emailOk = new HashMap<>();
        Map<String, Boolean> smsOk = new HashMap<>();
        Map<String, Boolean> pushOk = new HashMap<>();
        for (String c : customers) {
            Set<String> held = new HashSet<>();
            if (rnd.nextDouble() < 0.6) { // existing customers
                for (int p = 0; p < PRODUCTS.length; p++) {
                    if (rnd.nextDouble() < PRODUCT_SHARE[p] * 1.3) {
                        held.add(PRODUCTS[p]);
                    }
                }
                if (held.isEmpty()) {
                    held.add("CARD-CLASSIC");
                }
            }
            heldAtStart.put(c, held);
            for (String p : held) {
                long at = day - HOUR - rnd.nextInt(400) * DAY_MS;
                if (options.history()) {
                    holding(c, p, HoldingStatus.ACTIVE, at, 0);
                }
            }
            double r = rnd.nextDouble();
            boolean all = r < 0.07;
            boolean emailOnly = r >= 0.07 && r < 0.12;
            boolean smsOnly = r >= 0.12 && r < 0.15;
            // The consent history is published on the first day only.
            if (options.history() && (all || emailOnly || smsOnly)) {
                Channel channel = all ? null : emailOnly ? Channel.EMAIL : Channel.SMS;
                consent(c, channel, false, day - (1 + rnd.nextInt(90)) * DAY_MS, 0);
            }
            emailOk.put(c, !all && !emailOnly);
            smsOk.put(c, !all && !smsOnly);
            pushOk.put(c, !all);
        }

        campaign("C-SECURITY", "Card Security Notice", OfferType.SERVICE, null, Channel.EMAIL, "service-team");
        campaign("C-PLAT", "Platinum Card Push", OfferType.CROSS_SELL, "CARD-PLAT", Channel.EMAIL, "cards-team");
        campaign(
                "C-LOAN", "Welcome Personal Loan", OfferType.ACQUISITION, "LOAN-PERSONAL", Channel.SMS, "lending-team");
        campaign("C-NEWS", "Savings Plus Newsletter", OfferType.UPSELL, "SAVINGS-PLUS", Channel.EMAIL, "savings-team");
        campaign(
                "C-HOME",
                "Home Insurance Offer",
                OfferType.CROSS_SELL,
                "INSURANCE-HOME",
                Channel.PUSH,
                "insurance-team");
        campaign("C-KEEP", "Platinum Retention", OfferType.RETENTION, "CARD-PLAT", Channel.EMAIL, "cards-team");
        campaign("C-FLASH", "Evening Flash Sale", OfferType.CROSS_SELL, "CARD-CLASSIC", Channel.PUSH, "cards-team");
        campaign("C-CASH", "Double Cashback Card", OfferType.CROSS_SELL, "CARD-CASHBACK", Channel.EMAIL, "cards-team");
        campaign(
                "C-UPGRADE",
                "Premium Account Upgrade",
                OfferType.UPSELL,
                "ACCOUNT-PREMIUM",
                Channel.EMAIL,
                "cards-team");

        Map<String, Integer> promoSends = new HashMap<>();

        // Card security notice: SERVICE, to every cardholder, consent or not (exempt).
        for (String c : customers) {
            Set<String> h = heldAtStart.get(c);
            if ((h.contains("CARD-PLAT") || h.contains("CARD-CLASSIC")) && rnd.nextDouble() < 0.5) {
                send("C-SECURITY", c, Channel.EMAIL, between(7, 9));
            }
        }
        // Platinum push: audience from a stale exclusion list - 12 % already hold the card.
        for (String c : customers) {
            Set<String> h = heldAtStart.get(c);
            if (!emailOk.get(c)) {
                continue;
            }
            boolean holder = h.contains("CARD-PLAT");
            if ((holder && rnd.nextDouble() < 0.30) || (!holder && rnd.nextDouble() < 0.30)) {
                long t = between(8, 12);
                CampaignSend s = send("C-PLAT", c, Channel.EMAIL, t);
                promoSends.merge(c, 1, Integer::sum);
                if (holder) {
                    planted.get(MisfireRule.ALREADY_HOLDS_PRODUCT).add(s.getSendId());
                } else if (rnd.nextDouble() < 0.03) {
                    // Opened the card minutes before the send; the CRM change reaches Kafka after the send.
                    holding(c, "CARD-PLAT", HoldingStatus.ACTIVE, t - 3 * MINUTE, 4 * MINUTE);
                    planted.get(MisfireRule.ALREADY_HOLDS_PRODUCT).add(s.getSendId());
                }
            }
        }
        // Welcome loan: meant for prospects, leaks to existing customers.
        for (String c : customers) {
            if (!smsOk.get(c)) {
                continue;
            }
            boolean prospect = heldAtStart.get(c).isEmpty();
            if ((prospect && rnd.nextDouble() < 0.45) || (!prospect && rnd.nextDouble() < 0.05)) {
                CampaignSend s = send("C-LOAN", c, Channel.SMS, between(9, 14));
                promoSends.merge(c, 1, Integer::sum);
                if (!prospect) {
                    planted.get(MisfireRule.ACQUISITION_TO_EXISTING_CUSTOMER).add(s.getSendId());
                }
            }
        }
        // Savings newsletter: built from last quarter's consent list, so it reaches opted-out customers.
        for (String c : customers) {
            if (heldAtStart.get(c).contains("SAVINGS-PLUS")) {
                continue;
            }
            boolean ok = emailOk.get(c);
            if ((ok && rnd.nextDouble() < 0.30) || (!ok && rnd.nextDouble() < 0.25)) {
                CampaignSend s = send("C-NEWS", c, Channel.EMAIL, between(10, 16));
                promoSends.merge(c, 1, Integer::sum);
                if (!ok) {
                    planted.get(MisfireRule.NO_CONSENT).add(s.getSendId());
                }
            }
        }
        // Home insurance: a clean, well-targeted campaign - but a batch job re-sent part of it.
        for (String c : customers) {
            if (!pushOk.get(c) || heldAtStart.get(c).contains("INSURANCE-HOME") || rnd.nextDouble() >= 0.25) {
                continue;
            }
            long t = between(11, 17);
            send("C-HOME", c, Channel.PUSH, t);
            promoSends.merge(c, 1, Integer::sum);
            if (rnd.nextDouble() < 0.06) {
                CampaignSend again = send("C-HOME", c, Channel.PUSH, t + HOUR + (long) (rnd.nextDouble() * 3 * HOUR));
                promoSends.merge(c, 1, Integer::sum);
                planted.get(MisfireRule.DUPLICATE_SEND).add(again.getSendId());
            }
        }
        // Platinum retention: RETENTION to current holders is the point (exempt from ALREADY_HOLDS).
        for (String c : customers) {
            if (heldAtStart.get(c).contains("CARD-PLAT") && emailOk.get(c) && rnd.nextDouble() < 0.5) {
                send("C-KEEP", c, Channel.EMAIL, between(17, 18));
                promoSends.merge(c, 1, Integer::sum);
            }
        }
        // Double cashback: an over-promising email ("double cashback on everything") that draws
        // angry tickets and poor reviews; some recipients still open the card.
        for (String c : customers) {
            if (emailOk.get(c) && rnd.nextDouble() < 0.25) {
                CampaignSend s = send("C-CASH", c, Channel.EMAIL, between(9, 13));
                promoSends.merge(c, 1, Integer::sum);
                if (rnd.nextDouble() < 0.04) {
                    holding(
                            c,
                            "CARD-CASHBACK",
                            HoldingStatus.ACTIVE,
                            s.getSentAt().toEpochMilli() + (long) (rnd.nextDouble() * 8 * HOUR),
                            0);
                }
            }
        }
        // Flash sale late in the evening, after every other send, to everyone who already had three
        // promotional sends today: a fourth.
        for (String c : customers) {
            if (promoSends.getOrDefault(c, 0) >= 3
                    && pushOk.get(c)
                    && !heldAtStart.get(c).contains("CARD-CLASSIC")) {
                CampaignSend s = send("C-FLASH", c, Channel.PUSH, between(22, 23));
                planted.get(MisfireRule.FREQUENCY_CAP).add(s.getSendId());
            }
        }

        // Life goes on during the day (from 02:00: until then the previous day's CRM tail runs):
        // products opened and closed, consent changed.
        // A closure or an opt-in could undo a planted misfire; those customers keep theirs.
        Set<String> plantedCustomers = new HashSet<>();
        Set<String> plantedSends = new HashSet<>();
        planted.values().forEach(plantedSends::addAll);
        for (CampaignSend s : sends) {
            if (plantedSends.contains(s.getSendId())) {
                plantedCustomers.add(s.getCustomerId());
            }
        }
        for (String c : customers) {
            double r = rnd.nextDouble();
            long t = day + 2 * HOUR + (long) (rnd.nextDouble() * 22 * HOUR);
            boolean mayUndo = !plantedCustomers.contains(c);
            if (r < 0.03) {
                holding(c, PRODUCTS[rnd.nextInt(PRODUCTS.length)], HoldingStatus.ACTIVE, t, 0);
            } else if (r < 0.04 && mayUndo && !heldAtStart.get(c).isEmpty()) {
                holding(c, heldAtStart.get(c).iterator().next(), HoldingStatus.CLOSED, t, 0);
            } else if (r < 0.05) {
                consent(c, null, false, t, 0);
            } else if (r < 0.055 && mayUndo) {
                consent(c, null, true, t, 0);
            }
        }
        // The CRM keeps publishing after the campaigns: event time moves on past the last sends.
        for (int i = 0; i < Math.max(50, customers.size() / 20); i++) {
            holding(
                    customers.get(rnd.nextInt(customers.size())),
                    "SAVINGS-PLUS",
                    HoldingStatus.ACTIVE,
                    day + DAY_MS + (long) (rnd.nextDouble() * 2 * HOUR),
                    0);
        }

        feedback();
        // The cards team follows its cashback push with an upgrade offer to half its recipients in
        // the evening, complaints or not: an open angry ticket makes that an OPEN_COMPLAINT.
        Map<String, List<TicketEvent>> ticketsBy = new HashMap<>();
        ticketEvents.forEach(e -> ticketsBy
                .computeIfAbsent(e.getCustomerId(), k -> new ArrayList<>())
                .add(e));
        SentimentScorer scorer = SentimentScorer.shared();
        for (CampaignSend cash : new ArrayList<>(sends)) {
            if (cash.getCampaignId().equals("C-CASH") && rnd.nextDouble() < 0.5) {
                long t = between(19, 21);
                CampaignSend s = send("C-UPGRADE", cash.getCustomerId(), Channel.EMAIL, t);
                if (hasOpenComplaint(
                        ticketsBy.getOrDefault(cash.getCustomerId(), List.of()), t, config.misfire(), scorer)) {
                    planted.get(MisfireRule.OPEN_COMPLAINT).add(s.getSendId());
                }
            }
        }
        badRecords();
        planRedeliveries();
        events.sort(Comparator.comparingLong(Event::publishAt));
    }

    private String dayTag() {
        return LocalDate.ofInstant(Instant.ofEpochMilli(day), ZoneOffset.UTC)
                .toString()
                .replace("-", "");
    }

    private long between(int fromHour, int toHour) {
        return day + fromHour * HOUR + (long) (rnd.nextDouble() * (toHour - fromHour) * HOUR);
    }

    private void campaign(String id, String name, OfferType offer, String product, Channel channel, String owner) {
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
        events.add(new Event(
                c.getUpdatedAt().toEpochMilli(), Long.MIN_VALUE, topics().campaigns(), id, AvroBinary.toBytes(c)));
    }

    private CampaignSend send(String campaignId, String customer, Channel channel, long at) {
        CampaignSend s = CampaignSend.newBuilder()
                .setSendId(String.format("snd-%s-%06d", dayTag(), ++sendCounter))
                .setCampaignId(campaignId)
                .setCustomerId(customer)
                .setChannel(channel)
                .setSentAt(Instant.ofEpochMilli(at))
                .build();
        sends.add(s);
        validSendEvents.add(publish(at, jitter(), topics().campaignSends(), customer, s));
        return s;
    }

    private void holding(String customer, String product, HoldingStatus status, long at, long delay) {
        HoldingChange h = HoldingChange.newBuilder()
                .setCustomerId(customer)
                .setProductId(product)
                .setStatus(status)
                .setChangedAt(Instant.ofEpochMilli(at))
                .build();
        holdings.add(h);
        publish(at, delay > 0 ? delay : jitter(), topics().customerHoldings(), customer, h);
    }

    private void consent(String customer, Channel channel, boolean optedIn, long at, long delay) {
        ConsentChange c = ConsentChange.newBuilder()
                .setCustomerId(customer)
                .setChannel(channel)
                .setOptedIn(optedIn)
                .setChangedAt(Instant.ofEpochMilli(at))
                .build();
        consents.add(c);
        publish(at, delay > 0 ? delay : jitter(), topics().customerConsent(), customer, c);
    }

    /** Delivery delay: up to a minute, well inside the default 5-minute out-of-orderness bound. */
    private long jitter() {
        return (long) (rnd.nextDouble() * MINUTE);
    }

    private Event publish(long at, long delay, String topic, String key, SpecificRecord record) {
        // Records from before the day (the CRM's history) are published at the start, in order.
        long publishAt = at < day ? day - HOUR + (at - day) / 100_000 : at + delay;
        Event e = new Event(at, publishAt, topic, key, AvroBinary.toBytes(record));
        events.add(e);
        return e;
    }

    private PulseConfig.Topics topics() {
        return config.topics();
    }

    /**
     * Tickets and reviews: recipients of misfires complain; the over-promising cashback campaign
     * draws angry tickets (some resolved later, with a low CSAT) and poor reviews; the home
     * insurance offer draws thanks and good reviews; everyone else asks the odd question.
     */
    private void feedback() {
        for (CampaignSend s : sends) {
            boolean misfire = planted.values().stream().anyMatch(set -> set.contains(s.getSendId()));
            long sent = s.getSentAt().toEpochMilli();
            String campaign = s.getCampaignId();
            if (misfire && rnd.nextDouble() < 0.15) {
                ticket(s, FeedbackTexts.ANGRY[rnd.nextInt(FeedbackTexts.ANGRY.length)], "complaint", sent);
            } else if (campaign.equals("C-CASH") && rnd.nextDouble() < 0.12) {
                ticket(
                        s,
                        FeedbackTexts.CASHBACK_ANGRY[rnd.nextInt(FeedbackTexts.CASHBACK_ANGRY.length)],
                        "complaint",
                        sent);
                if (rnd.nextDouble() < 0.3) {
                    TicketEvent last = ticketEvents.get(ticketEvents.size() - 1);
                    long at = last.getOccurredAt().toEpochMilli() + 4 * HOUR + (long) (rnd.nextDouble() * 6 * HOUR);
                    TicketEvent resolved = TicketEvent.newBuilder(last)
                            .setStatus(TicketStatus.RESOLVED)
                            .setSubject(null)
                            .setBody(null)
                            .setCsat(1 + rnd.nextInt(2))
                            .setOccurredAt(Instant.ofEpochMilli(at))
                            .build();
                    ticketEvents.add(resolved);
                    publish(at, jitter(), topics().tickets(), s.getCustomerId(), resolved);
                }
            } else if (campaign.equals("C-HOME") && rnd.nextDouble() < 0.015) {
                // Pleased customers seldom open a ticket; they write reviews (below).
                ticket(s, FeedbackTexts.HAPPY[rnd.nextInt(FeedbackTexts.HAPPY.length)], "question", sent);
            } else if (rnd.nextDouble() < 0.01) {
                ticket(s, FeedbackTexts.QUESTIONS[rnd.nextInt(FeedbackTexts.QUESTIONS.length)], "question", sent);
            }
            String[] review = null;
            int rating = 0;
            if (campaign.equals("C-CASH") && rnd.nextDouble() < 0.05) {
                review = FeedbackTexts.CASHBACK_REVIEWS[rnd.nextInt(FeedbackTexts.CASHBACK_REVIEWS.length)];
                rating = 1 + rnd.nextInt(2);
            } else if (campaign.equals("C-HOME") && rnd.nextDouble() < 0.07) {
                review = FeedbackTexts.HAPPY_REVIEWS[rnd.nextInt(FeedbackTexts.HAPPY_REVIEWS.length)];
                rating = 4 + rnd.nextInt(2);
            } else if (rnd.nextDouble() < 0.005) {
                rating = 3 + rnd.nextInt(3); // a rating without text: the stars stand in
            }
            if (review != null || rating > 0) {
                long at = sent + HOUR + (long) (rnd.nextDouble() * 7 * HOUR);
                Review r = Review.newBuilder()
                        .setReviewId("rev-" + dayTag() + "-" + (reviewList.size() + 1))
                        .setCustomerId(s.getCustomerId())
                        .setProductId(campaigns.get(campaign).getOfferProductId())
                        .setRating(rating)
                        .setTitle(review == null ? null : review[0])
                        .setBody(review == null ? null : review[1])
                        .setSource("app-store")
                        .setOccurredAt(Instant.ofEpochMilli(at))
                        .build();
                reviewList.add(r);
                publish(at, jitter(), topics().reviews(), s.getCustomerId(), r);
                reviews++;
            }
        }
    }

    private String ticket(CampaignSend s, String[] text, String category, long sent) {
        long at = sent + HOUR / 2 + (long) (rnd.nextDouble() * 5.5 * HOUR);
        String id = "tkt-" + dayTag() + "-" + (ticketEvents.size() + 1);
        TicketEvent t = TicketEvent.newBuilder()
                .setTicketId(id)
                .setCustomerId(s.getCustomerId())
                .setStatus(TicketStatus.OPEN)
                .setSubject(text[0])
                .setBody(text[1])
                .setCampaignId(rnd.nextDouble() < 0.3 ? s.getCampaignId() : null)
                .setCategory(category)
                .setOccurredAt(Instant.ofEpochMilli(at))
                .build();
        ticketEvents.add(t);
        publish(at, jitter(), topics().tickets(), s.getCustomerId(), t);
        tickets++;
        return id;
    }

    private void badRecords() {
        long mid = day + 12 * HOUR;
        for (int i = 0; i < 5; i++) {
            events.add(new Event(
                    mid,
                    mid + i * MINUTE,
                    topics().campaignSends(),
                    "cust-x",
                    ("{\"not\": \"avro\", \"n\": " + i + "}").getBytes(StandardCharsets.UTF_8)));
        }
        plantedDeadLetters.put(DeadLetterReason.DECODE_ERROR, 5);
        for (int i = 0; i < 3; i++) {
            CampaignSend s = CampaignSend.newBuilder()
                    .setSendId("bad-missing-" + dayTag() + "-" + i)
                    .setCampaignId("C-PLAT")
                    .setCustomerId("")
                    .setChannel(Channel.EMAIL)
                    .setSentAt(Instant.ofEpochMilli(mid))
                    .build();
            events.add(new Event(mid, mid + i * MINUTE, topics().campaignSends(), "", AvroBinary.toBytes(s)));
        }
        plantedDeadLetters.put(DeadLetterReason.MISSING_FIELD, 3);
        for (int i = 0; i < 2; i++) {
            HoldingChange h = HoldingChange.newBuilder()
                    .setCustomerId(customers.get(i))
                    .setProductId("CARD-PLAT")
                    .setStatus(HoldingStatus.UNKNOWN)
                    .setChangedAt(Instant.ofEpochMilli(mid))
                    .build();
            events.add(new Event(
                    mid, mid + i * MINUTE, topics().customerHoldings(), customers.get(i), AvroBinary.toBytes(h)));
        }
        plantedDeadLetters.put(DeadLetterReason.UNKNOWN_ENUM, 2);
        for (int i = 0; i < 2; i++) {
            CampaignSend s = CampaignSend.newBuilder()
                    .setSendId("ghost-" + dayTag() + "-" + i)
                    .setCampaignId("C-GHOST")
                    .setCustomerId(customers.get(i))
                    .setChannel(Channel.EMAIL)
                    .setSentAt(Instant.ofEpochMilli(mid + i))
                    .build();
            ghostSends.add(s); // never judged, but the customer got it: feedback after it is attributed to it
            events.add(new Event(
                    mid, mid + i * MINUTE, topics().campaignSends(), customers.get(i), AvroBinary.toBytes(s)));
        }
        plantedDeadLetters.put(DeadLetterReason.UNKNOWN_CAMPAIGN, 2);
        // Bad clocks, published early in the day: a send stamped 2099 and a holding stamped 1960.
        // Taken as event times, the first would move its partition's watermark to 2099 and make
        // everything after it late; the decoder refuses both before any watermark sees them.
        long early = day + 6 * HOUR + MINUTE;
        CampaignSend future = CampaignSend.newBuilder()
                .setSendId("bad-clock-" + dayTag())
                .setCampaignId("C-PLAT")
                .setCustomerId("cust-bad-clock")
                .setChannel(Channel.EMAIL)
                .setSentAt(Instant.parse("2099-01-01T09:00:00Z"))
                .build();
        events.add(new Event(early, early, topics().campaignSends(), "cust-bad-clock", AvroBinary.toBytes(future)));
        HoldingChange past = HoldingChange.newBuilder()
                .setCustomerId("cust-bad-clock")
                .setProductId("CARD-PLAT")
                .setStatus(HoldingStatus.ACTIVE)
                .setChangedAt(Instant.parse("1960-01-01T00:00:00Z"))
                .build();
        events.add(new Event(early, early, topics().customerHoldings(), "cust-bad-clock", AvroBinary.toBytes(past)));
        plantedDeadLetters.put(DeadLetterReason.INVALID_TIMESTAMP, 2);
    }

    /** About 1 % of sends are delivered twice by the producer: same send_id, never a misfire. */
    private void planRedeliveries() {
        List<Event> again = new ArrayList<>();
        for (Event e : validSendEvents) {
            if (rnd.nextDouble() < 0.01) {
                again.add(new Event(
                        e.eventTime(),
                        e.publishAt() + (long) (rnd.nextDouble() * 2 * MINUTE),
                        e.topic(),
                        e.key(),
                        e.value()));
            }
        }
        redeliveries = again.size();
        events.addAll(again);
    }

    // ------------------------------------------------------------------ ground truth

    /**
     * Brute force over the whole day: for every valid send, look up each fact as of its
     * sent_at by scanning all changes. Rule semantics as documented in the README.
     */
    public Map<String, Set<MisfireRule>> expectedMisfires() {
        return expectedMisfires(List.of(this));
    }

    /** The ground truth over consecutive days played into one job (state carries over). */
    public static Map<String, Set<MisfireRule>> expectedMisfires(List<DemoWorld> days) {
        PulseConfig.Misfire m = days.get(0).config.misfire();
        List<HoldingChange> holdings = new ArrayList<>();
        List<ConsentChange> consents = new ArrayList<>();
        List<CampaignSend> sends = new ArrayList<>();
        List<TicketEvent> ticketEvents = new ArrayList<>();
        Map<String, Campaign> campaigns = new HashMap<>();
        for (DemoWorld d : days) {
            holdings.addAll(d.holdings);
            consents.addAll(d.consents);
            sends.addAll(d.sends);
            ticketEvents.addAll(d.ticketEvents);
            campaigns.putAll(d.campaigns);
        }
        Map<String, List<TicketEvent>> ticketsBy = new HashMap<>();
        ticketEvents.forEach(e -> ticketsBy
                .computeIfAbsent(e.getCustomerId(), k -> new ArrayList<>())
                .add(e));
        SentimentScorer scorer = SentimentScorer.shared();
        Map<String, List<HoldingChange>> holdingsBy = new HashMap<>();
        holdings.forEach(h -> holdingsBy
                .computeIfAbsent(h.getCustomerId(), k -> new ArrayList<>())
                .add(h));
        Map<String, List<ConsentChange>> consentBy = new HashMap<>();
        consents.forEach(c -> consentBy
                .computeIfAbsent(c.getCustomerId(), k -> new ArrayList<>())
                .add(c));
        Map<String, List<CampaignSend>> sendsBy = new HashMap<>();
        sends.forEach(s -> sendsBy.computeIfAbsent(s.getCustomerId(), k -> new ArrayList<>())
                .add(s));
        // Sends of a campaign that never arrives are dead-lettered, not judged, but the customer got
        // them: they count toward the frequency cap as promotional (their offer is unknown).
        for (DemoWorld d : days) {
            d.ghostSends.forEach(s -> sendsBy.computeIfAbsent(s.getCustomerId(), k -> new ArrayList<>())
                    .add(s));
        }
        Comparator<CampaignSend> judgedOrder =
                Comparator.comparing((CampaignSend s) -> s.getSentAt()).thenComparing(CampaignSend::getSendId);

        Map<String, Set<MisfireRule>> expected = new TreeMap<>();
        for (CampaignSend s : sends) {
            long t = s.getSentAt().toEpochMilli();
            Campaign c = campaigns.get(s.getCampaignId());
            OfferType offer = s.getOfferType() != null ? s.getOfferType() : c.getOfferType();
            String product = s.getOfferProductId() != null ? s.getOfferProductId() : c.getOfferProductId();
            Set<MisfireRule> rules = new HashSet<>();
            Map<String, HoldingChange> latest = holdingsAsOf(holdingsBy.getOrDefault(s.getCustomerId(), List.of()), t);
            if (product != null
                    && offer != OfferType.RETENTION
                    && offer != OfferType.SERVICE
                    && latest.containsKey(product)
                    && latest.get(product).getStatus() == HoldingStatus.ACTIVE) {
                rules.add(MisfireRule.ALREADY_HOLDS_PRODUCT);
            }
            if (offer == OfferType.ACQUISITION
                    && latest.values().stream().anyMatch(h -> h.getStatus() == HoldingStatus.ACTIVE)) {
                rules.add(MisfireRule.ACQUISITION_TO_EXISTING_CUSTOMER);
            }
            if (offer != OfferType.SERVICE
                    && !optedIn(consentBy.getOrDefault(s.getCustomerId(), List.of()), s.getChannel(), t, m)) {
                rules.add(MisfireRule.NO_CONSENT);
            }
            int promotional = offer != OfferType.SERVICE ? 1 : 0;
            for (CampaignSend other : sendsBy.get(s.getCustomerId())) {
                long o = other.getSentAt().toEpochMilli();
                if (other == s || judgedOrder.compare(other, s) > 0) {
                    continue;
                }
                if (other.getCampaignId().equals(s.getCampaignId())
                        && o > t - m.duplicateWindow().toMillis()) {
                    rules.add(MisfireRule.DUPLICATE_SEND);
                }
                Campaign oc = campaigns.get(other.getCampaignId());
                OfferType otherOffer =
                        other.getOfferType() != null ? other.getOfferType() : oc != null ? oc.getOfferType() : null;
                if (otherOffer != OfferType.SERVICE
                        && o > t - m.frequencyWindow().toMillis()) {
                    promotional++;
                }
            }
            if (offer != OfferType.SERVICE && promotional > m.frequencyCap()) {
                rules.add(MisfireRule.FREQUENCY_CAP);
            }
            if (offer != OfferType.SERVICE
                    && hasOpenComplaint(ticketsBy.getOrDefault(s.getCustomerId(), List.of()), t, m, scorer)) {
                rules.add(MisfireRule.OPEN_COMPLAINT);
            }
            if (!rules.isEmpty()) {
                expected.put(s.getSendId(), rules);
            }
        }
        return expected;
    }

    /**
     * The suppression list at the end of the data, by brute force: for every (campaign, customer,
     * preventable rule) with an expected misfire, whether its entry is still active. Walks each
     * customer's history in event-time order as the job does (changes and feedback before sends
     * at equal times): a misfire opens the entry if it is not active; any change or feedback after
     * which the reason no longer holds retracts it. Keyed campaign_id/customer_id/rule.
     */
    public static Map<String, Boolean> expectedSuppressions(List<DemoWorld> days) {
        PulseConfig.Misfire m = days.get(0).config.misfire();
        Map<String, Set<MisfireRule>> expected = expectedMisfires(days);
        SentimentScorer scorer = SentimentScorer.shared();
        Map<String, List<HoldingChange>> holdingsBy = new HashMap<>();
        Map<String, List<ConsentChange>> consentBy = new HashMap<>();
        Map<String, List<TicketEvent>> ticketsBy = new HashMap<>();
        Map<String, TreeSet<Long>> changeTimes = new HashMap<>();
        Map<String, List<CampaignSend>> misfiredBy = new HashMap<>();
        Map<String, Campaign> campaigns = new HashMap<>();
        for (DemoWorld d : days) {
            campaigns.putAll(d.campaigns);
            d.holdings.forEach(h -> {
                holdingsBy
                        .computeIfAbsent(h.getCustomerId(), k -> new ArrayList<>())
                        .add(h);
                changeTimes
                        .computeIfAbsent(h.getCustomerId(), k -> new TreeSet<>())
                        .add(h.getChangedAt().toEpochMilli());
            });
            d.consents.forEach(c -> {
                consentBy
                        .computeIfAbsent(c.getCustomerId(), k -> new ArrayList<>())
                        .add(c);
                changeTimes
                        .computeIfAbsent(c.getCustomerId(), k -> new TreeSet<>())
                        .add(c.getChangedAt().toEpochMilli());
            });
            d.ticketEvents.forEach(t -> {
                ticketsBy
                        .computeIfAbsent(t.getCustomerId(), k -> new ArrayList<>())
                        .add(t);
                changeTimes
                        .computeIfAbsent(t.getCustomerId(), k -> new TreeSet<>())
                        .add(t.getOccurredAt().toEpochMilli());
            });
            d.reviewList.stream()
                    .filter(r -> r.getCustomerId() != null)
                    .forEach(r -> changeTimes
                            .computeIfAbsent(r.getCustomerId(), k -> new TreeSet<>())
                            .add(r.getOccurredAt().toEpochMilli()));
            d.sends.stream()
                    .filter(x -> expected.containsKey(x.getSendId()))
                    .forEach(x -> misfiredBy
                            .computeIfAbsent(x.getCustomerId(), k -> new ArrayList<>())
                            .add(x));
        }
        Map<String, Boolean> out = new TreeMap<>();
        misfiredBy.forEach((customer, misfired) -> {
            // Events in the job's order: at one instant, changes and feedback first, then sends by send_id.
            TreeMap<Long, List<CampaignSend>> sendsAt = new TreeMap<>();
            misfired.forEach(x -> sendsAt.computeIfAbsent(x.getSentAt().toEpochMilli(), k -> new ArrayList<>())
                    .add(x));
            TreeSet<Long> instants = new TreeSet<>(sendsAt.keySet());
            instants.addAll(changeTimes.getOrDefault(customer, new TreeSet<>()));
            Map<String, Boolean> active = new TreeMap<>();
            Map<String, String> basis = new HashMap<>();
            for (long t : instants) {
                if (changeTimes.getOrDefault(customer, new TreeSet<>()).contains(t)) {
                    for (Map.Entry<String, Boolean> e : active.entrySet()) {
                        MisfireRule rule = MisfireRule.valueOf(
                                e.getKey().substring(e.getKey().lastIndexOf('/') + 1));
                        if (e.getValue()
                                && !stillApplies(
                                        rule,
                                        basis.get(e.getKey()),
                                        customer,
                                        t,
                                        holdingsBy,
                                        consentBy,
                                        ticketsBy,
                                        m,
                                        scorer)) {
                            e.setValue(false);
                        }
                    }
                }
                List<CampaignSend> at = new ArrayList<>(sendsAt.getOrDefault(t, List.of()));
                at.sort(Comparator.comparing(CampaignSend::getSendId));
                for (CampaignSend x : at) {
                    for (MisfireRule rule : expected.get(x.getSendId())) {
                        if (!SuppressionList.preventable(rule)) {
                            continue;
                        }
                        String key = x.getCampaignId() + "/" + customer + "/" + rule;
                        if (!Boolean.TRUE.equals(active.get(key))) {
                            active.put(key, true);
                            Campaign c = campaigns.get(x.getCampaignId());
                            basis.put(
                                    key,
                                    rule == MisfireRule.ALREADY_HOLDS_PRODUCT
                                            ? (x.getOfferProductId() != null
                                                    ? x.getOfferProductId()
                                                    : c.getOfferProductId())
                                            : rule == MisfireRule.NO_CONSENT
                                                    ? x.getChannel().name()
                                                    : null);
                        }
                    }
                }
            }
            out.putAll(active);
        });
        return out;
    }

    private static boolean stillApplies(
            MisfireRule rule,
            String basis,
            String customer,
            long t,
            Map<String, List<HoldingChange>> holdingsBy,
            Map<String, List<ConsentChange>> consentBy,
            Map<String, List<TicketEvent>> ticketsBy,
            PulseConfig.Misfire m,
            SentimentScorer scorer) {
        Map<String, HoldingChange> latest = holdingsAsOf(holdingsBy.getOrDefault(customer, List.of()), t);
        switch (rule) {
            case ALREADY_HOLDS_PRODUCT:
                return latest.containsKey(basis) && latest.get(basis).getStatus() == HoldingStatus.ACTIVE;
            case ACQUISITION_TO_EXISTING_CUSTOMER:
                return latest.values().stream().anyMatch(h -> h.getStatus() == HoldingStatus.ACTIVE);
            case NO_CONSENT:
                return !optedIn(consentBy.getOrDefault(customer, List.of()), Channel.valueOf(basis), t, m);
            case OPEN_COMPLAINT:
                return hasOpenComplaint(ticketsBy.getOrDefault(customer, List.of()), t, m, scorer);
            default:
                return false;
        }
    }

    /** A customer's latest holding change per product at or before t. */
    private static Map<String, HoldingChange> holdingsAsOf(List<HoldingChange> customerHoldings, long t) {
        Map<String, HoldingChange> latest = new HashMap<>();
        for (HoldingChange h : customerHoldings) {
            if (h.getChangedAt().toEpochMilli() <= t) {
                latest.merge(h.getProductId(), h, (a, b) -> b.getChangedAt().isAfter(a.getChangedAt()) ? b : a);
            }
        }
        return latest;
    }

    /** Consent by brute force: the latest change at or before t covering the channel (on a tie the channel's own); none: the default. */
    private static boolean optedIn(
            List<ConsentChange> customerConsent, Channel channel, long t, PulseConfig.Misfire m) {
        ConsentChange best = null;
        for (ConsentChange cc : customerConsent) {
            boolean covers = cc.getChannel() == null || cc.getChannel() == channel;
            if (covers
                    && cc.getChangedAt().toEpochMilli() <= t
                    && (best == null
                            || cc.getChangedAt().isAfter(best.getChangedAt())
                            || (cc.getChangedAt().equals(best.getChangedAt()) && cc.getChannel() != null))) {
                best = cc;
            }
        }
        return best == null ? m.consentDefaultOptedIn() : best.getOptedIn();
    }

    /** OPEN_COMPLAINT by brute force: any ticket opened in (t - window, t], OPEN or PENDING as of t, averaging at most the threshold. */
    private static boolean hasOpenComplaint(
            List<TicketEvent> customerTickets, long t, PulseConfig.Misfire m, SentimentScorer scorer) {
        Map<String, List<TicketEvent>> byTicket = new TreeMap<>();
        for (TicketEvent e : customerTickets) {
            if (e.getOccurredAt().toEpochMilli() <= t) {
                byTicket.computeIfAbsent(e.getTicketId(), k -> new ArrayList<>())
                        .add(e);
            }
        }
        for (List<TicketEvent> events : byTicket.values()) {
            events.sort(Comparator.comparing(TicketEvent::getOccurredAt));
            long opened = events.get(0).getOccurredAt().toEpochMilli();
            TicketStatus status = events.get(events.size() - 1).getStatus();
            if (opened <= t - m.openComplaintWindow().toMillis()
                    || (status != TicketStatus.OPEN && status != TicketStatus.PENDING)) {
                continue;
            }
            double sum = 0;
            int n = 0;
            for (TicketEvent e : events) {
                Double score = scoreOf(scorer, e.getSubject(), e.getBody(), e.getCsat());
                if (score != null) {
                    sum += score;
                    n++;
                }
            }
            if (n > 0 && sum / n <= m.openComplaintScore()) {
                return true;
            }
        }
        return false;
    }

    private static Double scoreOf(SentimentScorer scorer, String heading, String body, Integer standIn) {
        String text = SentimentScorer.textOf(heading, body);
        return text != null
                ? Double.valueOf(scorer.score(text))
                : standIn != null ? Double.valueOf(SentimentScorer.fromFivePointScale(standIn)) : null;
    }

    /** What one campaign's roll-up for one window must say (or the baseline's, under campaign "*"). */
    public record ExpectedStats(
            long sends,
            long misfires,
            Map<MisfireRule, Long> misfiresByRule,
            long conversions,
            long feedback,
            long tickets,
            long reviews,
            Double avgSentiment,
            Double negativeShare) {}

    /**
     * The roll-ups for the window [start, end) by brute force: every send, feedback item and
     * conversion attributed by scanning the whole history (not the streaming state), keyed by
     * campaign id, plus "*" for the baseline of everything in the window.
     */
    public static Map<String, ExpectedStats> expectedStats(List<DemoWorld> days, long start, long end) {
        PulseConfig config = days.get(0).config;
        long attributionMs = config.attribution().window().toMillis();
        long conversionMs = config.attribution().conversionWindow().toMillis();
        Map<String, Set<MisfireRule>> expected = expectedMisfires(days);
        SentimentScorer scorer = SentimentScorer.shared();
        List<CampaignSend> judged = new ArrayList<>();
        List<CampaignSend> received = new ArrayList<>();
        List<TicketEvent> ticketEvents = new ArrayList<>();
        List<Review> reviews = new ArrayList<>();
        List<HoldingChange> holdings = new ArrayList<>();
        Map<String, Campaign> campaigns = new HashMap<>();
        for (DemoWorld d : days) {
            judged.addAll(d.sends);
            received.addAll(d.sends);
            received.addAll(d.ghostSends);
            ticketEvents.addAll(d.ticketEvents);
            reviews.addAll(d.reviewList);
            holdings.addAll(d.holdings);
            campaigns.putAll(d.campaigns);
        }
        Map<String, List<CampaignSend>> receivedBy = new HashMap<>();
        received.forEach(x -> receivedBy
                .computeIfAbsent(x.getCustomerId(), k -> new ArrayList<>())
                .add(x));

        Map<String, long[]> counts =
                new TreeMap<>(); // sends, misfires, conversions, feedback, tickets, reviews, scored, negative
        Map<String, double[]> scoreSums = new HashMap<>();
        Map<String, Map<MisfireRule, Long>> byRule = new HashMap<>();
        BiConsumer<String, Integer> add = (campaign, index) -> {
            for (String key : campaign == null ? List.of("*") : List.of(campaign, "*")) {
                counts.computeIfAbsent(key, k -> new long[8])[index]++;
            }
        };
        BiConsumer<String, Double> score = (campaign, value) -> {
            if (value == null) {
                return;
            }
            for (String key : campaign == null ? List.of("*") : List.of(campaign, "*")) {
                counts.computeIfAbsent(key, k -> new long[8])[6]++;
                if (value <= -SentimentScorer.NEUTRAL_BAND) {
                    counts.get(key)[7]++;
                }
                scoreSums.computeIfAbsent(key, k -> new double[1])[0] += value;
            }
        };
        for (CampaignSend x : judged) {
            long t = x.getSentAt().toEpochMilli();
            if (t < start || t >= end) {
                continue;
            }
            add.accept(x.getCampaignId(), 0);
            for (MisfireRule r : expected.getOrDefault(x.getSendId(), Set.of())) {
                add.accept(x.getCampaignId(), 1);
                byRule.computeIfAbsent(x.getCampaignId(), k -> new EnumMap<>(MisfireRule.class))
                        .merge(r, 1L, Long::sum);
            }
        }
        for (HoldingChange h : holdings) {
            long t = h.getChangedAt().toEpochMilli();
            if (h.getStatus() != HoldingStatus.ACTIVE || t < start || t >= end) {
                continue;
            }
            CampaignSend offered = null;
            for (CampaignSend x : receivedBy.getOrDefault(h.getCustomerId(), List.of())) {
                long sent = x.getSentAt().toEpochMilli();
                Campaign c = campaigns.get(x.getCampaignId());
                String product = x.getOfferProductId() != null
                        ? x.getOfferProductId()
                        : c == null ? null : c.getOfferProductId();
                if (sent < t
                        && sent > t - conversionMs
                        && h.getProductId().equals(product)
                        && (offered == null || sent > offered.getSentAt().toEpochMilli())) {
                    offered = x;
                }
            }
            if (offered != null) {
                add.accept(offered.getCampaignId(), 2);
            }
        }
        // Tickets: attributed when opened; later messages count for the ticket's campaign.
        ticketEvents.sort(Comparator.comparing(TicketEvent::getOccurredAt));
        Map<String, String> ticketCampaign = new HashMap<>();
        for (TicketEvent e : ticketEvents) {
            long t = e.getOccurredAt().toEpochMilli();
            boolean opens = !ticketCampaign.containsKey(e.getTicketId());
            String campaign = e.getCampaignId() != null
                    ? e.getCampaignId()
                    : opens
                            ? lastSendBefore(receivedBy.getOrDefault(e.getCustomerId(), List.of()), t, attributionMs)
                            : ticketCampaign.get(e.getTicketId());
            if (opens) {
                ticketCampaign.put(e.getTicketId(), campaign);
            }
            if (t < start || t >= end) {
                continue;
            }
            add.accept(campaign, 3);
            if (opens) {
                add.accept(campaign, 4);
            }
            score.accept(campaign, scoreOf(scorer, e.getSubject(), e.getBody(), e.getCsat()));
        }
        for (Review r : reviews) {
            long t = r.getOccurredAt().toEpochMilli();
            if (t < start || t >= end) {
                continue;
            }
            String campaign = r.getCampaignId() != null
                    ? r.getCampaignId()
                    : lastSendBefore(receivedBy.getOrDefault(r.getCustomerId(), List.of()), t, attributionMs);
            add.accept(campaign, 3);
            add.accept(campaign, 5);
            score.accept(campaign, scoreOf(scorer, r.getTitle(), r.getBody(), r.getRating()));
        }
        Map<String, ExpectedStats> out = new TreeMap<>();
        counts.forEach((key, c) -> out.put(
                key,
                new ExpectedStats(
                        c[0],
                        c[1],
                        byRule.getOrDefault(key, Map.of()),
                        c[2],
                        c[3],
                        c[4],
                        c[5],
                        c[6] == 0 ? null : scoreSums.get(key)[0] / c[6],
                        c[6] == 0 ? null : (double) c[7] / c[6])));
        return out;
    }

    /** Last-touch attribution by brute force: the latest send strictly before t (sends at t are judged after feedback at t) within the window. */
    private static String lastSendBefore(List<CampaignSend> customerSends, long t, long windowMs) {
        CampaignSend latest = null;
        for (CampaignSend x : customerSends) {
            long sent = x.getSentAt().toEpochMilli();
            if (sent < t
                    && sent > t - windowMs
                    && (latest == null
                            || sent > latest.getSentAt().toEpochMilli()
                            || (sent == latest.getSentAt().toEpochMilli()
                                    && x.getSendId().compareTo(latest.getSendId()) > 0))) {
                latest = x;
            }
        }
        return latest == null ? null : latest.getCampaignId();
    }

    /** An alert incident the pipeline must raise: campaign, rule and the start of the window that opens it. */
    public record ExpectedAlert(String campaignId, MisfireRule rule, Instant windowStart) {}

    /**
     * The MISFIRE_RATE incidents that the expected misfires must raise: the windows that reach the
     * configured thresholds, merged per campaign and rule while each next window ends within
     * alerting.resolve-after of the previous one.
     */
    public Set<ExpectedAlert> expectedAlerts(Map<String, Set<MisfireRule>> expected) {
        PulseConfig.Alerting a = config.alerting();
        long window = a.window().toMillis();
        Map<String, Integer> sendsPerWindow = new HashMap<>();
        Map<ExpectedAlert, Integer> misfiresPerWindow = new HashMap<>();
        for (CampaignSend s : sends) {
            long t = s.getSentAt().toEpochMilli();
            Instant start = Instant.ofEpochMilli(t - Math.floorMod(t, window));
            sendsPerWindow.merge(s.getCampaignId() + "|" + start, 1, Integer::sum);
            for (MisfireRule r : expected.getOrDefault(s.getSendId(), Set.of())) {
                misfiresPerWindow.merge(new ExpectedAlert(s.getCampaignId(), r, start), 1, Integer::sum);
            }
        }
        List<ExpectedAlert> windows = new ArrayList<>();
        misfiresPerWindow.forEach((k, n) -> {
            int total = sendsPerWindow.get(k.campaignId() + "|" + k.windowStart());
            if (k.rule() == MisfireRule.NO_CONSENT
                    || (n >= a.misfireRateMinCount() && (double) n / total >= a.misfireRateShare())) {
                windows.add(k);
            }
        });
        windows.sort(Comparator.comparing(ExpectedAlert::campaignId)
                .thenComparing(ExpectedAlert::rule)
                .thenComparing(ExpectedAlert::windowStart));
        Set<ExpectedAlert> incidents = new HashSet<>();
        ExpectedAlert previous = null;
        for (ExpectedAlert w : windows) {
            boolean continues = previous != null
                    && previous.campaignId().equals(w.campaignId())
                    && previous.rule() == w.rule()
                    && w.windowStart().toEpochMilli() - previous.windowStart().toEpochMilli()
                            <= a.resolveAfter().toMillis();
            if (!continues) {
                incidents.add(w);
            }
            previous = w;
        }
        return incidents;
    }

    // ------------------------------------------------------------------ accessors

    public List<Event> events() {
        return events;
    }

    public Map<MisfireRule, Set<String>> planted() {
        return planted;
    }

    public Map<DeadLetterReason, Integer> plantedDeadLetters() {
        return plantedDeadLetters;
    }

    public Map<String, Campaign> campaigns() {
        return campaigns;
    }

    public int sends() {
        return sends.size();
    }

    public int redeliveries() {
        return redeliveries;
    }

    public int tickets() {
        return tickets;
    }

    public int reviews() {
        return reviews;
    }

    /** Ticket events after the one that opened each ticket (resolutions). */
    public int ticketUpdates() {
        return ticketEvents.size() - tickets;
    }

    public long day() {
        return day;
    }

    /** Where paced playback starts: 06:00, the morning; what comes before goes out at once. */
    public long playFrom() {
        return day + 6 * HOUR;
    }

    /**
     * Simulated milliseconds per wall millisecond so that the day from {@link #playFrom()} to its
     * end takes {@code daySeconds}; 0 (as fast as possible) for daySeconds <= 0.
     */
    public double speedFor(double daySeconds) {
        return daySeconds <= 0 ? 0 : (end() - playFrom()) / (daySeconds * 1000);
    }

    /** When the simulated day's events end (the CRM tail included). */
    public long end() {
        return events.stream().mapToLong(Event::publishAt).max().orElse(day);
    }
}
