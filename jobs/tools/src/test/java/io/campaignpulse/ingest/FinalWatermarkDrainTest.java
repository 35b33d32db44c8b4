package io.campaignpulse.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.campaignpulse.demo.LocalInfrastructure;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stop with drain of a job whose Kafka source is idle, on a real broker and a MiniCluster: the
 * final watermark must still reach the event-time timers downstream. Flink 2.2 drops it
 * (FLINK-40499), which the first test records; {@link FinalWatermark} after the source delivers it.
 */
class FinalWatermarkDrainTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(1)
            .build());

    @TempDir
    static Path work;

    static LocalInfrastructure infra;

    /** Records the job has read, and event-time timers fired (the job runs in this JVM). */
    static final AtomicInteger READ = new AtomicInteger();

    static final AtomicInteger FIRED = new AtomicInteger();

    /** Whether the source's latest announcement was that it is idle. */
    static final AtomicBoolean IDLE = new AtomicBoolean();

    @BeforeAll
    static void start() throws Exception {
        infra = LocalInfrastructure.start(work.resolve("infra"));
    }

    @AfterAll
    static void stop() throws Exception {
        infra.close();
    }

    @Test
    void flinkAloneLeavesTheTimersOfAnIdleDrainedSourceUnfired() throws Exception {
        assertThat(drainAnIdleSource("without-final-watermark", false))
                .as("timers fired; if Flink delivers the final watermark of an idle source now, FinalWatermark can go")
                .isZero();
    }

    @Test
    void withTheFinalWatermarkTheDrainFiresThem() throws Exception {
        assertThat(drainAnIdleSource("with-final-watermark", true)).isEqualTo(1);
    }

    /** One record, a timer an hour after it, the source idle, then a stop with drain: the timers fired. */
    private static int drainAnIdleSource(String topic, boolean finalWatermark) throws Exception {
        READ.set(0);
        FIRED.set(0);
        IDLE.set(false);
        try (Admin admin = Admin.create(infra.clientProperties())) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(infra.clientProperties(), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, 0, 1_000_000L, "k", "v")).get();
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        KafkaSource<String> source = KafkaSource.<String>builder()
                .setBootstrapServers(infra.bootstrapServers())
                .setTopics(topic)
                .setGroupId(topic)
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setValueOnlyDeserializer(new SimpleStringSchema())
                .build();
        DataStream<String> read = env.fromSource(
                        source,
                        WatermarkStrategy.<String>forMonotonousTimestamps().withIdleness(Duration.ofMillis(300)),
                        "Kafka")
                .transform("Idleness seen", Types.STRING, new IdleProbe<>());
        if (finalWatermark) {
            read = read.transform("Final watermark", Types.STRING, new FinalWatermark<>());
        }
        read.keyBy(v -> v, Types.STRING)
                .process(new TimerAnHourLater(), Types.STRING)
                .sinkTo(new org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink<>());
        JobClient job = env.executeAsync(topic);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60); // a job start and one fetch
        while (READ.get() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(READ.get()).as("records read").isEqualTo(1);
        while (!IDLE.get() && System.nanoTime() < deadline) { // the idleness timeout, however busy the machine
            Thread.sleep(50);
        }
        assertThat(IDLE.get()).as("the source announced itself idle").isTrue();
        job.stopWithSavepoint(true, work.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
                .get(2, TimeUnit.MINUTES);
        job.getJobExecutionResult().get(2, TimeUnit.MINUTES);
        return FIRED.get();
    }

    /** Passes everything on and notes the source's idle or active status, which reaches it through the chain. */
    static final class IdleProbe<T> extends AbstractStreamOperator<T> implements OneInputStreamOperator<T, T> {
        @Override
        public void processElement(StreamRecord<T> element) {
            output.collect(element);
        }

        @Override
        public void processWatermarkStatus(WatermarkStatus status) throws Exception {
            IDLE.set(status.isIdle()); // the latest: a source idle at its start wakes with the record
            super.processWatermarkStatus(status);
        }
    }

    static final class TimerAnHourLater extends KeyedProcessFunction<String, String, String> {
        @Override
        public void processElement(String value, Context ctx, Collector<String> out) {
            ctx.timerService().registerEventTimeTimer(ctx.timestamp() + 3_600_000L);
            READ.incrementAndGet();
        }

        @Override
        public void onTimer(long timestamp, OnTimerContext ctx, Collector<String> out) {
            FIRED.incrementAndGet();
            out.collect(ctx.getCurrentKey());
        }
    }
}
