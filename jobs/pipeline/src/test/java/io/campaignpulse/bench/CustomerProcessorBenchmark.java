package io.campaignpulse.bench;

import static io.campaignpulse.Fixtures.*;

import io.campaignpulse.campaign.CampaignDirectory;
import io.campaignpulse.contract.Campaign;
import io.campaignpulse.contract.Channel;
import io.campaignpulse.contract.HoldingStatus;
import io.campaignpulse.contract.OfferType;
import io.campaignpulse.contract.TicketStatus;
import io.campaignpulse.customer.CustomerProcessor;
import io.campaignpulse.eventtime.InMemoryTimersOperator;
import io.campaignpulse.ingest.Envelope;
import io.campaignpulse.ingest.EventTimes;
import io.campaignpulse.misfire.SendVerdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.state.rocksdb.RocksDBConfigurableOptions;
import org.apache.flink.state.rocksdb.RocksDBOptions;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Customer events per second through the per-customer step alone (the misfire detector, with
 * feedback scoring, attribution and suppressions), on RocksDB as in production, on one thread:
 * a mix of sends, holding and consent changes, ticket messages and reviews over {@code customers}
 * customers in event-time order (20 per second of event time, so a customer's facts and recent
 * sends accumulate as in a real day), the watermark advanced every 1,000 events so that the
 * waiting events are applied and judged. One operation = one event in, its share of the work at
 * the watermark and of building the record included. Run: mvn -B -pl jobs/pipeline -Pbench test
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CustomerProcessorBenchmark {

    private static final long STEP_MS = 50; // event time between consecutive events: 20 per second of event time

    @Param({"100000"})
    public int customers;

    private KeyedBroadcastOperatorTestHarness<String, Envelope, Campaign, SendVerdict> harness;
    private final Random random = new Random(7);
    private long events;
    private Path rocksDir;

    private static final String[] CAMPAIGNS = {"C-CARD", "C-NEW", "C-SVC"};
    private static final String[] TEXTS = {
        "Still waiting for my refund, no one ever called back.",
        "Great service, the card arrived quickly. Thanks!",
        "Why was I charged twice this month?",
        "ok"
    };

    @Setup(Level.Trial)
    public void start() throws Exception {
        rocksDir = Files.createTempDirectory("customer-bench-rocksdb");
        // As the job configures RocksDB (bloom filters, incremental), with the memory a slot of a
        // local cluster gets (the harness has no managed memory: without a fixed size RocksDB
        // would flush a tiny memtable on nearly every write).
        Configuration conf = new Configuration();
        conf.set(RocksDBConfigurableOptions.USE_BLOOM_FILTER, true);
        conf.set(RocksDBOptions.FIX_PER_SLOT_MEMORY_SIZE, MemorySize.parse("256m"));
        conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        EmbeddedRocksDBStateBackend rocks =
                new EmbeddedRocksDBStateBackend().configure(conf, getClass().getClassLoader());
        rocks.setDbStoragePath(rocksDir.toString());
        harness = new KeyedBroadcastOperatorTestHarness<>(
                new InMemoryTimersOperator<>(
                        new CustomerProcessor(config(Map.of())), List.of(CampaignDirectory.DESCRIPTOR)),
                EventTimes::customerOf,
                Types.STRING,
                1,
                1,
                0);
        harness.setStateBackend(rocks);
        harness.open();
        harness.getTwoInputOperator().processWatermarkStatus2(WatermarkStatus.IDLE);
        harness.processBroadcastElement(campaign("C-CARD", "Card Push", OfferType.CROSS_SELL, "CARD-PLAT"), 0);
        harness.processBroadcastElement(campaign("C-NEW", "Welcome Offer", OfferType.ACQUISITION, null), 0);
        harness.processBroadcastElement(campaign("C-SVC", "Service Notice", OfferType.SERVICE, null), 0);
    }

    /** One event of the mix, at event time t: 40 % sends, 15 % holding changes, 10 % consent, 17 % tickets, 18 % reviews. */
    private Object event(long n, long t) {
        String customer = "cust-" + random.nextInt(customers);
        int kind = random.nextInt(100);
        if (kind < 40) {
            return send("s-" + n, CAMPAIGNS[random.nextInt(CAMPAIGNS.length)], customer, t);
        } else if (kind < 55) {
            return holding(
                    customer, "CARD-PLAT", random.nextBoolean() ? HoldingStatus.ACTIVE : HoldingStatus.CLOSED, t);
        } else if (kind < 65) {
            return consent(customer, Channel.EMAIL, random.nextInt(10) > 0, t);
        } else if (kind < 82) {
            return ticket("t-" + n, customer, TicketStatus.OPEN, TEXTS[random.nextInt(TEXTS.length)], null, t);
        }
        return review("r-" + n, customer, 1 + random.nextInt(5), TEXTS[random.nextInt(TEXTS.length)], null, t);
    }

    @Benchmark
    public void oneEvent() throws Exception {
        long n = events++;
        long t = DAY.toEpochMilli() + n * STEP_MS;
        Envelope e = envelope(event(n, t));
        harness.processElement(e, t);
        if (events % 1000 == 0) {
            harness.processWatermark(t - 1);
            // The harness keeps every output: drop them, as a downstream operator would consume them.
            harness.getOutput().clear();
            for (var tag : List.of(
                    CustomerProcessor.DEAD_LETTERS,
                    CustomerProcessor.FEEDBACK,
                    CustomerProcessor.SUPPRESSIONS,
                    CustomerProcessor.CONVERSIONS)) {
                var side = harness.getSideOutput(tag);
                if (side != null) {
                    side.clear();
                }
            }
        }
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        harness.close();
        try (var files = Files.walk(rocksDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
