package io.campaignpulse.customer;

import static io.campaignpulse.Fixtures.envelope;
import static io.campaignpulse.Fixtures.send;
import static org.assertj.core.api.Assertions.assertThat;

import io.campaignpulse.eventtime.DueInstants;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WaitingEventsTest {

    private static PendingEvent pending(String customer, long due) {
        var send = envelope(send("s-" + customer + "-" + due, "C1", customer, due));
        return new PendingEvent(due, send, null);
    }

    private static List<DueInstants.Instant> due(DueInstants instants) {
        List<DueInstants.Instant> fired = new ArrayList<>();
        DueInstants.Instant next;
        while ((next = instants.pollDue(Long.MAX_VALUE)) != null) {
            fired.add(next);
        }
        return fired;
    }

    @Test
    void aCustomersFirstEventAtATimeIsTheOneThatSchedulesItsInstant() {
        WaitingEvents waiting = new WaitingEvents();
        assertThat(waiting.add("cust-1", pending("cust-1", 10))).isTrue();
        assertThat(waiting.add("cust-1", pending("cust-1", 10)))
                .as("same customer, same time")
                .isFalse();
        assertThat(waiting.add("cust-1", pending("cust-1", 20))).isTrue();
        assertThat(waiting.add("cust-2", pending("cust-2", 10)))
                .as("another customer")
                .isTrue();

        DueInstants rebuilt = new DueInstants();
        new WaitingEvents().restore(waiting.all(), c -> true, rebuilt);
        assertThat(due(rebuilt))
                .as("one instant per customer and time, rebuilt from the events")
                .containsExactly(
                        new DueInstants.Instant(10, "cust-1"),
                        new DueInstants.Instant(10, "cust-2"),
                        new DueInstants.Instant(20, "cust-1"));
    }
}
