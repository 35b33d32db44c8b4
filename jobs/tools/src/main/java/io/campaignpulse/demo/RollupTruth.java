package io.campaignpulse.demo;

import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.contract.Campaign;
import io.campaignpulse.contract.CampaignSend;
import io.campaignpulse.contract.HoldingChange;
import io.campaignpulse.contract.HoldingStatus;
import io.campaignpulse.contract.MisfireRule;
import io.campaignpulse.contract.Review;
import io.campaignpulse.contract.TicketEvent;
import io.campaignpulse.sentiment.SentimentScorer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** What the campaign roll-ups must say for a window of generated days, by brute force. */
public final class RollupTruth {

    private final long start;
    private final long end;
    private final long attributionMs;
    private final long conversionMs;
    private final SentimentScorer scorer = SentimentScorer.shared();
    private final Map<String, Campaign> campaigns = new HashMap<>();
    /** Every send a customer received, judged or not (a dead-lettered send still reached them). */
    private final Map<String, List<CampaignSend>> receivedBy = new HashMap<>();

    private final Map<String, Tally> tallies = new TreeMap<>();

    /** One campaign's counts in the window. */
    private static final class Tally {
        long sends;
        long misfires;
        final Map<MisfireRule, Long> misfiresByRule = new EnumMap<>(MisfireRule.class);
        long conversions;
        long feedback;
        long tickets;
        long reviews;
        long scored;
        long negative;
        double scoreSum;

        ExpectedStats stats() {
            return new ExpectedStats(
                    sends,
                    misfires,
                    misfiresByRule,
                    conversions,
                    feedback,
                    tickets,
                    reviews,
                    scored == 0 ? null : scoreSum / scored,
                    scored == 0 ? null : (double) negative / scored);
        }
    }

    private RollupTruth(List<DemoWorld> days, long start, long end) {
        PulseConfig config = days.get(0).config;
        this.start = start;
        this.end = end;
        this.attributionMs = config.attribution().window().toMillis();
        this.conversionMs = config.attribution().conversionWindow().toMillis();
        for (DemoWorld d : days) {
            campaigns.putAll(d.campaigns);
            for (List<CampaignSend> sends : List.of(d.sends, d.ghostSends)) {
                sends.forEach(x -> receivedBy
                        .computeIfAbsent(x.getCustomerId(), k -> new ArrayList<>())
                        .add(x));
            }
        }
    }

    /**
     * The roll-ups for the window [start, end) by brute force: every send, feedback item and
     * conversion attributed by scanning the whole history (not the streaming state), keyed by
     * campaign id, plus "*" for the baseline of everything in the window.
     */
    public static Map<String, ExpectedStats> forWindow(List<DemoWorld> days, long start, long end) {
        RollupTruth truth = new RollupTruth(days, start, end);
        Map<String, Set<MisfireRule>> misfires = GroundTruth.misfires(days);
        List<TicketEvent> ticketEvents = new ArrayList<>();
        for (DemoWorld d : days) {
            truth.sends(d.sends, misfires);
            truth.conversions(d.holdings);
            ticketEvents.addAll(d.ticketEvents);
        }
        truth.tickets(ticketEvents);
        days.forEach(d -> truth.reviews(d.reviewList));
        Map<String, ExpectedStats> out = new TreeMap<>();
        truth.tallies.forEach((key, tally) -> out.put(key, tally.stats()));
        return out;
    }

    private boolean inWindow(long t) {
        return t >= start && t < end;
    }

    /** The campaign's tally and the baseline's; feedback attributed to no campaign counts in the baseline only. */
    private List<Tally> talliesOf(String campaign) {
        Tally all = tallies.computeIfAbsent("*", k -> new Tally());
        return campaign == null ? List.of(all) : List.of(tallies.computeIfAbsent(campaign, k -> new Tally()), all);
    }

    private void sends(List<CampaignSend> judged, Map<String, Set<MisfireRule>> misfires) {
        for (CampaignSend x : judged) {
            if (!inWindow(x.getSentAt().toEpochMilli())) {
                continue;
            }
            Set<MisfireRule> rules = misfires.getOrDefault(x.getSendId(), Set.of());
            for (Tally tally : talliesOf(x.getCampaignId())) {
                tally.sends++;
                tally.misfires += rules.size();
            }
            // By rule for the campaign only, as the roll-up table has it.
            rules.forEach(
                    r -> talliesOf(x.getCampaignId()).get(0).misfiresByRule.merge(r, 1L, Long::sum));
        }
    }

    /** A product opened within the conversion window after a send that offered it: the latest such send converted. */
    private void conversions(List<HoldingChange> holdings) {
        for (HoldingChange h : holdings) {
            long t = h.getChangedAt().toEpochMilli();
            if (h.getStatus() != HoldingStatus.ACTIVE || !inWindow(t)) {
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
                talliesOf(offered.getCampaignId()).forEach(tally -> tally.conversions++);
            }
        }
    }

    /** Tickets are attributed when opened; later messages count for the ticket's campaign. */
    private void tickets(List<TicketEvent> ticketEvents) {
        List<TicketEvent> inOrder = new ArrayList<>(ticketEvents);
        inOrder.sort(Comparator.comparing(TicketEvent::getOccurredAt));
        Map<String, String> ticketCampaign = new HashMap<>();
        for (TicketEvent e : inOrder) {
            long t = e.getOccurredAt().toEpochMilli();
            boolean opens = !ticketCampaign.containsKey(e.getTicketId());
            String campaign = e.getCampaignId() != null
                    ? e.getCampaignId()
                    : opens ? lastSendBefore(e.getCustomerId(), t) : ticketCampaign.get(e.getTicketId());
            if (opens) {
                ticketCampaign.put(e.getTicketId(), campaign);
            }
            if (inWindow(t)) {
                feedback(campaign, opens, false, GroundTruth.scoreOf(scorer, e.getSubject(), e.getBody(), e.getCsat()));
            }
        }
    }

    private void reviews(List<Review> reviews) {
        for (Review r : reviews) {
            long t = r.getOccurredAt().toEpochMilli();
            if (inWindow(t)) {
                String campaign = r.getCampaignId() != null ? r.getCampaignId() : lastSendBefore(r.getCustomerId(), t);
                feedback(campaign, false, true, GroundTruth.scoreOf(scorer, r.getTitle(), r.getBody(), r.getRating()));
            }
        }
    }

    private void feedback(String campaign, boolean opensTicket, boolean review, Double score) {
        for (Tally tally : talliesOf(campaign)) {
            tally.feedback++;
            tally.tickets += opensTicket ? 1 : 0;
            tally.reviews += review ? 1 : 0;
            if (score != null) {
                tally.scored++;
                tally.negative += score <= -SentimentScorer.NEUTRAL_BAND ? 1 : 0;
                tally.scoreSum += score;
            }
        }
    }

    /** Last-touch attribution by brute force: the latest send strictly before t (sends at t are judged after feedback at t) within the window. */
    private String lastSendBefore(String customer, long t) {
        CampaignSend latest = null;
        for (CampaignSend x : receivedBy.getOrDefault(customer, List.of())) {
            long sent = x.getSentAt().toEpochMilli();
            if (sent < t
                    && sent > t - attributionMs
                    && (latest == null
                            || sent > latest.getSentAt().toEpochMilli()
                            || (sent == latest.getSentAt().toEpochMilli()
                                    && x.getSendId().compareTo(latest.getSendId()) > 0))) {
                latest = x;
            }
        }
        return latest == null ? null : latest.getCampaignId();
    }
}
