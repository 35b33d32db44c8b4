package io.campaignpulse.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Where the benchmark stops timing the pipeline: at 99 % of the events applied, or where the
 * per-customer step stopped applying with most of them applied (what is left waits for the end of
 * the input to be detected, after a wait that depends on when the sparsest partition was read).
 */
class BenchMeasurementEndTest {

    private static final long STALL = TimeUnit.SECONDS.toNanos(3);

    /** Samples every 100 ms: {time, in, cpu, done, GC pause ms}. */
    private static List<long[]> samples(long[][] inAndDone) {
        List<long[]> samples = new ArrayList<>();
        for (int i = 0; i < inAndDone.length; i++) {
            samples.add(new long[] {i * 100_000_000L, inAndDone[i][0], i, inAndDone[i][1], 2L * i});
        }
        return samples;
    }

    /**
     * Rows of {in, done}: each row is followed by an optional count of further copies of it
     * (a pause), e.g. {@code row, 50, nextRow}.
     */
    private static long[][] paused(Object... rowsAndRepeats) {
        List<long[]> rows = new ArrayList<>();
        for (Object o : rowsAndRepeats) {
            if (o instanceof long[] row) {
                rows.add(row);
            } else {
                long[] last = rows.get(rows.size() - 1);
                for (int i = 0; i < (Integer) o; i++) {
                    rows.add(last);
                }
            }
        }
        return rows.toArray(long[][]::new);
    }

    private static long[][] run(int rampSamples, int stalledSamples, long stalledAt, long total) {
        List<long[]> rows = new ArrayList<>();
        for (int i = 1; i <= rampSamples; i++) {
            rows.add(new long[] {total * i / rampSamples, stalledAt * i / rampSamples});
        }
        for (int i = 0; i < stalledSamples; i++) {
            rows.add(new long[] {total, stalledAt});
        }
        rows.add(new long[] {total, total}); // the end of the input detected: everything applied
        return rows.toArray(long[][]::new);
    }

    @Test
    void aRunThatReachesTheShareWithoutStallingEndsThere() {
        List<long[]> samples = samples(new long[][] {{0, 0}, {500, 100}, {1000, 600}, {1000, 995}, {1000, 1000}});

        assertThat(Bench.Sampler.end(samples, 0.99, STALL)).isSameAs(samples.get(3));
    }

    @Test
    void aRunThatStallsWithEverythingReadEndsWhereTheStallBegan() {
        // 200 samples of reading; then 150 (15 s of idleness) with 97.5 % applied.
        List<long[]> samples = samples(run(200, 150, 975, 1000));

        long[] end = Bench.Sampler.end(samples, 0.99, STALL);

        assertThat(end).isSameAs(samples.get(199));
        assertThat(end[3]).isEqualTo(975);
    }

    @Test
    void theSameRunStalledLongerOrShorterIsTimedTheSame() {
        long[] shortWait = Bench.Sampler.end(samples(run(200, 40, 975, 1000)), 0.99, STALL);
        long[] longWait = Bench.Sampler.end(samples(run(200, 150, 975, 1000)), 0.99, STALL);

        assertThat(shortWait[0]).isEqualTo(longWait[0]);
        assertThat(shortWait[3]).isEqualTo(longWait[3]);
    }

    @Test
    void aStallWhileTheLastRecordsTrickleInEndsWhereTheStallBegan() {
        // As in one measured run: 97.8 % applied, then nothing more for 15 s while the last
        // records trickled in, then the end of the input detected.
        List<long[]> samples = samples(paused(
                new long[] {500, 400},
                new long[] {990, 975},
                50,
                new long[] {995, 975},
                50,
                new long[] {998, 975},
                50,
                new long[] {1000, 1000}));

        long[] end = Bench.Sampler.end(samples, 0.99, STALL);

        assertThat(end).isSameAs(samples.get(1));
        assertThat(end[3]).isEqualTo(975);
    }

    @Test
    void aStallBeforeMostEventsAreDoneIsTheJobsOwnTime() {
        // Everything read at once, nothing applied for 5 s (event time waits for the campaigns to
        // settle), then all of it: timed to the 99 %, not to the stall at the start.
        List<long[]> samples =
                samples(paused(new long[] {1000, 0}, 50, new long[] {1000, 500}, new long[] {1000, 995}));

        assertThat(Bench.Sampler.end(samples, 0.99, STALL)).isSameAs(samples.get(52));
    }

    @Test
    void aPauseShorterThanTheStallOrBeforeMostEventsAreDoneDoesNotEndTheRun() {
        // Reading, with a 2 s pause (a checkpoint) after everything was read, then the rest applied.
        List<long[]> samples =
                samples(paused(new long[] {500, 400}, new long[] {1000, 900}, 19, new long[] {1000, 995}));

        assertThat(Bench.Sampler.end(samples, 0.99, STALL)).isSameAs(samples.get(21));
        // A long pause while events are still being read is the pipeline's own time.
        List<long[]> reading =
                samples(new long[][] {{100, 50}, {200, 50}, {300, 50}, {400, 50}, {500, 50}, {1000, 990}});
        assertThat(Bench.Sampler.end(reading, 0.99, 100_000_000L)).isSameAs(reading.get(5));
    }

    @Test
    void theDaysRateIsTimedFromWhereTheHistoryWasAppliedToTheEnd() {
        // 60,000 events of history applied in 1 s (cheap), then 40,000 of the day in 4 s.
        List<long[]> rows = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            rows.add(new long[] {100_000, 6_000L * i});
        }
        for (int i = 1; i <= 40; i++) {
            rows.add(new long[] {100_000, 60_000 + 1_000L * i});
        }
        List<long[]> samples = samples(rows.toArray(long[][]::new));
        long[] end = Bench.Sampler.end(samples, 0.99, STALL);

        Bench.Rate day = Bench.Sampler.since(samples, end, 60_000);

        assertThat(day.events()).isEqualTo(end[3] - 60_000);
        assertThat(day.perSecond()).isCloseTo(10_000, org.assertj.core.data.Offset.offset(1.0));
        // 2 ms of pauses per 100 ms sample: a fiftieth of the span.
        assertThat(day.gcPauseShare()).isCloseTo(0.02, org.assertj.core.data.Offset.offset(1e-9));
        // The whole run's rate is lifted by the cheap history.
        Bench.Rate whole = new Bench.Rate(end[3], (end[0] - samples.get(0)[0]) / 1e9, 0, 0);
        assertThat(whole.perSecond()).isGreaterThan(day.perSecond());
    }

    @Test
    void aDayTooShortToTimeHasNoRate() {
        List<long[]> samples = samples(new long[][] {{1000, 500}, {1000, 990}, {1000, 1000}});
        long[] end = Bench.Sampler.end(samples, 0.99, STALL);

        assertThat(Bench.Sampler.since(samples, end, 500)).isNull();
        assertThat(Bench.Sampler.since(samples, end, 5_000)).isNull();
    }
}
