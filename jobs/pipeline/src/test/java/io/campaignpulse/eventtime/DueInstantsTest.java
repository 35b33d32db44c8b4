package io.campaignpulse.eventtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DueInstantsTest {

    static List<DueInstants.Instant> due(DueInstants instants, long watermark) {
        List<DueInstants.Instant> fired = new ArrayList<>();
        DueInstants.Instant next;
        while ((next = instants.pollDue(watermark)) != null) {
            fired.add(next);
        }
        return fired;
    }

    @Test
    void firesWhatTheWatermarkPassedInOrderOfTimeThenKey() {
        DueInstants instants = new DueInstants();
        instants.schedule("cust-b", 20);
        instants.schedule("cust-a", 30);
        instants.schedule("cust-c", 10);
        instants.schedule("cust-a", 20);

        assertThat(due(instants, 9)).isEmpty();
        assertThat(due(instants, 20))
                .containsExactly(
                        new DueInstants.Instant(10, "cust-c"),
                        new DueInstants.Instant(20, "cust-a"),
                        new DueInstants.Instant(20, "cust-b"));
        assertThat(instants.size()).isEqualTo(1);
        assertThat(due(instants, Long.MAX_VALUE)).containsExactly(new DueInstants.Instant(30, "cust-a"));
        assertThat(instants.size()).isZero();
    }

    @Test
    void aLargeHeapFiresEveryInstantInOrder() {
        DueInstants instants = new DueInstants();
        Random random = new Random(3);
        List<DueInstants.Instant> scheduled = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            var instant = new DueInstants.Instant(random.nextInt(500), "cust-" + random.nextInt(50));
            scheduled.add(instant);
            instants.schedule(instant.key(), instant.time());
        }
        List<DueInstants.Instant> fired = new ArrayList<>(due(instants, 249));
        assertThat(fired).allMatch(i -> i.time() <= 249);
        fired.addAll(due(instants, Long.MAX_VALUE));
        scheduled.sort(Comparator.comparingLong(DueInstants.Instant::time).thenComparing(DueInstants.Instant::key));
        assertThat(fired).containsExactlyElementsOf(scheduled);
    }

    @Test
    void anInstantScheduledWhileFiringIsFiredInTheSamePassWhenDue() {
        DueInstants instants = new DueInstants();
        instants.schedule("cust-1", 10);
        assertThat(instants.pollDue(100)).isEqualTo(new DueInstants.Instant(10, "cust-1"));
        instants.schedule("cust-1", 60); // a parked send: judged again after the grace
        instants.schedule("cust-1", 160);
        assertThat(due(instants, 100)).containsExactly(new DueInstants.Instant(60, "cust-1"));
    }
}
