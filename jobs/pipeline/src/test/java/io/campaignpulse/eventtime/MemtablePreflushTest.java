package io.campaignpulse.eventtime;

import static io.campaignpulse.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.campaignpulse.Fixtures;
import io.campaignpulse.contract.Campaign;
import io.campaignpulse.contract.OfferType;
import io.campaignpulse.ingest.Envelope;
import io.campaignpulse.misfire.SendVerdict;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.state.rocksdb.RocksDBOptions;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.Test;

class MemtablePreflushTest {

    /** Checkpoints every 10 s; out of order by up to the default 5 minutes. */
    private static final MemtablePreflush.Schedule SCHEDULE =
            MemtablePreflush.Schedule.of(config(Map.of("checkpoints.interval", "10s")));

    private static final long LIVE_PACE_MS = 100;

    /**
     * A fifth and a twentieth of an interval before the next checkpoint is due (an interval after
     * the step's last snapshot), the step's memtables are switched out and written to files in the
     * background.
     */
    @Test
    void theMemtablesAreFlushedAFifthAndATwentiethOfAnIntervalBeforeTheNextCheckpoint() throws Exception {
        try (KeyedBroadcastOperatorTestHarness<String, Envelope, Campaign, SendVerdict> harness =
                customerStep(rocksDb(), SCHEDULE)) {
            MemtablePreflush probe = probe(harness);
            assertThat(probe.active()).isTrue();
            long now = snapshotThenSends(harness);
            long written = probe.unflushedEntries();
            assertThat(written).as("the facts written since the checkpoint").isPositive();
            harness.setProcessingTime(now + 7_999);
            assertThat(probe.unflushedEntries())
                    .as("7.999 s after the snapshot")
                    .isEqualTo(written);

            awaitWrittenToFiles(probe);
            harness.setProcessingTime(now + 8_000);
            assertThat(probe.unflushedEntries()).as("8 s after the snapshot").isZero();
            awaitWrittenToFiles(probe);

            judgeSends(harness, 40, 50, T0900, LIVE_PACE_MS);
            long since = probe.unflushedEntries();
            assertThat(since).as("the facts written since the first flush").isPositive();
            harness.setProcessingTime(now + 9_499);
            assertThat(probe.unflushedEntries())
                    .as("9.499 s after the snapshot")
                    .isEqualTo(since);
            harness.setProcessingTime(now + 9_500);
            assertThat(probe.unflushedEntries()).as("9.5 s after the snapshot").isZero();
            awaitWrittenToFiles(probe);

            // The step goes on as before, and the next checkpoint still takes everything.
            judgeSends(harness, 50, 60, T0900, LIVE_PACE_MS);
            assertThat(probe.unflushedEntries()).isPositive();
            harness.snapshot(2, now + 10_000);
            assertThat(probe.unflushedEntries()).isZero();
            assertThat(harness.extractOutputValues()).hasSize(60);
        }
    }

    /**
     * With the clock at 09:00:02, 20 sends, a snapshot (whose synchronous phase flushes what they
     * wrote) and 20 more sends; returns the clock.
     */
    private static long snapshotThenSends(
            KeyedBroadcastOperatorTestHarness<String, Envelope, Campaign, SendVerdict> harness) throws Exception {
        long now = T0900 + 2_000;
        harness.setProcessingTime(now);
        judgeSends(harness, 0, 20, T0900, LIVE_PACE_MS);
        harness.snapshot(1, now);
        assertThat(probe(harness).unflushedEntries()).as("after the snapshot").isZero();
        judgeSends(harness, 20, 40, T0900, LIVE_PACE_MS);
        return now;
    }

    /** Written to a file by RocksDB's flush thread; bounded generously for a busy machine. */
    private static void awaitWrittenToFiles(MemtablePreflush probe) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (probe.immutableMemtables() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(probe.immutableMemtables())
                .as("memtables waiting for their flush")
                .isZero();
    }

