package io.campaignpulse.demo;

import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.contract.Campaign;
import io.campaignpulse.contract.CampaignSend;
import io.campaignpulse.contract.Channel;
import io.campaignpulse.contract.ConsentChange;
import io.campaignpulse.contract.HoldingChange;
import io.campaignpulse.contract.HoldingStatus;
import io.campaignpulse.contract.MisfireRule;
import io.campaignpulse.contract.OfferType;
import io.campaignpulse.contract.TicketEvent;
import io.campaignpulse.contract.TicketStatus;
import io.campaignpulse.misfire.SuppressionList;
import io.campaignpulse.sentiment.SentimentScorer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The ground truth of generated days, by brute force: every fact looked up as of each send's
 * sent_at by scanning the whole history, a different algorithm from the streaming detector. So
 * accidental misfires (a customer who opts out an hour before a send) are expected too; the
 * planted ones are a subset. The roll-ups' truth is {@link RollupTruth}.
 */
public final class GroundTruth {

    private final PulseConfig.Misfire m;
    private final SentimentScorer scorer = SentimentScorer.shared();
    private final Map<String, Campaign> campaigns = new HashMap<>();
    /** The valid sends, in the order they were written. */
    private final List<CampaignSend> judged = new ArrayList<>();
    // Each customer's history, scanned whole for every question.
    private final Map<String, List<HoldingChange>> holdingsBy = new HashMap<>();
    private final Map<String, List<ConsentChange>> consentBy = new HashMap<>();
    private final Map<String, List<TicketEvent>> ticketsBy = new HashMap<>();
    /** Every send a customer received: sends of a campaign that never arrives are dead-lettered, not judged, but they count toward the frequency cap as promotional (their offer is unknown). */
    private final Map<String, List<CampaignSend>> receivedBy = new HashMap<>();
    /** When each customer's facts or feedback changed, for the suppression walk. */
    private final Map<String, TreeSet<Long>> changeTimes = new HashMap<>();

    private GroundTruth(List<DemoWorld> days) {
        this.m = days.get(0).config.misfire();
        for (DemoWorld d : days) {
            campaigns.putAll(d.campaigns);
            judged.addAll(d.sends);
            d.holdings.forEach(h -> index(holdingsBy, h.getCustomerId(), h, h.getChangedAt()));
            d.consents.forEach(c -> index(consentBy, c.getCustomerId(), c, c.getChangedAt()));
            d.ticketEvents.forEach(e -> index(ticketsBy, e.getCustomerId(), e, e.getOccurredAt()));
            d.reviewList.stream()
                    .filter(r -> r.getCustomerId() != null)
                    .forEach(r -> changed(r.getCustomerId(), r.getOccurredAt()));
        }
        for (DemoWorld d : days) {
            d.sends.forEach(x -> receivedBy
                    .computeIfAbsent(x.getCustomerId(), k -> new ArrayList<>())
                    .add(x));
        }
        for (DemoWorld d : days) {
            d.ghostSends.forEach(x -> receivedBy
                    .computeIfAbsent(x.getCustomerId(), k -> new ArrayList<>())
                    .add(x));
        }
    }

    private <T> void index(Map<String, List<T>> by, String customer, T record, Instant at) {
        by.computeIfAbsent(customer, k -> new ArrayList<>()).add(record);
        changed(customer, at);
    }

    private void changed(String customer, Instant at) {
        changeTimes.computeIfAbsent(customer, k -> new TreeSet<>()).add(at.toEpochMilli());
    }

    /**
     * Brute force over the whole day: for every valid send, look up each fact as of its
     * sent_at by scanning all changes. Rule semantics as documented in the README. Over
     * consecutive days played into one job, state carries over.
     */
    public static Map<String, Set<MisfireRule>> misfires(List<DemoWorld> days) {
        return new GroundTruth(days).misfires();
    }

    private Map<String, Set<MisfireRule>> misfires() {
        Map<String, Set<MisfireRule>> expected = new TreeMap<>();
        for (CampaignSend s : judged) {
            Set<MisfireRule> rules = new HashSet<>();
            factRules(s, rules);
            historyRules(s, rules);
            if (!rules.isEmpty()) {
                expected.put(s.getSendId(), rules);
            }
        }
        return expected;
    }

    private OfferType offerOf(CampaignSend s) {
        Campaign c = campaigns.get(s.getCampaignId());
        return s.getOfferType() != null ? s.getOfferType() : c != null ? c.getOfferType() : null;
    }

    private String productOf(CampaignSend s) {
        Campaign c = campaigns.get(s.getCampaignId());
        return s.getOfferProductId() != null ? s.getOfferProductId() : c.getOfferProductId();
    }

    /** The rules on the customer's facts as of the send: holdings, consent, open complaints. */
    private void factRules(CampaignSend s, Set<MisfireRule> rules) {
        long t = s.getSentAt().toEpochMilli();
        OfferType offer = offerOf(s);
        String product = productOf(s);
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
        if (offer != OfferType.SERVICE
                && hasOpenComplaint(ticketsBy.getOrDefault(s.getCustomerId(), List.of()), t, m, scorer)) {
            rules.add(MisfireRule.OPEN_COMPLAINT);
        }
    }

