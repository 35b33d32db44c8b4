package io.campaignpulse.misfire;

import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.contract.Campaign;
import io.campaignpulse.contract.CampaignSend;
import io.campaignpulse.contract.Channel;
import io.campaignpulse.contract.HoldingStatus;
import io.campaignpulse.contract.Misfire;
import io.campaignpulse.contract.MisfireRule;
import io.campaignpulse.contract.OfferType;
import io.campaignpulse.contract.TicketStatus;
import io.campaignpulse.customer.state.ConsentFact;
import io.campaignpulse.customer.state.CustomerFacts;
import io.campaignpulse.customer.state.CustomerState;
import io.campaignpulse.customer.state.HoldingFact;
import io.campaignpulse.customer.state.RecentSend;
import io.campaignpulse.customer.state.TicketFact;
import java.io.Serializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The six misfire rules, judged for one send against the customer's state as of its sent_at.
 * Pure: no Flink, no clock. Windows are half-open: a look-back of 24 h from t covers (t-24h, t].
 */
public final class MisfireJudge implements Serializable {

    private final long duplicateWindowMs;
    private final long frequencyWindowMs;
    private final int frequencyCap;
    private final boolean consentDefaultOptedIn;
    private final double openComplaintScore;
    private final long openComplaintWindowMs;

    public MisfireJudge(PulseConfig.Misfire config) {
        this.openComplaintScore = config.openComplaintScore();
        this.openComplaintWindowMs = config.openComplaintWindow().toMillis();
        this.duplicateWindowMs = config.duplicateWindow().toMillis();
        this.frequencyWindowMs = config.frequencyWindow().toMillis();
        this.frequencyCap = config.frequencyCap();
        this.consentDefaultOptedIn = config.consentDefaultOptedIn();
    }

    /**
     * The send's offer type: its own when set and known, else its campaign's. A symbol this
     * version does not know (UNKNOWN) must never override the campaign's known type: it would
     * turn an acquisition offer into something no rule checks.
     */
    public static OfferType effectiveOfferType(CampaignSend send, Campaign campaign) {
        OfferType own = send.getOfferType();
        return own != null && own != OfferType.UNKNOWN ? own : campaign.getOfferType();
    }

    /** The send's offered product: its own when set, else its campaign's (may be null). */
    public static String effectiveProduct(CampaignSend send, Campaign campaign) {
        return send.getOfferProductId() != null ? send.getOfferProductId() : campaign.getOfferProductId();
    }

    public static boolean isPromotional(OfferType offerType) {
        return offerType != OfferType.SERVICE;
    }

    /**
     * @param state the customer as of the send's sent_at; recent_sends excludes the send itself
     * @return the verdict, with one Misfire per broken rule (possibly none)
     */
    public SendVerdict judge(CampaignSend send, Campaign campaign, CustomerState state, long judgedAt) {
        long t = send.getSentAt().toEpochMilli();
        OfferType offer = effectiveOfferType(send, campaign);
        String product = effectiveProduct(send, campaign);
        List<Misfire> misfires = new ArrayList<>(2);

        if (product != null && offer != OfferType.RETENTION && offer != OfferType.SERVICE) {
            HoldingFact held = state.getHoldings().get(product);
            if (held != null && held.getStatus() == HoldingStatus.ACTIVE) {
                misfires.add(misfire(
                        send,
                        MisfireRule.ALREADY_HOLDS_PRODUCT,
                        judgedAt,
                        "customer holds " + product + " (active since " + Instant.ofEpochMilli(held.getChangedAt())
                                + ")"));
            }
        }

        if (offer == OfferType.ACQUISITION) {
            // Sorted, so the example product named in the detail is deterministic.
            TreeMap<String, HoldingFact> active = new TreeMap<>();
            for (Map.Entry<String, HoldingFact> e : state.getHoldings().entrySet()) {
                if (e.getValue().getStatus() == HoldingStatus.ACTIVE) {
                    active.put(e.getKey(), e.getValue());
                }
            }
            if (!active.isEmpty()) {
                misfires.add(misfire(
                        send,
                        MisfireRule.ACQUISITION_TO_EXISTING_CUSTOMER,
                        judgedAt,
                        "acquisition offer to a customer with " + active.size() + " active product(s), e.g. "
                                + active.firstKey() + " since "
                                + Instant.ofEpochMilli(
                                        active.firstEntry().getValue().getChangedAt())));
            }
        }

        if (offer != OfferType.SERVICE) {
            String optedOut = optedOut(state, send.getChannel());
            if (optedOut != null) {
                misfires.add(misfire(send, MisfireRule.NO_CONSENT, judgedAt, optedOut));
            }
        }

        RecentSend duplicateOf = null;
        int promotionalInWindow = isPromotional(offer) ? 1 : 0;
        for (RecentSend r : state.getRecentSends()) {
            if (duplicateOf == null
                    && r.getCampaignId().equals(send.getCampaignId())
                    && r.getSentAt() > t - duplicateWindowMs) {
                duplicateOf = r;
            }
            if (r.getPromotional() && r.getSentAt() > t - frequencyWindowMs) {
                promotionalInWindow++;
            }
        }
        if (duplicateOf != null) {
            misfires.add(misfire(
                    send,
                    MisfireRule.DUPLICATE_SEND,
                    judgedAt,
                    "campaign already sent to this customer at " + Instant.ofEpochMilli(duplicateOf.getSentAt())
                            + " (send " + duplicateOf.getSendId() + ")"));
        }
        if (isPromotional(offer) && promotionalInWindow > frequencyCap) {
            misfires.add(misfire(
                    send,
                    MisfireRule.FREQUENCY_CAP,
                    judgedAt,
                    promotionalInWindow + " promotional sends in the " + (frequencyWindowMs / 3_600_000.0)
                            + " h up to this one (cap " + frequencyCap + ")"));
        }

        if (isPromotional(offer)) {
            String complaint = openComplaint(state, t);
            if (complaint != null) {
                misfires.add(misfire(send, MisfireRule.OPEN_COMPLAINT, judgedAt, complaint));
            }
        }

        return SendVerdict.newBuilder()
                .setSendId(send.getSendId())
                .setCampaignId(send.getCampaignId())
                .setCampaignName(campaign.getName())
                .setCampaignOwner(campaign.getOwner())
                .setCustomerId(send.getCustomerId())
                .setChannel(send.getChannel())
                .setOfferType(offer)
                .setOfferProductId(product)
                .setSentAt(t)
                .setMisfires(misfires)
                .build();
    }