    /**
     * While the first flush is still being written, the second does not switch the memtable out
     * as well: RocksDB would stop the step's writes until the first was done. The checkpoint
     * flushes what is left.
     */
    @Test
    void theSecondFlushWaitsForNothingStillBeingWritten() throws Exception {
        try (KeyedBroadcastOperatorTestHarness<String, Envelope, Campaign, SendVerdict> harness =
                customerStep(rocksDb(), SCHEDULE)) {
            MemtablePreflush probe = probe(harness);
            long now = snapshotThenSends(harness);
            awaitWrittenToFiles(probe);
            probe.pauseBackgroundWork(); // the first flush is switched out but not written
            try {
                harness.setProcessingTime(now + 8_000);
                assertThat(probe.immutableMemtables())
                        .as("the first flush, waiting")
                        .isPositive();
                judgeSends(harness, 40, 50, T0900, LIVE_PACE_MS);
                long since = probe.unflushedEntries();
                assertThat(since).isPositive();
                harness.setProcessingTime(now + 9_500);
                assertThat(probe.unflushedEntries())
                        .as("9.5 s after the snapshot, the first flush not written")
                        .isEqualTo(since);
            } finally {
                probe.resumeBackgroundWork();
            }
            harness.snapshot(2, now + 10_000);
            assertThat(probe.unflushedEntries()).isZero();
            assertThat(harness.extractOutputValues()).hasSize(50);
        }
    }

    /** A checkpoint before the flush was due (a savepoint, say) moves it an interval on from there. */
    @Test
    void aLaterSnapshotMovesTheFlushOn() throws Exception {
        try (KeyedBroadcastOperatorTestHarness<String, Envelope, Campaign, SendVerdict> harness =
                customerStep(rocksDb(), SCHEDULE)) {
            MemtablePreflush probe = probe(harness);
            long now = T0900 + 1_000;
            harness.setProcessingTime(now);
            judgeSends(harness, 0, 10, T0900, LIVE_PACE_MS);
            harness.snapshot(1, now); // flushes due 8 and 9.5 s later
            harness.setProcessingTime(now + 5_000);
            harness.snapshot(2, now + 5_000); // now due 13 and 14.5 s after the first
            judgeSends(harness, 10, 20, T0900, LIVE_PACE_MS);
            harness.setProcessingTime(now + 8_000);
            assertThat(probe.unflushedEntries()).as("8 s after the first").isPositive();
            harness.setProcessingTime(now + 9_500);
            assertThat(probe.unflushedEntries()).as("9.5 s after the first").isPositive();
            awaitWrittenToFiles(probe);
            harness.setProcessingTime(now + 13_000);
            assertThat(probe.unflushedEntries()).as("13 s after the first").isZero();
            judgeSends(harness, 20, 30, T0900, LIVE_PACE_MS);
            awaitWrittenToFiles(probe);
            harness.setProcessingTime(now + 14_499);
            assertThat(probe.unflushedEntries()).as("14.499 s after the first").isPositive();
            harness.setProcessingTime(now + 14_500);
            assertThat(probe.unflushedEntries()).as("14.5 s after the first").isZero();
        }
    }

    /**
     * A step working through a backlog, its watermark far behind the clock, is held up by a
     * checkpoint's flush whenever it flushes; a flush ahead would only add a file to compact.
     * Once it has caught up to within the out-of-orderness bound and a minute, it flushes ahead.
     */
    @Test
    void noFlushAheadWhileTheStepIsBehind() throws Exception {
        try (KeyedBroadcastOperatorTestHarness<String, Envelope, Campaign, SendVerdict> harness =
                customerStep(rocksDb(), SCHEDULE)) {
            MemtablePreflush probe = probe(harness);
            long now = T0900 + Duration.ofHours(3).toMillis(); // the backlog is of 09:00-09:39
            harness.setProcessingTime(now);
            judgeSends(harness, 0, 20, T0900, 60_000);
            harness.snapshot(1, now);
            judgeSends(harness, 20, 40, T0900, 60_000);
            long written = probe.unflushedEntries();
            harness.setProcessingTime(now + 8_000);
            assertThat(probe.unflushedEntries()).as("8 s after the snapshot").isEqualTo(written);
            harness.setProcessingTime(now + 9_500);
            assertThat(probe.unflushedEntries()).as("9.5 s after the snapshot").isEqualTo(written);

            // Caught up: the watermark 6 minutes behind the clock, the bound plus the slack.
            harness.setProcessingTime(now + 10_000);
            harness.snapshot(2, now + 10_000);
            long caughtUp = now + 18_000 - Duration.ofMinutes(6).toMillis();
            judgeSends(harness, 40, 60, caughtUp - 59 * LIVE_PACE_MS, LIVE_PACE_MS); // the last at caughtUp
            assertThat(probe.unflushedEntries()).isPositive();
            awaitWrittenToFiles(probe);
            harness.setProcessingTime(now + 18_000);
            assertThat(probe.unflushedEntries())
                    .as("8 s after the second snapshot")
                    .isZero();
        }
    }

