package io.campaignpulse;

import static io.campaignpulse.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.campaignpulse.campaign.CampaignDirectory;
import io.campaignpulse.contract.Campaign;
import io.campaignpulse.contract.OfferType;
import io.campaignpulse.customer.CustomerProcessor;
import io.campaignpulse.eventtime.InMemoryTimersOperator;
import io.campaignpulse.ingest.Envelope;
import io.campaignpulse.ingest.EventTimes;
import io.campaignpulse.misfire.SendVerdict;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.Test;

class MemtablePreflushTest {

    private static final Duration INTERVAL = Duration.ofSeconds(10);
    private static final long LIVE_PACE_MS = 100;

    /**
     * A fifth of an interval before the next checkpoint is due (an interval after the step's last
     * snapshot), the step's memtables are switched out and written to files in the background.
     */
    @Test
    void theMemtablesAreFlushedAFifthOfAnIntervalBeforeTheNextCheckpoint() throws Exception {
        try (KeyedBroadcastOperatorTestHarness<String, Envelope, Campaign, SendVerdict> harness =
                customerStep(new EmbeddedRocksDBStateBackend(true), INTERVAL)) {
            MemtablePreflush probe = probe(harness);
            assertThat(probe.active()).isTrue();
            harness.setProcessingTime(1_000);
            judgeSends(harness, 0, 20);
            harness.snapshot(1, 1_000); // its synchronous phase flushes what the sends wrote
            assertThat(probe.unflushedEntries()).isZero();

            judgeSends(harness, 20, 40);
            long written = probe.unflushedEntries();
            assertThat(written).as("the facts written since the checkpoint").isPositive();
            harness.setProcessingTime(8_999);
            assertThat(probe.unflushedEntries())
                    .as("7.999 s after the snapshot")
                    .isEqualTo(written);

            harness.setProcessingTime(9_000);
            assertThat(probe.unflushedEntries()).as("8 s after the snapshot").isZero();
            // Written to a file by RocksDB's flush thread; bounded generously for a busy machine.
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (probe.immutableMemtables() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(probe.immutableMemtables())
                    .as("memtables waiting for their flush")
                    .isZero();
            // The step goes on as before, and the next checkpoint still takes everything.
            judgeSends(harness, 40, 50);
            assertThat(probe.unflushedEntries()).isPositive();
            harness.snapshot(2, 10_000);
            assertThat(probe.unflushedEntries()).isZero();
        }
    }

    /** A checkpoint before the flush was due (a savepoint, say) moves it an interval on from there. */
    @Test
    void aLaterSnapshotMovesTheFlushOn() throws Exception {
        try (KeyedBroadcastOperatorTestHarness<String, Envelope, Campaign, SendVerdict> harness =
                customerStep(new EmbeddedRocksDBStateBackend(true), INTERVAL)) {
            MemtablePreflush probe = probe(harness);
            harness.setProcessingTime(0);
            judgeSends(harness, 0, 10);
            harness.snapshot(1, 0); // flush due at 8 s
            harness.setProcessingTime(5_000);
            harness.snapshot(2, 5_000); // now due at 13 s
            judgeSends(harness, 10, 20);
            harness.setProcessingTime(8_000);
            assertThat(probe.unflushedEntries()).as("at 8 s").isPositive();
            harness.setProcessingTime(13_000);
            assertThat(probe.unflushedEntries()).as("at 13 s").isZero();
        }
    }

    /**
     * A step working through a backlog, its event time running far ahead of the clock, is held
     * up by a checkpoint's flush no matter when it flushes; a flush ahead would only add a file.
     */
    @Test
    void noFlushAheadWhileTheStepCatchesUp() throws Exception {
        try (KeyedBroadcastOperatorTestHarness<String, Envelope, Campaign, SendVerdict> harness =
                customerStep(new EmbeddedRocksDBStateBackend(true), INTERVAL)) {
            MemtablePreflush probe = probe(harness);
            harness.setProcessingTime(1_000);
            judgeSends(harness, 0, 20, 60_000);
            harness.snapshot(1, 1_000);
            // 20 minutes of event time in the 8 s before the flush was due.
            judgeSends(harness, 20, 40, 60_000);
            long written = probe.unflushedEntries();
            harness.setProcessingTime(9_000);
            assertThat(probe.unflushedEntries()).as("8 s after the snapshot").isEqualTo(written);

            // Back to the clock's pace, the next interval flushes ahead again.
            harness.snapshot(2, 10_000);
            judgeSends(harness, 23_401, 23_421, LIVE_PACE_MS); // 09:39:00.1-09:39:02, after the 09:39 watermark
            assertThat(probe.unflushedEntries()).isPositive();
            harness.setProcessingTime(18_000);
            assertThat(probe.unflushedEntries())
                    .as("8 s after the second snapshot")
                    .isZero();
        }
    }

    /** Without RocksDB or without checkpoints there is nothing to flush ahead, and nothing breaks. */
    @Test
    void doesNothingOnTheHashMapBackendOrWithoutAnInterval() throws Exception {
        try (KeyedBroadcastOperatorTestHarness<String, Envelope, Campaign, SendVerdict> harness =
                customerStep(new HashMapStateBackend(), INTERVAL)) {
            assertThat(probe(harness).active()).isFalse();
            judgeSends(harness, 0, 10);
            harness.snapshot(1, 0);
            harness.setProcessingTime(60_000);
            assertThat(harness.extractOutputValues()).hasSize(10);
        }
        try (KeyedBroadcastOperatorTestHarness<String, Envelope, Campaign, SendVerdict> harness =
                customerStep(new EmbeddedRocksDBStateBackend(true), Duration.ZERO)) {
            MemtablePreflush off = MemtablePreflush.of(backend(harness), Duration.ZERO);
            assertThat(off.active()).isFalse();
            MemtablePreflush probe = probe(harness);
            judgeSends(harness, 0, 10);
            harness.snapshot(1, 0);
            judgeSends(harness, 10, 20);
            harness.setProcessingTime(60_000);
            assertThat(probe.unflushedEntries())
                    .as("no flush ahead of a checkpoint")
                    .isPositive();
        }
    }

    private static KeyedBroadcastOperatorTestHarness<String, Envelope, Campaign, SendVerdict> customerStep(
            StateBackend backend, Duration interval) throws Exception {
        KeyedBroadcastOperatorTestHarness<String, Envelope, Campaign, SendVerdict> harness =
                new KeyedBroadcastOperatorTestHarness<>(
                        new InMemoryTimersOperator<>(
                                new CustomerProcessor(config(Map.of())),
                                List.of(CampaignDirectory.DESCRIPTOR),
                                interval),
                        EventTimes::customerOf,
                        Types.STRING,
                        1,
                        1,
                        0);
        harness.setStateBackend(backend);
        harness.open();
        harness.getTwoInputOperator().processWatermarkStatus2(WatermarkStatus.IDLE);
        harness.processBroadcastElement(campaign("C1", "Card", OfferType.CROSS_SELL, "CARD"), 0);
        return harness;
    }

    /** A second view of the step's database, for its memtables' figures. */
    private static MemtablePreflush probe(
            KeyedBroadcastOperatorTestHarness<String, Envelope, Campaign, SendVerdict> h) {
        return MemtablePreflush.of(backend(h), INTERVAL);
    }

    private static KeyedStateBackend<?> backend(
            KeyedBroadcastOperatorTestHarness<String, Envelope, Campaign, SendVerdict> harness) {
        return ((InMemoryTimersOperator<?, ?, ?>) harness.getTwoInputOperator()).getKeyedStateBackend();
    }

    /**
     * Sends from..to-1, each to its own customer {@link #LIVE_PACE_MS} apart in event time, each
     * judged by a watermark: a live feed, its event time no faster than the harness's clock.
     */
    private static void judgeSends(
            KeyedBroadcastOperatorTestHarness<String, Envelope, Campaign, SendVerdict> harness, int from, int to)
            throws Exception {
        judgeSends(harness, from, to, LIVE_PACE_MS);
    }

    private static void judgeSends(
            KeyedBroadcastOperatorTestHarness<String, Envelope, Campaign, SendVerdict> harness,
            int from,
            int to,
            long apartMs)
            throws Exception {
        for (int i = from; i < to; i++) {
            long t = T0900 + i * apartMs;
            harness.processElement(envelope(send("s-" + i, "C1", "cust-" + i, t)), t);
            harness.processWatermark(t);
        }
    }
}