    /**
     * @return the customer's angriest ticket that is OPEN or PENDING as of t, opened in
     *     (t - open-complaint-window, t], whose messages average at most open-complaint-score;
     *     null if there is none
     */
    String openComplaint(CustomerState state, long t) {
        String worstId = null;
        double worst = Double.MAX_VALUE;
        TicketFact worstFact = null;
        for (Map.Entry<String, TicketFact> e : state.getTickets().entrySet()) {
            TicketFact f = e.getValue();
            boolean open = f.getStatus() == TicketStatus.OPEN || f.getStatus() == TicketStatus.PENDING;
            if (!open
                    || f.getScoredMessages() == 0
                    || f.getOpenedAt() > t
                    || f.getOpenedAt() <= t - openComplaintWindowMs) {
                continue;
            }
            double mean = f.getScoreSum() / f.getScoredMessages();
            // Ties broken by ticket id, so the detail is deterministic.
            if (mean <= openComplaintScore
                    && (mean < worst || (mean == worst && e.getKey().compareTo(worstId) < 0))) {
                worst = mean;
                worstId = e.getKey();
                worstFact = f;
            }
        }
        if (worstId == null) {
            return null;
        }
        return String.format(
                Locale.ROOT,
                "ticket %s is %s since %s, sentiment %.2f (threshold %.2f)",
                worstId,
                worstFact.getStatus(),
                Instant.ofEpochMilli(worstFact.getOpenedAt()),
                worst,
                openComplaintScore);
    }

    /** @return why the customer has not consented to this channel, or null if they have. */
    String optedOut(CustomerState state, Channel channel) {
        ConsentFact specific = state.getConsent().get(channel.name());
        ConsentFact all = state.getConsent().get(CustomerFacts.ALL_CHANNELS);
        ConsentFact latest;
        String scope;
        // The latest change covering the channel wins; on a tie the channel's own one.
        if (specific != null && (all == null || specific.getChangedAt() >= all.getChangedAt())) {
            latest = specific;
            scope = channel.name();
        } else {
            latest = all;
            scope = "all channels";
        }
        if (latest == null) {
            return consentDefaultOptedIn
                    ? null
                    : "no consent record for " + channel + " (configured default: opted out)";
        }
        return latest.getOptedIn()
                ? null
                : "opted out of " + scope + " at " + Instant.ofEpochMilli(latest.getChangedAt());
    }

    private static Misfire misfire(CampaignSend send, MisfireRule rule, long judgedAt, String detail) {
        return Misfire.newBuilder()
                .setSendId(send.getSendId())
                .setCampaignId(send.getCampaignId())
                .setCustomerId(send.getCustomerId())
                .setRule(rule)
                .setDetail(detail)
                .setSentAt(send.getSentAt())
                .setDetectedAt(Instant.ofEpochMilli(judgedAt))
                .build();
    }
}
