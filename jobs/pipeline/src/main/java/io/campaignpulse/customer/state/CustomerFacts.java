package io.campaignpulse.customer.state;

import io.campaignpulse.contract.ConsentChange;
import io.campaignpulse.contract.HoldingChange;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

/** What the customer state learns from a holding or consent change, and what it forgets. Pure: no Flink. */
public final class CustomerFacts {

    /** The consent map's key for a change that covers all channels. */
    public static final String ALL_CHANNELS = "*";

    private CustomerFacts() {}

    public static CustomerState empty() {
        return new CustomerState(new HashMap<>(), new HashMap<>(), new ArrayList<>(), new HashMap<>(), new HashMap<>());
    }

    public static CustomerState orEmpty(CustomerState state) {
        return state != null ? state : empty();
    }

    /** Nothing worth keeping: an anonymous review, a customer whose only ticket closed. */
    public static boolean isEmpty(CustomerState state) {
        return state.getHoldings().isEmpty()
                && state.getConsent().isEmpty()
                && state.getRecentSends().isEmpty()
                && state.getTickets().isEmpty()
                && state.getSuppressions().isEmpty();
    }

    /** Applies a holding or consent change if it is newer than what is known; returns whether it was. */
    public static boolean apply(CustomerState state, Object change) {
        if (change instanceof HoldingChange h) {
            long at = h.getChangedAt().toEpochMilli();
            HoldingFact known = state.getHoldings().get(h.getProductId());
            if (known != null && known.getChangedAt() > at) {
                return false;
            }
            state.getHoldings().put(h.getProductId(), new HoldingFact(h.getStatus(), at));
            return true;
        }
        if (change instanceof ConsentChange c) {
            long at = c.getChangedAt().toEpochMilli();
            String key = c.getChannel() == null ? ALL_CHANNELS : c.getChannel().name();
            ConsentFact known = state.getConsent().get(key);
            if (known != null && known.getChangedAt() > at) {
                return false;
            }
            state.getConsent().put(key, new ConsentFact(c.getOptedIn(), at));
            return true;
        }
        return false;
    }

    /** Whether a send with this id was already judged for the customer (the producer sent it again). */
    public static boolean wasSent(CustomerState state, String sendId) {
        for (RecentSend r : state.getRecentSends()) {
            if (r.getSendId().equals(sendId)) {
                return true;
            }
        }
        return false;
    }

    /** Forgets the sends at or before the cutoff: no rule, attribution or conversion looks back that far. */
    public static void forgetSendsBefore(CustomerState state, long cutoffInclusive) {
        if (state.getRecentSends().isEmpty() || state.getRecentSends().get(0).getSentAt() > cutoffInclusive) {
            return;
        }
        // A new list: Avro deserializes arrays as GenericData.Array, whose iterator cannot remove.
        List<RecentSend> kept = new ArrayList<>(state.getRecentSends().size());
        for (RecentSend r : state.getRecentSends()) {
            if (r.getSentAt() > cutoffInclusive) {
                kept.add(r);
            }
        }
        state.setRecentSends(kept);
    }
}
