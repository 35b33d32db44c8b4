package io.campaignpulse.ingest;

import io.campaignpulse.contract.Campaign;
import io.campaignpulse.contract.CampaignSend;
import io.campaignpulse.contract.ConsentChange;
import io.campaignpulse.contract.ControlMessage;
import io.campaignpulse.contract.HoldingChange;
import io.campaignpulse.contract.Review;
import io.campaignpulse.contract.TicketEvent;

/** The event time of each record of the contract. */
public final class EventTimes {

    private EventTimes() {}

    /** @return the event time in epoch millis; Long.MIN_VALUE for dead letters, which have none. */
    public static long of(Envelope envelope) {
        return ofRecord(envelope.getPayload());
    }

    /** @return the event time of a contract record in epoch millis; Long.MIN_VALUE for anything else. */
    public static long ofRecord(Object p) {
        if (p instanceof CampaignSend s) {
            return s.getSentAt().toEpochMilli();
        }
        if (p instanceof HoldingChange h) {
            return h.getChangedAt().toEpochMilli();
        }
        if (p instanceof ConsentChange c) {
            return c.getChangedAt().toEpochMilli();
        }
        if (p instanceof TicketEvent t) {
            return t.getOccurredAt().toEpochMilli();
        }
        if (p instanceof Review r) {
            return r.getOccurredAt().toEpochMilli();
        }
        if (p instanceof Campaign c) {
            return c.getUpdatedAt().toEpochMilli();
        }
        if (p instanceof ControlMessage m) {
            return m.getIssuedAt().toEpochMilli();
        }
        return Long.MIN_VALUE;
    }

    /** The customer an envelope belongs to, for keying; null for records without one. */
    public static String customerOf(Envelope envelope) {
        Object p = envelope.getPayload();
        if (p instanceof CampaignSend s) {
            return s.getCustomerId();
        }
        if (p instanceof HoldingChange h) {
            return h.getCustomerId();
        }
        if (p instanceof ConsentChange c) {
            return c.getCustomerId();
        }
        if (p instanceof TicketEvent t) {
            return t.getCustomerId();
        }
        if (p instanceof Review r) {
            // An anonymous review (an app-store import) has no customer to attribute through;
            // keyed by its own id, so anonymous reviews spread over the cluster.
            return r.getCustomerId() != null && !r.getCustomerId().isBlank()
                    ? r.getCustomerId()
                    : "review:" + r.getReviewId();
        }
        return null;
    }
}