    /** The rules on what the customer received before (in judging order: sent_at, then send_id). */
    private void historyRules(CampaignSend s, Set<MisfireRule> rules) {
        Comparator<CampaignSend> judgedOrder =
                Comparator.comparing((CampaignSend x) -> x.getSentAt()).thenComparing(CampaignSend::getSendId);
        long t = s.getSentAt().toEpochMilli();
        OfferType offer = offerOf(s);
        int promotional = offer != OfferType.SERVICE ? 1 : 0;
        for (CampaignSend other : receivedBy.get(s.getCustomerId())) {
            long o = other.getSentAt().toEpochMilli();
            if (other == s || judgedOrder.compare(other, s) > 0) {
                continue;
            }
            if (other.getCampaignId().equals(s.getCampaignId())
                    && o > t - m.duplicateWindow().toMillis()) {
                rules.add(MisfireRule.DUPLICATE_SEND);
            }
            if (offerOf(other) != OfferType.SERVICE
                    && o > t - m.frequencyWindow().toMillis()) {
                promotional++;
            }
        }
        if (offer != OfferType.SERVICE && promotional > m.frequencyCap()) {
            rules.add(MisfireRule.FREQUENCY_CAP);
        }
    }

    /**
     * The suppression list at the end of the data, by brute force: for every (campaign, customer,
     * preventable rule) with an expected misfire, whether its entry is still active. Walks each
     * customer's history in event-time order as the job does (changes and feedback before sends
     * at equal times): a misfire opens the entry if it is not active; any change or feedback after
     * which the reason no longer holds retracts it. Keyed campaign_id/customer_id/rule.
     */
    public static Map<String, Boolean> suppressions(List<DemoWorld> days) {
        GroundTruth truth = new GroundTruth(days);
        Map<String, Set<MisfireRule>> expected = truth.misfires();
        Map<String, List<CampaignSend>> misfiredBy = new HashMap<>();
        truth.judged.stream()
                .filter(x -> expected.containsKey(x.getSendId()))
                .forEach(x -> misfiredBy
                        .computeIfAbsent(x.getCustomerId(), k -> new ArrayList<>())
                        .add(x));
        Map<String, Boolean> out = new TreeMap<>();
        misfiredBy.forEach((customer, misfired) -> out.putAll(truth.suppressionsOf(customer, misfired, expected)));
        return out;
    }

    private Map<String, Boolean> suppressionsOf(
            String customer, List<CampaignSend> misfired, Map<String, Set<MisfireRule>> expected) {
        // Events in the job's order: at one instant, changes and feedback first, then sends by send_id.
        TreeMap<Long, List<CampaignSend>> sendsAt = new TreeMap<>();
        misfired.forEach(x -> sendsAt.computeIfAbsent(x.getSentAt().toEpochMilli(), k -> new ArrayList<>())
                .add(x));
        TreeSet<Long> changes = changeTimes.getOrDefault(customer, new TreeSet<>());
        TreeSet<Long> instants = new TreeSet<>(sendsAt.keySet());
        instants.addAll(changes);
        Map<String, Boolean> active = new TreeMap<>();
        Map<String, String> basis = new HashMap<>();
        for (long t : instants) {
            if (changes.contains(t)) {
                for (Map.Entry<String, Boolean> e : active.entrySet()) {
                    MisfireRule rule =
                            MisfireRule.valueOf(e.getKey().substring(e.getKey().lastIndexOf('/') + 1));
                    if (e.getValue() && !stillApplies(rule, basis.get(e.getKey()), customer, t)) {
                        e.setValue(false);
                    }
                }
            }
            List<CampaignSend> at = new ArrayList<>(sendsAt.getOrDefault(t, List.of()));
            at.sort(Comparator.comparing(CampaignSend::getSendId));
            for (CampaignSend x : at) {
                for (MisfireRule rule : expected.get(x.getSendId())) {
                    String key = x.getCampaignId() + "/" + customer + "/" + rule;
                    if (SuppressionList.preventable(rule) && !Boolean.TRUE.equals(active.get(key))) {
                        active.put(key, true);
                        basis.put(
                                key,
                                rule == MisfireRule.ALREADY_HOLDS_PRODUCT
                                        ? productOf(x)
                                        : rule == MisfireRule.NO_CONSENT
                                                ? x.getChannel().name()
                                                : null);
                    }
                }
            }
        }
        return active;
    }

    private boolean stillApplies(MisfireRule rule, String basis, String customer, long t) {
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
    static boolean hasOpenComplaint(
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

    static Double scoreOf(SentimentScorer scorer, String heading, String body, Integer standIn) {
        String text = SentimentScorer.textOf(heading, body);
        return text != null
                ? Double.valueOf(scorer.score(text))
                : standIn != null ? Double.valueOf(SentimentScorer.fromFivePointScale(standIn)) : null;
    }

    /** An alert incident the pipeline must raise: campaign, rule and the start of the window that opens it. */
    public record ExpectedAlert(String campaignId, MisfireRule rule, Instant windowStart) {}

    /**
     * The MISFIRE_RATE incidents that the expected misfires must raise: the windows that reach the
     * configured thresholds, merged per campaign and rule while each next window ends within
     * alerting.resolve-after of the previous one.
     */
    public static Set<ExpectedAlert> alerts(DemoWorld world, Map<String, Set<MisfireRule>> expected) {
        PulseConfig.Alerting a = world.config.alerting();
        long window = a.window().toMillis();
        Map<String, Integer> sendsPerWindow = new HashMap<>();
        Map<ExpectedAlert, Integer> misfiresPerWindow = new HashMap<>();
        for (CampaignSend s : world.sends) {
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
}
