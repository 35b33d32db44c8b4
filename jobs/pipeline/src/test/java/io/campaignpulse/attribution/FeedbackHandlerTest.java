package io.campaignpulse.attribution;

import static io.campaignpulse.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.campaignpulse.contract.TicketStatus;
import io.campaignpulse.customer.state.CustomerFacts;
import io.campaignpulse.customer.state.CustomerState;
import io.campaignpulse.customer.state.RecentSend;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Scoring, attribution and open-ticket book-keeping of one feedback event, without Flink. */
class FeedbackHandlerTest {

    private final FeedbackHandler handler = new FeedbackHandler(config());

    private static CustomerState sentAt(String campaign, long at) {
        CustomerState state = CustomerFacts.empty();
        state.getRecentSends().add(new RecentSend("s-" + campaign, campaign, at, true, null));
        return state;
    }

    @Test
    void aTicketIsAttributedToTheLastSendScoredAndKeptOpenUntilItCloses() {
        CustomerState state = sentAt("C1", T0900);
        AttributedFeedback opened = handler.handle(
                state,
                ticket("T1", "c", TicketStatus.OPEN, "awful", null, T0905),
                T0905,
                text -> -0.8,
                id -> "Name of " + id);

        assertThat(opened.getCampaignId()).isEqualTo("C1");
        assertThat(opened.getCampaignName()).isEqualTo("Name of C1");
        assertThat(opened.getAttributedBy()).isEqualTo("LAST_SEND");
        assertThat(opened.getAttributedSentAt()).isEqualTo(T0900);
        assertThat(opened.getOpensTicket()).isTrue();
        assertThat(opened.getScore()).isEqualTo(-0.8);
        assertThat(opened.getScoreSource()).isEqualTo("TEXT");
        assertThat(state.getTickets().get("T1").getScoreSum()).isEqualTo(-0.8);

        AttributedFeedback closed = handler.handle(
                state, ticket("T1", "c", TicketStatus.CLOSED, null, null, T1000), T1000, text -> 0, id -> null);
        assertThat(closed.getCampaignId())
                .as("a later message counts for the ticket's campaign")
                .isEqualTo("C1");
        assertThat(closed.getAttributedBy()).isEqualTo("TICKET");
        assertThat(closed.getOpensTicket()).isFalse();
        assertThat(closed.getScoreSource()).isEqualTo("NONE");
        assertThat(state.getTickets()).isEmpty();
    }

    @Test
    void aReviewWithoutTextIsScoredByItsRatingAndOutsideTheWindowCountsForNoCampaign() {
        CustomerState state = sentAt("C1", T0900 - Duration.ofDays(30).toMillis());
        AttributedFeedback review = handler.handle(
                state,
                review("R1", "c", 1, null, null, T0900),
                T0900,
                text -> {
                    throw new AssertionError("no text to score");
                },
                id -> null);

        assertThat(review.getCampaignId()).isNull();
        assertThat(review.getAttributedBy()).isEqualTo("NONE");
        assertThat(review.getScoreSource()).isEqualTo("RATING");
        assertThat(review.getScore()).isEqualTo(-1.0);
    }

    @Test
    void ticketsOpenedBeforeTheOpenComplaintLookBackAreForgotten() {
        FeedbackHandler shortMemory = new FeedbackHandler(config(Map.of("misfire.open-complaint-window", "1h")));
        CustomerState state = CustomerFacts.empty();
        shortMemory.handle(
                state, ticket("OLD", "c", TicketStatus.OPEN, "bad", null, T0900), T0900, text -> -0.5, id -> null);
        shortMemory.handle(
                state,
                ticket("NEW", "c", TicketStatus.OPEN, "bad", null, T1000 + 1),
                T1000 + 1,
                text -> -0.5,
                id -> null);

        assertThat(state.getTickets()).containsOnlyKeys("NEW");
    }
}
