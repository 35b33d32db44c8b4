package io.campaignpulse.ingest;

import io.campaignpulse.contract.Campaign;
import io.campaignpulse.contract.CampaignSend;
import io.campaignpulse.contract.Channel;
import io.campaignpulse.contract.ConsentChange;
import io.campaignpulse.contract.ControlMessage;
import io.campaignpulse.contract.ControlScope;
import io.campaignpulse.contract.DeadLetterReason;
import io.campaignpulse.contract.HoldingChange;
import io.campaignpulse.contract.HoldingStatus;
import io.campaignpulse.contract.OfferType;
import io.campaignpulse.contract.Review;
import io.campaignpulse.contract.TicketEvent;
import io.campaignpulse.contract.TicketStatus;

/**
 * The rules a decoded record must meet beyond its Avro schema: ids present, and enum fields the
 * rules depend on known. Unknown enum symbols decode to UNKNOWN (the schemas' default), which is
 * fine where the value is informational and a contract breach where a rule needs it.
 */
final class ContractCheck {

    /** A broken contract: why, and a description that never includes the record's values. */
    record Violation(DeadLetterReason reason, String detail) {}

    private ContractCheck() {}

    /** @return the violation, or null when the record meets the contract. */
    static Violation check(Object record) {
        if (record instanceof CampaignSend s) {
            return firstOf(
                    required("send_id", s.getSendId()),
                    required("campaign_id", s.getCampaignId()),
                    required("customer_id", s.getCustomerId()),
                    known("channel", s.getChannel() == Channel.UNKNOWN));
        }
        if (record instanceof HoldingChange h) {
            return firstOf(
                    required("customer_id", h.getCustomerId()),
                    required("product_id", h.getProductId()),
                    known("status", h.getStatus() == HoldingStatus.UNKNOWN));
        }
        if (record instanceof ConsentChange c) {
            return firstOf(
                    required("customer_id", c.getCustomerId()), known("channel", c.getChannel() == Channel.UNKNOWN));
        }
        if (record instanceof Campaign c) {
            // Every rule depends on the offer type: a campaign whose type this version does not know
            // cannot be judged, and its sends are dead-lettered as UNKNOWN_CAMPAIGN, never judged blind.
            return firstOf(
                    required("campaign_id", c.getCampaignId()),
                    required("name", c.getName()),
                    known("offer_type", c.getOfferType() == OfferType.UNKNOWN));
        }
        if (record instanceof TicketEvent t) {
            return firstOf(
                    required("ticket_id", t.getTicketId()),
                    required("customer_id", t.getCustomerId()),
                    known("status", t.getStatus() == TicketStatus.UNKNOWN),
                    range("csat", t.getCsat()));
        }
        if (record instanceof Review r) {
            return firstOf(required("review_id", r.getReviewId()), range("rating", r.getRating()));
        }
        if (record instanceof ControlMessage m) {
            return firstOf(
                    required("control_id", m.getControlId()),
                    required("author", m.getAuthor()),
                    known("scope", m.getScope() == ControlScope.UNKNOWN));
        }
        return new Violation(DeadLetterReason.DECODE_ERROR, "unexpected record type");
    }

    private static Violation required(String field, String value) {
        return value == null || value.isBlank()
                ? new Violation(DeadLetterReason.MISSING_FIELD, field + " is missing or empty")
                : null;
    }

    private static Violation known(String field, boolean unknown) {
        return unknown
                ? new Violation(DeadLetterReason.UNKNOWN_ENUM, field + " has a symbol this version does not know")
                : null;
    }

    private static Violation range(String field, Integer value) {
        return value != null && (value < 1 || value > 5)
                ? new Violation(DeadLetterReason.INVALID_VALUE, field + " must be 1-5, was " + value)
                : null;
    }

    private static Violation firstOf(Violation... candidates) {
        for (Violation v : candidates) {
            if (v != null) {
                return v;
            }
        }
        return null;
    }
}
