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
import java.lang.reflect.Field;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.state.rocksdb.RocksDBKeyedStateBackend;
import org.apache.flink.state.rocksdb.RocksDBOptions;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.rocksdb.RocksDB;

/**
 * Flink writes RocksDB without a write-ahead log, so a checkpoint's synchronous phase flushes
 * whatever the memtables hold, and the per-customer task waits for it. Configured as the job
 * configures it, RocksDB flushes its memtables in the background as they fill: what is left for a
 * checkpoint stays near the job's write buffer size however much was written since the last one.
 */
class RocksDbWriteBufferTest {

    private static final long MB = 1024 * 1024;

    @Test
    void aCheckpointFindsAtMostAboutTwoWriteBuffersToFlush() throws Exception {
        ReadableConfig job = JobEnvironment.create(config(Map.of()), true, new Configuration())
                .getConfiguration();
        long asTheJobHasIt = memtableBytesAfterWriting(job);
        long rocksDbDefault = memtableBytesAfterWriting(new Configuration());

        assertThat(rocksDbDefault)
                .as("with RocksDB's own 64 MB write buffers, everything written since the last flush")
                .isGreaterThan(10 * MB);
        // The active memtable and the one being flushed, each at most a write buffer.
        assertThat(asTheJobHasIt)
                .as("as the job configures RocksDB (default: %d bytes)", rocksDbDefault)
                .isLessThanOrEqualTo(2 * JobEnvironment.WRITE_BUFFER.getBytes() + MB);
    }

    /**
     * Writes one send for each of 120,000 customers through the per-customer step (more than 10 MB
     * of memtable) and returns the bytes RocksDB's memtables hold at the end.
     */
    private static long memtableBytesAfterWriting(ReadableConfig rocksDbSettings) throws Exception {
        // With the memory a slot of the local cluster has (the harness has no managed memory: RocksDB
        // would flush its tiny share on nearly every write).
        Configuration settings = new Configuration();
        settings.addAll(Configuration.fromMap(rocksDbSettings.toMap()));
        settings.set(RocksDBOptions.FIX_PER_SLOT_MEMORY_SIZE, MemorySize.parse("512m"));
        EmbeddedRocksDBStateBackend rocks = new EmbeddedRocksDBStateBackend(true)
                .configure(settings, RocksDbWriteBufferTest.class.getClassLoader());
        try (KeyedBroadcastOperatorTestHarness<String, Envelope, Campaign, SendVerdict> harness =
                new KeyedBroadcastOperatorTestHarness<>(
                        new InMemoryTimersOperator<>(
                                new CustomerProcessor(config(Map.of())), List.of(CampaignDirectory.DESCRIPTOR)),
                        EventTimes::customerOf,
                        Types.STRING,
                        1,
                        1,
                        0)) {
            harness.setStateBackend(rocks);
            harness.open();
            harness.getTwoInputOperator().processWatermarkStatus2(WatermarkStatus.IDLE);
            harness.processBroadcastElement(campaign("C1", "Card", OfferType.CROSS_SELL, "CARD"), 0);
            for (int i = 0; i < 120_000; i++) {
                Envelope e = envelope(send("s-" + i, "C1", "customer-with-a-longer-id-" + i, T0900));
                harness.processElement(e, T0900);
            }
            harness.processWatermark(T0900);
            assertThat(harness.extractOutputValues()).hasSize(120_000);
            Field db = RocksDBKeyedStateBackend.class.getDeclaredField("db");
            db.setAccessible(true);
            RocksDB rocksDb =
                    (RocksDB) db.get(((AbstractStreamOperator<?>) harness.getOperator()).getKeyedStateBackend());
            return rocksDb.getAggregatedLongProperty("rocksdb.cur-size-all-mem-tables");
        }
    }
}
