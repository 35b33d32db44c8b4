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
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * The rules a decoded record must meet beyond its Avro schema: ids present, and enum fields the
 * rules depend on known. Unknown enum symbols decode to UNKNOWN (the schemas' default), which is
 * fine where the value is informational and a contract breach where a rule needs it.
 */
final class ContractCheck {

    /** A broken contract: why, and a description that never includes the record's values. */
    record Violation(DeadLetterReason reason, String detail) {}

    /** Ids, names, products, channels: what is kept per customer and used as keys. */
    static final int MAX_ID_CHARS = 256;
    /** Ticket and review texts, details. */
    static final int MAX_TEXT_CHARS = 32 * 1024;

    private static final Instant EARLIEST_STORABLE = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant LATEST_STORABLE = Instant.parse("9999-12-31T23:59:59Z");

    private ContractCheck() {}

    /** @return the violation, or null when the record meets the contract. */
    static Violation check(Object record) {
        Violation v = checkFields(record);
        return v != null || !(record instanceof SpecificRecord r) ? v : storable(r);
    }

    /**
     * What every field of every record must be for the outputs to hold it: text without NUL
     * characters (PostgreSQL refuses them, and the JDBC sink would fail the job on the record
     * forever), of a bounded length (no megabyte product id in per-customer state), and instants
     * within years 1 to 9999.
     */
    static Violation storable(SpecificRecord record) {
        for (Schema.Field f : record.getSchema().getFields()) {
            Violation v = storable(f.name(), record.get(f.pos()));
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    private static Violation storable(String field, Object value) {
        if (value instanceof CharSequence text) {
            int limit = field.endsWith("_id") || field.equals("name") || field.equals("channel")
                    ? MAX_ID_CHARS
                    : MAX_TEXT_CHARS;
            if (text.length() > limit) {
                return new Violation(
                        DeadLetterReason.INVALID_VALUE,
                        field + " is " + text.length() + " characters, over the limit of " + limit);
            }
            for (int i = 0; i < text.length(); i++) {
                if (text.charAt(i) == 0) {
                    return new Violation(
                            DeadLetterReason.INVALID_VALUE,
                            field + " contains a NUL character, which PostgreSQL cannot store");
                }
            }
        } else if (value instanceof Instant t && (t.isBefore(EARLIEST_STORABLE) || t.isAfter(LATEST_STORABLE))) {
            return new Violation(DeadLetterReason.INVALID_TIMESTAMP, field + " is outside the years 1 to 9999");
        } else if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                Violation v = firstOf(storable(field, e.getKey()), storable(field, e.getValue()));
                if (v != null) {
                    return v;
                }
            }
        } else if (value instanceof List<?> list) {
            for (Object item : list) {
                Violation v = storable(field, item);
                if (v != null) {
                    return v;
                }
            }
        }
        return null;
    }

    private static Violation checkFields(Object record) {
        if (record instanceof CampaignSend s) {
            return firstOf(
                    required("send_id", s.getSendId()),
                    required("campaign_id", s.getCampaignId()),
                    required("customer_id", s.getCustomerId()),
                    known("channel", s.getChannel() == Channel.UNKNOWN),
                    // A send's own offer type overrides its campaign's: one this version does not know
                    // must neither override it (as UNKNOWN) nor be replaced by it (the producer said
                    // this send differs), so the send is not judged.
                    known("offer_type", s.getOfferType() == OfferType.UNKNOWN));
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
