package io.campaignpulse.attribution;

import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.contract.Review;
import io.campaignpulse.contract.TicketEvent;
import io.campaignpulse.contract.TicketStatus;
import io.campaignpulse.customer.state.CustomerState;
import io.campaignpulse.customer.state.TicketFact;
import io.campaignpulse.sentiment.SentimentScorer;
import java.io.Serializable;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * One ticket message or review of a customer: scored (its text, else the rating or CSAT standing
 * in), attributed to a campaign through the customer's recent sends, and, for a ticket, kept in
 * the customer's open tickets while OPEN or PENDING (the OPEN_COMPLAINT rule reads them). Pure: no
 * Flink; the scorer and the campaign names are passed in.
 */
public final class FeedbackHandler implements Serializable {

    private final Attribution attribution;
    private final long openComplaintWindowMs;

    public FeedbackHandler(PulseConfig config) {
        this.attribution = new Attribution(config.attribution());
        this.openComplaintWindowMs = config.misfire().openComplaintWindow().toMillis();
    }

    /**
     * @param state the customer as of {@code t}; its tickets are updated
     * @param feedback a {@link TicketEvent} or a {@link Review}
     * @param scorer scores a text in [-1, 1]
     * @param campaignName a campaign's name, or null if it is unknown
     */
    public AttributedFeedback handle(
            CustomerState state,
            Object feedback,
            long t,
            ToDoubleFunction<String> scorer,
            Function<String, String> campaignName) {
        AttributedFeedback.Builder out = AttributedFeedback.newBuilder()
                .setScorerVersion(SentimentScorer.VERSION)
                .setOccurredAt(t);
        Attribution.Attributed attributed;
        if (feedback instanceof TicketEvent ticket) {
            TicketFact fact = state.getTickets().get(ticket.getTicketId());
            boolean opens = fact == null;
            if (opens) {
                attributed = attribution.feedback(ticket.getCampaignId(), state.getRecentSends(), t);
                fact = new TicketFact(ticket.getStatus(), t, t, 0.0, 0, attributed.campaignId());
            } else {
                // A later message counts for the campaign the ticket was opened for, unless it names one.
                attributed = ticket.getCampaignId() != null
                        ? attribution.feedback(ticket.getCampaignId(), state.getRecentSends(), t)
                        : new Attribution.Attributed(
                                fact.getCampaignId(),
                                fact.getCampaignId() == null ? Attribution.By.NONE : Attribution.By.TICKET,
                                null,
                                null);
                if (t >= fact.getChangedAt()) {
                    fact.setStatus(ticket.getStatus());
                    fact.setChangedAt(t);
                }
            }
            out.setFeedbackId(ticket.getTicketId() + "@" + t)
                    .setKind("TICKET")
                    .setOpensTicket(opens)
                    .setCustomerId(ticket.getCustomerId())
                    .setCsat(ticket.getCsat());
            Double score = score(
                    SentimentScorer.textOf(ticket.getSubject(), ticket.getBody()),
                    ticket.getCsat(),
                    "CSAT",
                    scorer,
                    out);
            if (score != null) {
                fact.setScoreSum(fact.getScoreSum() + score);
                fact.setScoredMessages(fact.getScoredMessages() + 1);
            }
            if (fact.getStatus() == TicketStatus.OPEN || fact.getStatus() == TicketStatus.PENDING) {
                state.getTickets().put(ticket.getTicketId(), fact);
            } else {
                state.getTickets().remove(ticket.getTicketId());
            }
        } else {
            Review review = (Review) feedback;
            attributed = attribution.feedback(review.getCampaignId(), state.getRecentSends(), t);
            out.setFeedbackId(review.getReviewId())
                    .setKind("REVIEW")
                    .setOpensTicket(false)
                    .setCustomerId(review.getCustomerId())
                    .setRating(review.getRating());
            score(
                    SentimentScorer.textOf(review.getTitle(), review.getBody()),
                    review.getRating(),
                    "RATING",
                    scorer,
                    out);
        }
        // Tickets opened before the OPEN_COMPLAINT look-back can never count again.
        state.getTickets().values().removeIf(f -> f.getOpenedAt() <= t - openComplaintWindowMs);
        return out.setCampaignId(attributed.campaignId())
                .setCampaignName(attributed.campaignId() == null ? null : campaignName.apply(attributed.campaignId()))
                .setAttributedBy(attributed.by().name())
                .setAttributedSentAt(attributed.sentAt())
                .build();
    }

    /** The text's score, or the rating / CSAT standing in for an empty text; null with neither. */
    private static Double score(
            String text,
            Integer standIn,
            String standInSource,
            ToDoubleFunction<String> scorer,
            AttributedFeedback.Builder out) {
        Double score;
        if (text != null) {
            score = scorer.applyAsDouble(text);
            out.setScoreSource("TEXT");
        } else if (standIn != null) {
            score = SentimentScorer.fromFivePointScale(standIn);
            out.setScoreSource(standInSource);
        } else {
            score = null;
            out.setScoreSource("NONE");
        }
        out.setScore(score);
        return score;
    }
}
