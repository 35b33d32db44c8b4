package io.campaignpulse.demo;

import static io.campaignpulse.demo.DayRecords.DAY_MS;
import static io.campaignpulse.demo.DayRecords.HOUR;
import static io.campaignpulse.demo.DayRecords.MINUTE;

import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.contract.CampaignSend;
import io.campaignpulse.contract.Channel;
import io.campaignpulse.contract.DeadLetterReason;
import io.campaignpulse.contract.HoldingStatus;
import io.campaignpulse.contract.MisfireRule;
import io.campaignpulse.contract.OfferType;
import io.campaignpulse.contract.TicketEvent;
import io.campaignpulse.sentiment.SentimentScorer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Generates one day: the customer base (holdings and consent, published on the first day), the
 * campaigns, one method per campaign and the misfire it plants, the CRM's changes during the
 * day, feedback, bad records and producer redeliveries. Every random draw comes from one seeded
 * {@link Random} in a fixed order, so a seed always gives the same day.
 */
final class WorldGenerator {

    private static final String[] PRODUCTS = {
        "CARD-PLAT", "CARD-CLASSIC", "SAVINGS-PLUS", "MORTGAGE", "LOAN-PERSONAL", "INSURANCE-HOME"
    };
    private static final double[] PRODUCT_SHARE = {0.15, 0.40, 0.35, 0.10, 0.10, 0.12};

    private final PulseConfig config;
    private final DemoWorld.Options options;
    private final Random rnd;
    private final DayRecords records;
    private final long day;

    private final List<String> customers = new ArrayList<>();
    private final Map<String, Set<String>> heldAtStart = new HashMap<>();
    private final Map<String, Boolean> emailOk = new HashMap<>();
    private final Map<String, Boolean> smsOk = new HashMap<>();
    private final Map<String, Boolean> pushOk = new HashMap<>();
    /** Promotional sends per customer so far today, for the flash sale that breaks the cap. */
    private final Map<String, Integer> promoSends = new HashMap<>();

    private final Map<MisfireRule, Set<String>> planted = new EnumMap<>(MisfireRule.class);
    private final Map<DeadLetterReason, Integer> plantedDeadLetters = new EnumMap<>(DeadLetterReason.class);

    WorldGenerator(PulseConfig config, DemoWorld.Options options) {
        this.config = config;
        this.options = options;
        this.rnd = new Random(options.seed());
        this.day = options.day().toEpochMilli();
        this.records = new DayRecords(config.topics(), day, rnd);
        for (MisfireRule r : MisfireRule.values()) {
            if (r != MisfireRule.UNKNOWN) {
                planted.put(r, new HashSet<>());
            }
        }
    }

    DemoWorld generate() {
        customerBase();
        campaigns();
        cardSecurityNotice();
        platinumPushFromAStaleExclusionList();
        welcomeLoanLeakingToCustomers();
        newsletterFromLastQuartersConsent();
        homeInsuranceResentByABatchJob();
        platinumRetention();
        doubleCashback();
        flashSaleOverTheFrequencyCap();
        crmChangesDuringTheDay();
        new FeedbackGenerator(records, rnd).write(planted);
        upgradeOfferToCashbackRecipients();
        BadRecords.plant(records, customers, plantedDeadLetters);
        int redeliveries = producerRedeliveries();
        records.events.sort(Comparator.comparingLong(DemoWorld.Event::publishAt));
        return new DemoWorld(config, records, planted, plantedDeadLetters, redeliveries);
    }

