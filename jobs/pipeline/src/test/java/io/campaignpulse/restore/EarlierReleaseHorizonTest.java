package io.campaignpulse.restore;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class EarlierReleaseHorizonTest {

    @Test
    void aJobThatDidNotStartFromAnEarlierReleaseNeverReadsItsKeyedState() {
        EarlierReleaseHorizon fresh = new EarlierReleaseHorizon(1000);
        assertThat(fresh.covers(Long.MIN_VALUE + 1)).isFalse();
        assertThat(fresh.covers(5)).isFalse();

        EarlierReleaseHorizon restoredFromToday = new EarlierReleaseHorizon(1000);
        restoredFromToday.restore(fresh.snapshot());
        assertThat(restoredFromToday.covers(5)).isFalse();
    }

    @Test
    void afterAnEarlierReleasesSavepointTheFirstTimerFixesTheSpanAndCheckpointsCarryIt() {
        EarlierReleaseHorizon horizon = new EarlierReleaseHorizon(1000);
        horizon.restore(List.of()); // the earlier release wrote no horizon
        assertThat(horizon.covers(5_000)).as("the first timer").isTrue();
        assertThat(horizon.covers(6_000)).isTrue();
        assertThat(horizon.covers(6_001)).isFalse();

        // Restored from a checkpoint taken meanwhile (union list: every instance's horizon).
        EarlierReleaseHorizon again = new EarlierReleaseHorizon(1000);
        again.restore(List.of(Long.MIN_VALUE, horizon.snapshot().get(0)));
        assertThat(again.covers(5_500)).isTrue();
        assertThat(again.covers(6_001)).isFalse();
    }
}