    /** Without RocksDB or without checkpoints there is nothing to flush ahead, and nothing breaks. */
    @Test
    void doesNothingOnTheHashMapBackendOrWithoutAnInterval() throws Exception {
        try (KeyedBroadcastOperatorTestHarness<String, Envelope, Campaign, SendVerdict> harness =
                customerStep(new HashMapStateBackend(), SCHEDULE)) {
            assertThat(probe(harness).active()).isFalse();
            harness.setProcessingTime(T0900);
            judgeSends(harness, 0, 10, T0900, LIVE_PACE_MS);
            harness.snapshot(1, 0);
            harness.setProcessingTime(T0900 + 60_000);
            assertThat(harness.extractOutputValues()).hasSize(10);
        }
        try (KeyedBroadcastOperatorTestHarness<String, Envelope, Campaign, SendVerdict> harness =
                customerStep(new EmbeddedRocksDBStateBackend(true), MemtablePreflush.Schedule.NONE)) {
            assertThat(MemtablePreflush.of(backend(harness), MemtablePreflush.Schedule.NONE)
                            .active())
                    .isFalse();
            MemtablePreflush probe = probe(harness);
            harness.setProcessingTime(T0900);
            judgeSends(harness, 0, 10, T0900, LIVE_PACE_MS);
            harness.snapshot(1, 0);
            judgeSends(harness, 10, 20, T0900, LIVE_PACE_MS);
            harness.setProcessingTime(T0900 + 60_000);
            assertThat(probe.unflushedEntries())
                    .as("no flush ahead of a checkpoint")
                    .isPositive();
        }
    }

    /**
     * RocksDB without a share of managed memory: a harness has none, and RocksDB would flush the
     * memtables on nearly every write to keep within it, so that the flushes under test could not
     * be told from its own.
     */
    private static EmbeddedRocksDBStateBackend rocksDb() {
        Configuration conf = new Configuration();
        conf.set(RocksDBOptions.USE_MANAGED_MEMORY, false);
        return new EmbeddedRocksDBStateBackend(true).configure(conf, MemtablePreflushTest.class.getClassLoader());
    }

    /** Opened, with the campaign its sends are of. */
    private static KeyedBroadcastOperatorTestHarness<String, Envelope, Campaign, SendVerdict> customerStep(
            StateBackend backend, MemtablePreflush.Schedule schedule) throws Exception {
        var harness = Fixtures.customerStep(config(Map.of()), schedule, backend);
        harness.open();
        harness.getTwoInputOperator().processWatermarkStatus2(WatermarkStatus.IDLE);
        harness.processBroadcastElement(campaign("C1", "Card", OfferType.CROSS_SELL, "CARD"), 0);
        return harness;
    }

    /** A second view of the step's database, for its memtables' figures. */
    private static MemtablePreflush probe(
            KeyedBroadcastOperatorTestHarness<String, Envelope, Campaign, SendVerdict> h) {
        return MemtablePreflush.of(backend(h), SCHEDULE);
    }

    private static KeyedStateBackend<?> backend(
            KeyedBroadcastOperatorTestHarness<String, Envelope, Campaign, SendVerdict> harness) {
        return ((InMemoryTimersOperator<?, ?, ?>) harness.getTwoInputOperator()).getKeyedStateBackend();
    }

    /** Sends from..to-1, each to its own customer, apartMs apart from firstAt, each judged by a watermark. */
    private static void judgeSends(
            KeyedBroadcastOperatorTestHarness<String, Envelope, Campaign, SendVerdict> harness,
            int from,
            int to,
            long firstAt,
            long apartMs)
            throws Exception {
        for (int i = from; i < to; i++) {
            long t = firstAt + i * apartMs;
            harness.processElement(envelope(send("s-" + i, "C1", "cust-" + i, t)), t);
            harness.processWatermark(t);
        }
    }
}
