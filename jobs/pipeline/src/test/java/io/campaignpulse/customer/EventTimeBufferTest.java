package io.campaignpulse.customer;

import static io.campaignpulse.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.campaignpulse.contract.CampaignSend;
import io.campaignpulse.contract.HoldingStatus;
import io.campaignpulse.contract.Review;
import io.campaignpulse.customer.state.CustomerFacts;
import io.campaignpulse.ingest.EventTimes;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The order in which a customer's due events are applied, whatever order they arrived in. */
class EventTimeBufferTest {

    private static PendingEvent pending(Object payload) {
        var e = envelope(payload);
        return new PendingEvent(EventTimes.of(e), e, null);
    }

    private static List<Object> drain(EventTimeBuffer buffer) {
        List<Object> applied = new ArrayList<>();
        while (buffer.hasDue()) {
            PendingEvent p = buffer.next();
            applied.add(
                    p.getAsOf() != null
                            ? "parked " + ((CampaignSend) p.getEvent().getPayload()).getSendId()
                            : p.getEvent().getPayload());
        }
        return applied;
    }

    @Test
    void dueEventsComeByTimeThenChangesBeforeSendsThenSendsBySendId() {
        var sendB = send("b", "C1", "c", T0905);
        var sendA = send("a", "C1", "c", T0905);
        var early = send("z", "C1", "c", T0900);
        var opened = holding("c", "CARD", HoldingStatus.ACTIVE, T0905);
        var praise = review("r1", "c", 5, "great", null, T0905);
        // Arrival order: sends before the change and the review that share their instant.
        var buffer = new EventTimeBuffer(
                List.of(pending(sendB), pending(sendA), pending(opened), pending(early), pending(praise)), T0905);

        assertThat(drain(buffer)).containsExactly(early, opened, praise, sendA, sendB);
        assertThat(buffer.later()).isEmpty();
    }

    @Test
    void changesAndFeedbackAtOneInstantKeepTheirArrivalOrder() {
        var review1 = review("r1", "c", 5, "great", null, T0900);
        var review2 = review("r2", "c", 1, "awful", null, T0900);
        var closed = holding("c", "CARD", HoldingStatus.CLOSED, T0900);

        assertThat(drain(new EventTimeBuffer(List.of(pending(review2), pending(closed), pending(review1)), T0900)))
                .containsExactly(review2, closed, review1);
    }

    @Test
    void eventsAheadOfTheWatermarkWaitInArrivalOrder() {
        var now = send("now", "C1", "c", T0900);
        var later2 = send("l2", "C1", "c", T1000);
        var later1 = send("l1", "C1", "c", T0905);
        var buffer = new EventTimeBuffer(List.of(pending(later2), pending(now), pending(later1)), T0900);

        assertThat(drain(buffer)).containsExactly(now);
        assertThat(buffer.later()).extracting(p -> p.getEvent().getPayload()).containsExactly(later2, later1);
    }

    @Test
    void aSendParkedWhileTheBatchIsAppliedJoinsItWhenAlreadyDueBeforeTheEventsOfItsInstant() {
        var first = send("s1", "C9", "c", T0900);
        Review atDue = review("r1", "c", 5, "great", null, T0905);
        var buffer = new EventTimeBuffer(List.of(pending(first), pending(atDue)), T1000);

        PendingEvent p = buffer.next();
        assertThat(p.getEvent().getPayload()).isEqualTo(first);
        // Its campaign is unknown: parked until 09:05, which the watermark (10:00) has passed.
        buffer.add(new PendingEvent(T0905, p.getEvent(), CustomerFacts.empty()));
        buffer.add(new PendingEvent(T1000 + 1, p.getEvent(), CustomerFacts.empty()));

        assertThat(drain(buffer)).containsExactly("parked s1", atDue);
        assertThat(buffer.later()).hasSize(1);
    }

    @Test
    void aLoneDueEventAndOneParkedAfterItAreHandedOutInTurn() {
        var only = send("s1", "C9", "c", T0900);
        var ahead = send("s2", "C1", "c", T1000 + 1);
        var buffer = new EventTimeBuffer(List.of(pending(ahead), pending(only)), T1000);

        assertThat(buffer.hasDue()).isTrue();
        PendingEvent p = buffer.next();
        assertThat(p.getEvent().getPayload()).isEqualTo(only);
        assertThat(buffer.hasDue()).isFalse();
        buffer.add(new PendingEvent(T0905, p.getEvent(), CustomerFacts.empty()));

        assertThat(drain(buffer)).containsExactly("parked s1");
        assertThat(buffer.later()).extracting(e -> e.getEvent().getPayload()).containsExactly(ahead);
    }

    @Test
    void nothingDueAndNothingWaitingLeavesNothingToPutBack() {
        var buffer = new EventTimeBuffer(List.of(), T0900);

        assertThat(buffer.hasDue()).isFalse();
        assertThat(buffer.later()).isEmpty();
    }
}