    /** 60 % existing customers with holdings; 15 % opted out of some or all channels (history: first day only). */
    private void customerBase() {
        for (int i = 1; i <= options.customers(); i++) {
            customers.add(String.format("cust-%05d", i));
        }
        for (String c : customers) {
            Set<String> held = new HashSet<>();
            if (rnd.nextDouble() < 0.6) {
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
                    records.holding(c, p, HoldingStatus.ACTIVE, at, 0);
                }
            }
            double r = rnd.nextDouble();
            boolean all = r < 0.07;
            boolean emailOnly = r >= 0.07 && r < 0.12;
            boolean smsOnly = r >= 0.12 && r < 0.15;
            if (options.history() && (all || emailOnly || smsOnly)) {
                Channel channel = all ? null : emailOnly ? Channel.EMAIL : Channel.SMS;
                records.consent(c, channel, false, day - (1 + rnd.nextInt(90)) * DAY_MS);
            }
            emailOk.put(c, !all && !emailOnly);
            smsOk.put(c, !all && !smsOnly);
            pushOk.put(c, !all);
        }
    }

    private void campaigns() {
        records.campaign("C-SECURITY", "Card Security Notice", OfferType.SERVICE, null, Channel.EMAIL, "service-team");
        records.campaign(
                "C-PLAT", "Platinum Card Push", OfferType.CROSS_SELL, "CARD-PLAT", Channel.EMAIL, "cards-team");
        records.campaign(
                "C-LOAN", "Welcome Personal Loan", OfferType.ACQUISITION, "LOAN-PERSONAL", Channel.SMS, "lending-team");
        records.campaign(
                "C-NEWS", "Savings Plus Newsletter", OfferType.UPSELL, "SAVINGS-PLUS", Channel.EMAIL, "savings-team");
        records.campaign(
                "C-HOME",
                "Home Insurance Offer",
                OfferType.CROSS_SELL,
                "INSURANCE-HOME",
                Channel.PUSH,
                "insurance-team");
        records.campaign("C-KEEP", "Platinum Retention", OfferType.RETENTION, "CARD-PLAT", Channel.EMAIL, "cards-team");
        records.campaign(
                "C-FLASH", "Evening Flash Sale", OfferType.CROSS_SELL, "CARD-CLASSIC", Channel.PUSH, "cards-team");
        records.campaign(
                "C-CASH", "Double Cashback Card", OfferType.CROSS_SELL, "CARD-CASHBACK", Channel.EMAIL, "cards-team");
        records.campaign(
                "C-UPGRADE",
                "Premium Account Upgrade",
                OfferType.UPSELL,
                "ACCOUNT-PREMIUM",
                Channel.EMAIL,
                "cards-team");
    }

    private CampaignSend promotion(String campaignId, String customer, Channel channel, long at) {
        promoSends.merge(customer, 1, Integer::sum);
        return records.send(campaignId, customer, channel, at);
    }

    /** SERVICE, to half the cardholders, consent or not: exempt from every rule. */
    private void cardSecurityNotice() {
        for (String c : customers) {
            Set<String> h = heldAtStart.get(c);
            if ((h.contains("CARD-PLAT") || h.contains("CARD-CLASSIC")) && rnd.nextDouble() < 0.5) {
                records.send("C-SECURITY", c, Channel.EMAIL, records.between(7, 9));
            }
        }
    }

    /**
     * ALREADY_HOLDS_PRODUCT: the audience comes from a stale exclusion list, so 30 % of the
     * cardholders get it; a few recipients opened the card minutes before the send and the CRM
     * change reaches Kafka after the send.
     */
    private void platinumPushFromAStaleExclusionList() {
        for (String c : customers) {
            if (!emailOk.get(c)) {
                continue;
            }
            boolean holder = heldAtStart.get(c).contains("CARD-PLAT");
            if ((holder && rnd.nextDouble() < 0.30) || (!holder && rnd.nextDouble() < 0.30)) {
                long t = records.between(8, 12);
                CampaignSend s = promotion("C-PLAT", c, Channel.EMAIL, t);
                if (holder) {
                    planted.get(MisfireRule.ALREADY_HOLDS_PRODUCT).add(s.getSendId());
                } else if (rnd.nextDouble() < 0.03) {
                    records.holding(c, "CARD-PLAT", HoldingStatus.ACTIVE, t - 3 * MINUTE, 4 * MINUTE);
                    planted.get(MisfireRule.ALREADY_HOLDS_PRODUCT).add(s.getSendId());
                }
            }
        }
    }

    /** ACQUISITION_TO_EXISTING_CUSTOMER: a welcome offer meant for prospects. */
    private void welcomeLoanLeakingToCustomers() {
        for (String c : customers) {
            if (!smsOk.get(c)) {
                continue;
            }
            boolean prospect = heldAtStart.get(c).isEmpty();
            if ((prospect && rnd.nextDouble() < 0.45) || (!prospect && rnd.nextDouble() < 0.05)) {
                CampaignSend s = promotion("C-LOAN", c, Channel.SMS, records.between(9, 14));
                if (!prospect) {
                    planted.get(MisfireRule.ACQUISITION_TO_EXISTING_CUSTOMER).add(s.getSendId());
                }
            }
        }
    }

    /** NO_CONSENT: built from last quarter's consent list, so it reaches opted-out customers. */
    private void newsletterFromLastQuartersConsent() {
        for (String c : customers) {
            if (heldAtStart.get(c).contains("SAVINGS-PLUS")) {
                continue;
            }
            boolean ok = emailOk.get(c);
            if ((ok && rnd.nextDouble() < 0.30) || (!ok && rnd.nextDouble() < 0.25)) {
                CampaignSend s = promotion("C-NEWS", c, Channel.EMAIL, records.between(10, 16));
                if (!ok) {
                    planted.get(MisfireRule.NO_CONSENT).add(s.getSendId());
                }
            }
        }
    }

    /** DUPLICATE_SEND: a clean, well-targeted campaign, but a batch job re-sent part of it. */
    private void homeInsuranceResentByABatchJob() {
        for (String c : customers) {
            if (!pushOk.get(c) || heldAtStart.get(c).contains("INSURANCE-HOME") || rnd.nextDouble() >= 0.25) {
                continue;
            }
            long t = records.between(11, 17);
            promotion("C-HOME", c, Channel.PUSH, t);
            if (rnd.nextDouble() < 0.06) {
                CampaignSend again =
                        promotion("C-HOME", c, Channel.PUSH, t + HOUR + (long) (rnd.nextDouble() * 3 * HOUR));
                planted.get(MisfireRule.DUPLICATE_SEND).add(again.getSendId());
            }
        }
    }

    /** RETENTION to current holders is the point: exempt from ALREADY_HOLDS_PRODUCT. */
    private void platinumRetention() {
        for (String c : customers) {
            if (heldAtStart.get(c).contains("CARD-PLAT") && emailOk.get(c) && rnd.nextDouble() < 0.5) {
                promotion("C-KEEP", c, Channel.EMAIL, records.between(17, 18));
            }
        }
    }

    /**
     * An over-promising email ("double cashback on everything") that draws angry tickets and poor
     * reviews (see {@link FeedbackGenerator}); some recipients still open the card.
     */
    private void doubleCashback() {
        for (String c : customers) {
            if (emailOk.get(c) && rnd.nextDouble() < 0.25) {
                CampaignSend s = promotion("C-CASH", c, Channel.EMAIL, records.between(9, 13));
                if (rnd.nextDouble() < 0.04) {
                    records.holding(
                            c,
                            "CARD-CASHBACK",
                            HoldingStatus.ACTIVE,
                            s.getSentAt().toEpochMilli() + (long) (rnd.nextDouble() * 8 * HOUR),
                            0);
                }
            }
        }
    }

    /**
     * FREQUENCY_CAP: late in the evening, after every other send, to everyone who already had
     * three promotional sends today: a fourth.
     */
    private void flashSaleOverTheFrequencyCap() {
        for (String c : customers) {
            if (promoSends.getOrDefault(c, 0) >= 3
                    && pushOk.get(c)
                    && !heldAtStart.get(c).contains("CARD-CLASSIC")) {
                CampaignSend s = records.send("C-FLASH", c, Channel.PUSH, records.between(22, 23));
                planted.get(MisfireRule.FREQUENCY_CAP).add(s.getSendId());
            }
        }
    }

    /**
     * Life goes on (from 02:00: until then the previous day's CRM tail runs): products opened
     * and closed, consent changed. A closure or an opt-in could undo a planted misfire; those
     * customers keep theirs. The CRM keeps publishing after the campaigns, so event time moves
     * on past the last sends.
     */
    private void crmChangesDuringTheDay() {
        Set<String> plantedSends = new HashSet<>();
        planted.values().forEach(plantedSends::addAll);
        Set<String> plantedCustomers = new HashSet<>();
        for (CampaignSend s : records.sends) {
            if (plantedSends.contains(s.getSendId())) {
                plantedCustomers.add(s.getCustomerId());
            }
        }
        for (String c : customers) {
            double r = rnd.nextDouble();
            long t = day + 2 * HOUR + (long) (rnd.nextDouble() * 22 * HOUR);
            boolean mayUndo = !plantedCustomers.contains(c);
            if (r < 0.03) {
                records.holding(c, PRODUCTS[rnd.nextInt(PRODUCTS.length)], HoldingStatus.ACTIVE, t, 0);
            } else if (r < 0.04 && mayUndo && !heldAtStart.get(c).isEmpty()) {
                records.holding(c, heldAtStart.get(c).iterator().next(), HoldingStatus.CLOSED, t, 0);
            } else if (r < 0.05) {
                records.consent(c, null, false, t);
            } else if (r < 0.055 && mayUndo) {
                records.consent(c, null, true, t);
            }
        }
        for (int i = 0; i < Math.max(50, customers.size() / 20); i++) {
            records.holding(
                    customers.get(rnd.nextInt(customers.size())),
                    "SAVINGS-PLUS",
                    HoldingStatus.ACTIVE,
                    day + DAY_MS + (long) (rnd.nextDouble() * 2 * HOUR),
                    0);
        }
    }

    /**
     * OPEN_COMPLAINT: the cards team follows its cashback push with an upgrade offer to half its
     * recipients in the evening, complaints or not.
     */
    private void upgradeOfferToCashbackRecipients() {
        Map<String, List<TicketEvent>> ticketsBy = new HashMap<>();
        records.ticketEvents.forEach(e -> ticketsBy
                .computeIfAbsent(e.getCustomerId(), k -> new ArrayList<>())
                .add(e));
        SentimentScorer scorer = SentimentScorer.shared();
        for (CampaignSend cash : new ArrayList<>(records.sends)) {
            if (cash.getCampaignId().equals("C-CASH") && rnd.nextDouble() < 0.5) {
                long t = records.between(19, 21);
                CampaignSend s = records.send("C-UPGRADE", cash.getCustomerId(), Channel.EMAIL, t);
                if (GroundTruth.hasOpenComplaint(
                        ticketsBy.getOrDefault(cash.getCustomerId(), List.of()), t, config.misfire(), scorer)) {
                    planted.get(MisfireRule.OPEN_COMPLAINT).add(s.getSendId());
                }
            }
        }
    }

    /** About 1 % of sends are delivered twice by the producer: same send_id, never a misfire. */
    private int producerRedeliveries() {
        List<DemoWorld.Event> again = new ArrayList<>();
        for (DemoWorld.Event e : records.validSendEvents) {
            if (rnd.nextDouble() < 0.01) {
                again.add(new DemoWorld.Event(
                        e.eventTime(),
                        e.publishAt() + (long) (rnd.nextDouble() * 2 * MINUTE),
                        e.topic(),
                        e.key(),
                        e.value()));
            }
        }
        records.events.addAll(again);
        return again.size();
    }
}
