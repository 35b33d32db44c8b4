package io.campaignpulse.misfire;

import io.campaignpulse.contract.Channel;
import io.campaignpulse.contract.HoldingStatus;
import io.campaignpulse.contract.Misfire;
import io.campaignpulse.contract.MisfireRule;
import io.campaignpulse.contract.Suppression;
import io.campaignpulse.customer.state.CustomerState;
import io.campaignpulse.customer.state.HoldingFact;
import io.campaignpulse.customer.state.SuppressionFact;
import java.io.Serializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The live suppression list, per customer: a misfire that a sending tool could have prevented
 * (the customer holds the product, an acquisition offer to an existing customer, no consent, an
 * open angry complaint) opens an entry for its (campaign, reason); the entry is retracted as soon
 * as the reason no longer applies (the product closed, no active product left, consent given
 * back, the complaint closed or no longer angry). Entries live in the customer's state, so a
 * retraction costs nothing but a look at the customer's few active entries. Pure: no Flink.
 */
public final class SuppressionList implements Serializable {

    private final MisfireJudge judge;

    public SuppressionList(MisfireJudge judge) {
        this.judge = judge;
    }

    /** Whether a sender could have prevented a misfire of this rule by leaving the customer out. */
    public static boolean preventable(MisfireRule rule) {
        return rule == MisfireRule.ALREADY_HOLDS_PRODUCT
                || rule == MisfireRule.ACQUISITION_TO_EXISTING_CUSTOMER
                || rule == MisfireRule.NO_CONSENT
                || rule == MisfireRule.OPEN_COMPLAINT;
    }

    /** Opens an entry for each preventable misfire of the verdict that has none yet; returns the new entries. */
    public List<Suppression> open(SendVerdict verdict, CustomerState state) {
        List<Suppression> opened = new ArrayList<>(0);
        for (Misfire m : verdict.getMisfires()) {
            if (!preventable(m.getRule())) {
                continue;
            }
            String key = verdict.getCampaignId() + "|" + m.getRule();
            if (state.getSuppressions().containsKey(key)) {
                continue;
            }
            String basis = switch (m.getRule()) {
                case ALREADY_HOLDS_PRODUCT -> verdict.getOfferProductId();
                case NO_CONSENT -> verdict.getChannel().name();
                default -> null;
            };
            long since = verdict.getSentAt();
            state.getSuppressions()
                    .put(key, new SuppressionFact(verdict.getCampaignId(), m.getRule(), since, m.getSendId(), basis));
            opened.add(entry(
                    verdict.getCustomerId(),
                    verdict.getCampaignId(),
                    m.getRule(),
                    true,
                    since,
                    m.getSendId(),
                    since,
                    m.getDetail()));
        }
        return opened;
    }

    /** Retracts every entry whose reason no longer holds in the state as of {@code t}; returns the retractions. */
    public List<Suppression> retract(String customerId, CustomerState state, long t) {
        if (state.getSuppressions().isEmpty()) {
            return List.of();
        }
        List<Suppression> retracted = new ArrayList<>(0);
        Iterator<Map.Entry<String, SuppressionFact>> it =
                state.getSuppressions().entrySet().iterator();
        while (it.hasNext()) {
            SuppressionFact f = it.next().getValue();
            String ended = ended(f, state, t);
            if (ended != null) {
                it.remove();
                retracted.add(entry(
                        customerId, f.getCampaignId(), f.getReason(), false, f.getSince(), f.getSendId(), t, ended));
            }
        }
        return retracted;
    }

    /** @return what ended the entry's reason, or null if it still applies */
    private String ended(SuppressionFact f, CustomerState state, long t) {
        switch (f.getReason()) {
            case ALREADY_HOLDS_PRODUCT -> {
                HoldingFact h =
                        f.getBasis() == null ? null : state.getHoldings().get(f.getBasis());
                return h != null && h.getStatus() == HoldingStatus.ACTIVE
                        ? null
                        : "the customer no longer holds " + f.getBasis()
                                + (h == null
                                        ? ""
                                        : " (" + h.getStatus() + " at " + Instant.ofEpochMilli(h.getChangedAt()) + ")");
            }
            case ACQUISITION_TO_EXISTING_CUSTOMER -> {
                boolean holdsAny =
                        state.getHoldings().values().stream().anyMatch(h -> h.getStatus() == HoldingStatus.ACTIVE);
                return holdsAny ? null : "the customer no longer holds any active product";
            }
            case NO_CONSENT -> {
                String why = judge.optedOut(state, Channel.valueOf(f.getBasis()));
                return why == null ? "the customer consented to " + f.getBasis() + " again" : null;
            }
            case OPEN_COMPLAINT -> {
                return judge.openComplaint(state, t) == null ? "the customer has no open angry ticket any more" : null;
            }
            default -> {
                return "rule " + f.getReason() + " is not suppressed";
            }
        }
    }

    private static Suppression entry(
            String customerId,
            String campaignId,
            MisfireRule reason,
            boolean active,
            long since,
            String sendId,
            long changedAt,
            String detail) {
        return Suppression.newBuilder()
                .setCampaignId(campaignId)
                .setCustomerId(customerId)
                .setReason(reason)
                .setActive(active)
                .setSince(Instant.ofEpochMilli(since))
                .setSendId(sendId)
                .setChangedAt(Instant.ofEpochMilli(changedAt))
                .setDetail(detail)
                .build();
    }
}
