package io.campaignpulse;

import static io.campaignpulse.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.campaignpulse.contract.Campaign;
import io.campaignpulse.contract.OfferType;
import io.campaignpulse.eventtime.MemtablePreflush;
import io.campaignpulse.ingest.Envelope;
import io.campaignpulse.misfire.SendVerdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.state.IncrementalRemoteKeyedStateHandle;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;

class RocksDbTuningTest {

    /**
     * RocksDB's default environment, which Flink gives every database, shares its flush threads
     * among all the databases of the process; from Flink's default of two background jobs RocksDB
     * gives flushes one. The job asks for one per core, and leaves compactions what RocksDB would
     * have given them.
     */
    @Test
    void flushesGetAThreadPerCoreAndCompactionsKeepTheirShare() {
        RocksDB.loadLibrary();
        List<AutoCloseable> handles = new ArrayList<>();
        RocksDbTuning tuning = new RocksDbTuning(RocksDbTuning.MAX_MANIFEST_BYTES, 2);
        try (DBOptions flinkDefault = new DBOptions().setMaxBackgroundJobs(2);
                DBOptions eightJobs = new DBOptions().setMaxBackgroundJobs(8);
                DBOptions twentyJobs = new DBOptions().setMaxBackgroundJobs(20)) {
            DBOptions tuned = tuning.createDBOptions(flinkDefault, handles);
            assertThat(tuned.maxBackgroundFlushes()).isEqualTo(2);
            assertThat(tuned.maxBackgroundCompactions()).isEqualTo(1);
            assertThat(tuned.maxManifestFileSize()).isEqualTo(RocksDbTuning.MAX_MANIFEST_BYTES);
            // state.backend.rocksdb.thread.num: 8 -> RocksDB's own split is 2 flushes, 6 compactions.
            DBOptions eight = tuning.createDBOptions(eightJobs, handles);
            assertThat(eight.maxBackgroundFlushes()).isEqualTo(2);
            assertThat(eight.maxBackgroundCompactions()).isEqualTo(6);
            // More than a core's worth of flushes from thread.num are kept: 20 -> 5 flushes, 15 compactions.
            DBOptions twenty = tuning.createDBOptions(twentyJobs, handles);
            assertThat(twenty.maxBackgroundFlushes()).isEqualTo(5);
            assertThat(twenty.maxBackgroundCompactions()).isEqualTo(15);
        }
        assertThat(handles).isEmpty();
    }

    /**
     * An incremental checkpoint uploads RocksDB's whole MANIFEST each time, and RocksDB appends to
     * it with every flush until 1 GiB: checkpoints would grow with the job's age. The job's limit
     * makes RocksDB start a fresh one.
     */
    @Test
    void theManifestInEachCheckpointStaysUnderTheLimit() throws Exception {
        long unlimited = largestManifest(null);
        long limited = largestManifest(new RocksDbTuning(4 * 1024, 1));
        // A fresh MANIFEST starts once the limit is passed: at most the limit plus the last edits.
        assertThat(limited).as("with a 4 KiB limit").isLessThan(8 * 1024);
        assertThat(unlimited)
                .as("without a limit, the MANIFEST of 200 checkpoints (limited: %d bytes)", limited)
                .isGreaterThan(3 * 8 * 1024);
    }

    /** Runs 200 checkpoints, each after a customer's send, and returns the largest MANIFEST one carried. */
    private static long largestManifest(RocksDbTuning limit) throws Exception {
        EmbeddedRocksDBStateBackend rocks = new EmbeddedRocksDBStateBackend(true);
        if (limit != null) {
            rocks.setRocksDBOptions(limit);
        }
        long largest = 0;
        try (KeyedBroadcastOperatorTestHarness<String, Envelope, Campaign, SendVerdict> harness =
                customerStep(config(Map.of()), MemtablePreflush.Schedule.NONE, rocks)) {
            harness.open();
            harness.getTwoInputOperator().processWatermarkStatus2(WatermarkStatus.IDLE);
            harness.processBroadcastElement(campaign("C1", "Card", OfferType.CROSS_SELL, "CARD"), 0);
            for (int i = 0; i < 200; i++) {
                long t = T0900 + i * 60_000L;
                Envelope e = envelope(send("s-" + i, "C1", "cust-" + i % 10, t));
                harness.processElement(e, t);
                harness.processWatermark(t);
                for (var handle : harness.snapshot(i, i).getManagedKeyedState()) {
                    for (var file : ((IncrementalRemoteKeyedStateHandle) handle).getPrivateState()) {
                        if (file.getLocalPath().startsWith("MANIFEST")) {
                            largest = Math.max(largest, file.getHandle().getStateSize());
                        }
                    }
                }
            }
        }
        return largest;
    }
}
