package io.campaignpulse.bench;

import static io.campaignpulse.Fixtures.*;

import io.campaignpulse.alerting.AlertControls;
import io.campaignpulse.alerting.AlertSignal;
import io.campaignpulse.alerting.MisfireRateAlerter;
import io.campaignpulse.contract.Channel;
import io.campaignpulse.contract.ControlMessage;
import io.campaignpulse.contract.Misfire;
import io.campaignpulse.contract.MisfireRule;
import io.campaignpulse.contract.OfferType;
import io.campaignpulse.eventtime.InMemoryTimersOperator;
import io.campaignpulse.misfire.SendVerdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeinfo.Types;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Judged sends per second through the misfire-rate step alone, on RocksDB as in production, on
 * one thread: verdicts of 9 campaigns (as many as the generated bank runs) in event-time order,
 * 20 per second of event time, about one in six with a misfire (as in the generated day), the
 * watermark advanced every 1,000 verdicts so that verdicts are counted and hourly windows close.
 * One operation = one verdict in, its share of the timer work and of the signals included. Run:
 * mvn -B -pl jobs/pipeline -Pbench test -Dbench.args="io.campaignpulse.bench.MisfireRateAlerterBenchmark"
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class MisfireRateAlerterBenchmark {

    private static final long STEP_MS = 50;
    private static final int CAMPAIGNS = 9;
    private static final MisfireRule[] RULES = {
        MisfireRule.ALREADY_HOLDS_PRODUCT,
        MisfireRule.ACQUISITION_TO_EXISTING_CUSTOMER,
        MisfireRule.DUPLICATE_SEND,
        MisfireRule.FREQUENCY_CAP,
        MisfireRule.OPEN_COMPLAINT,
        MisfireRule.NO_CONSENT
    };

    private KeyedBroadcastOperatorTestHarness<String, SendVerdict, ControlMessage, AlertSignal> harness;
    private final Random random = new Random(7);
    private long verdicts;
    private Path rocksDir;

    @Setup(Level.Trial)
    public void start() throws Exception {
        rocksDir = Files.createTempDirectory("alerter-bench-rocksdb");
        Configuration conf = new Configuration();
        conf.set(RocksDBConfigurableOptions.USE_BLOOM_FILTER, true);
        conf.set(RocksDBOptions.FIX_PER_SLOT_MEMORY_SIZE, MemorySize.parse("256m"));
        EmbeddedRocksDBStateBackend rocks =
                new EmbeddedRocksDBStateBackend().configure(conf, getClass().getClassLoader());
        rocks.setDbStoragePath(rocksDir.toString());
        harness = new KeyedBroadcastOperatorTestHarness<>(
                new InMemoryTimersOperator<>(
                        new MisfireRateAlerter(config(Map.of())), List.of(AlertControls.DESCRIPTOR)),
                SendVerdict::getCampaignId,
                Types.STRING,
                1,
                1,
                0);
        harness.setStateBackend(rocks);
        harness.open();
        harness.getTwoInputOperator().processWatermarkStatus2(WatermarkStatus.IDLE);
    }

    private SendVerdict verdict(long n, long t) {
        String id = "s-" + n;
        String campaign = "C" + random.nextInt(CAMPAIGNS);
        String customer = "cust-" + random.nextInt(100_000);
        List<Misfire> misfires = new ArrayList<>(1);
        if (random.nextInt(6) == 0) {
            misfires.add(Misfire.newBuilder()
                    .setSendId(id)
                    .setCampaignId(campaign)
                    .setCustomerId(customer)
                    .setRule(RULES[random.nextInt(RULES.length)])
                    .setDetail("customer already holds CARD-PLAT since 2026-03-02")
                    .setSentAt(Instant.ofEpochMilli(t))
                    .setDetectedAt(Instant.ofEpochMilli(t))
                    .build());
        }
        return SendVerdict.newBuilder()
                .setSendId(id)
                .setCampaignId(campaign)
                .setCampaignName("Campaign " + campaign)
                .setCampaignOwner("owner@bank.example")
                .setCustomerId(customer)
                .setChannel(Channel.EMAIL)
                .setOfferType(OfferType.CROSS_SELL)
                .setOfferProductId("CARD-PLAT")
                .setSentAt(t)
                .setMisfires(misfires)
                .build();
    }

    @Benchmark
    public void oneVerdict() throws Exception {
        long n = verdicts++;
        long t = DAY.toEpochMilli() + n * STEP_MS;
        harness.processElement(verdict(n, t), t);
        if (verdicts % 1000 == 0) {
            harness.processWatermark(t);
            harness.getOutput().clear(); // the harness keeps every output; a downstream step would consume it
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
