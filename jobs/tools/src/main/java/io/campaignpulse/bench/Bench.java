package io.campaignpulse.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.campaignpulse.config.ConfigLoader;
import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.contract.MisfireRule;
import io.campaignpulse.contract.Review;
import io.campaignpulse.contract.TicketEvent;
import io.campaignpulse.demo.DemoWorld;
import io.campaignpulse.demo.LocalInfrastructure;
import io.campaignpulse.demo.LocalJob;
import io.campaignpulse.demo.PacedPublisher;
import io.campaignpulse.ingest.Envelope;
import io.campaignpulse.ingest.EnvelopeDecoder;
import io.campaignpulse.ingest.EventTimeGuard;
import io.campaignpulse.ingest.InputTopics;
import io.campaignpulse.ingest.KafkaEnvelopeDeserializer;
import io.campaignpulse.sentiment.SentimentScorer;
import io.campaignpulse.sink.OutputTable;
import io.campaignpulse.sink.PostgresTables;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * {@code pulse bench}: preloads a generated backlog of every input topic into an embedded Kafka,
 * then measures, in one run, a pass-through job (Kafka, decode, discard: the ceiling), the full
 * pipeline (RocksDB, checkpoints, exactly-once outputs to Kafka and PostgreSQL) catching up on the
 * same topics, and the sentiment scorer alone; checks the pipeline's misfires against the
 * generator's ground truth, and reports no throughput for a run that was wrong.
 */
public final class Bench {

    /** What the user chose. */
    public record Settings(
            int customers,
            int partitions,
            int parallelism,
            long seed,
            Duration checkpointInterval,
            Duration latencyFeed,
            Duration latencyWarmUp,
            int latencyRate,
            Duration latencyOutOfOrderness,
            Duration latencyPublicationDelay,
            Path json,
            Path configFile,
            Map<String, String> overrides) {}

    /**
     * Events per second over the span in which an operator's record count grew, from its first
     * record to its last; the CPU time this process (every Flink task, the broker, the
     * benchmark itself; not PostgreSQL) used in that span; and how long the process's garbage
     * collections paused it in that span.
     */
    record Rate(long events, double seconds, double cpuSeconds, double gcPauseSeconds) {
        double perSecond() {
            return seconds > 0 ? events / seconds : 0;
        }

        /** CPU microseconds per event: steadier than a rate on a machine whose other tenants vary. */
        double cpuMicrosPerEvent() {
            return events > 0 ? cpuSeconds * 1e6 / events : 0;
        }

        /** The share of the span the process spent paused for garbage collection. */
        double gcPauseShare() {
            return seconds > 0 ? gcPauseSeconds / seconds : 0;
        }

        /** {@code events} over the span between two of the {@link Sampler}'s samples. */
        static Rate between(long events, long[] from, long[] to) {
            return new Rate(events, (to[0] - from[0]) / 1e9, (to[2] - from[2]) / 1e9, (to[4] - from[4]) / 1e3);
        }
    }

    static final String PIPELINE_OPERATOR = "Misfire detection per customer";

    /**
     * The share of the events the pipeline's rate is timed to at most: the rest, the input's last
     * minutes of event time, wait until the end of the input is detected (event-time.idleness).
     */
    static final double APPLIED_SHARE = 0.99;

    /**
     * How long the per-customer step must have applied nothing, with most events applied, for the
     * events still waiting to count as waiting for the end of the input (not for the pipeline):
     * longer than any pause a checkpoint makes, shorter than event-time.idleness.
     */
    static final long STALLED_NANOS = TimeUnit.SECONDS.toNanos(3);

    /** The least share of the events done for a stall to end the timing: the input's last minutes wait, not its bulk. */
    static final double STALLED_SHARE = 0.9;

    static final String PASSTHROUGH_OPERATOR = "Pass-through: discard";

    /** The warm-up world's customers at most (about three events each): 200,000 events. */
    private static final int WARM_UP_CUSTOMERS = 66_000;

    /**
     * The share of the warm-up world's customer events applied before it is stopped: the rest, its
     * last minutes of event time, would wait for the end of its input to be detected.
     */
    private static final double WARM_UP_SHARE = 0.9;

    private final Settings settings;
    private final PrintStream out;

    private Bench(Settings settings, PrintStream out) {
        this.settings = settings;
        this.out = out;
    }

    /** Runs the benchmark; returns its figures (also printed, and written to --json). */
    public static Map<String, Object> run(Settings settings, PrintStream out) throws Exception {
        return new Bench(settings, out).run();
    }

    private Map<String, Object> run() throws Exception {
        Path work = Files.createTempDirectory("campaign-pulse-bench-");
        try (LocalInfrastructure infra = LocalInfrastructure.start(work.resolve("infra"))) {
            Map<String, String> overrides = new HashMap<>();
            overrides.put("parallelism", Integer.toString(settings.parallelism()));
            overrides.put("checkpoints.interval", settings.checkpointInterval().toMillis() + "ms");
            overrides.putAll(settings.overrides());
            overrides.putAll(infra.configOverrides());
            PulseConfig config = new ConfigLoader().load(settings.configFile(), overrides);
            infra.createTopics(config.topics(), settings.partitions());
            infra.migrate();

            out.printf(
                    "pulse bench: %,d customers, %d partitions per topic, parallelism %d, %d cores%n",
                    settings.customers(),
                    settings.partitions(),
                    settings.parallelism(),
                    Runtime.getRuntime().availableProcessors());
            Instant day = DemoWorld.latestPastDay(Instant.now());
            DemoWorld.Options generated = new DemoWorld.Options(settings.customers(), settings.seed(), day, true);
            Preloaded backlog = preload(config, generated, infra);

            Rate passthrough = passThrough(config);
            out.printf(
                    "  pass-through (Kafka, decode, discard): %,d events, %,.0f events/s%n",
                    passthrough.events(), passthrough.perSecond());

            Rate cold = warmUp(overrides, config, infra, work.resolve("warm-up"), day);
            out.printf(
                    "  warm-up (the pipeline on a cold JVM, over a smaller world of its own): %,d events, %,.0f events/s%n",
                    cold.events(), cold.perSecond());

            PipelineRun pipeline = pipeline(config, work.resolve("job"), backlog.historyEvents());
            out.printf(
                    "  pipeline: %,d events applied (%.1f %% of those read; the rest waited for the end of the input"
                            + " to be detected), %,.0f events/s; caught up %.1f s after submission%n",
                    pipeline.rate().events(),
                    100.0 * pipeline.rate().events() / Math.max(1, pipeline.eventsRead()),
                    pipeline.rate().perSecond(),
                    pipeline.catchUpSeconds());
            if (pipeline.day() != null) {
                out.printf(
                        "    of which the day (sends, tickets, reviews and the day's CRM changes, after the CRM's history):"
                                + " %,d events, %,.0f events/s%n",
                        pipeline.day().events(), pipeline.day().perSecond());
            }
            Correctness correctness = check(backlog.expectedMisfires(), infra);
            out.printf(
                    "  correctness: %,d misfires expected, %,d found, %,d missing, %,d invented, %,d LATE_EVENT -> %s%n",
                    correctness.expected(),
                    correctness.found(),
                    correctness.missing(),
                    correctness.invented(),
                    correctness.late(),
                    correctness.correct() ? "correct" : "WRONG");

            // Half the measured maximum unless said otherwise: a rate the job sustains with room to
            // spare, so that what is measured is latency, not a backlog. The maximum of the mix the
            // feed publishes, the day's: the CRM's history, a third of the backlog, is cheaper per
            // event and lifts the whole backlog's rate above what the day's events sustain.
            double latencyRate =
                    settings.latencyRate() > 0 ? settings.latencyRate() : Math.max(100, pipeline.liveMixRate() / 2);
            LiveLatency live = new LiveLatency(infra, config, out);
            Map<String, LiveLatency.Result> latency = new LinkedHashMap<>();
            for (String delivery : List.of(PulseConfig.Kafka.AT_LEAST_ONCE, PulseConfig.Kafka.EXACTLY_ONCE)) {
                out.printf(
                        "  latency, %s: a live feed at %,.0f events/s for %d s after a warm-up of %d s (event time ="
                                + " publication time, event-time.max-out-of-orderness %d ms,"
                                + " event-time.max-publication-delay %d ms)%n",
                        delivery,
                        latencyRate,
                        settings.latencyFeed().toSeconds(),
                        settings.latencyWarmUp().toSeconds(),
                        settings.latencyOutOfOrderness().toMillis(),
                        settings.latencyPublicationDelay().toMillis());
                LiveLatency.Result r = live.measure(
                        () -> DemoWorld.generate(config, generated),
                        delivery,
                        latencyRate,
                        settings.latencyFeed(),
                        settings.latencyWarmUp(),
                        settings.latencyOutOfOrderness(),
                        settings.latencyPublicationDelay(),
                        overrides,
                        settings.configFile(),
                        settings.partitions(),
                        work.resolve("latency-" + delivery));
                out.printf(
                        "    %,d events published at %,.0f events/s; send appended to its misfire, %,d sends: %s ms"
                                + " (from its hand-over to the producer: %s ms);"
                                + " the watermark's lag behind the clock: %s ms; event time to the broker's"
                                + " acknowledgement: %s ms; %,d LATE_EVENT%n",
                        r.published(),
                        r.publishedPerSecond(),
                        r.latenciesMs().size(),
                        percentiles(r.latenciesMs(), true),
                        percentiles(r.handoverLatenciesMs(), true),
                        percentiles(r.watermarkLagMs(), true),
                        percentiles(r.publicationDelayMs(), true),
                        r.lateEvents());
                out.printf(
                        "    not counted: the warm-up's %,d sends: %s ms%n",
                        r.warmUpLatenciesMs().size(), percentiles(r.warmUpLatenciesMs(), true));
                out.printf(
                        "    p99 by the second of the measured span the send was published in (ms): %s%n",
                        bySecond(r).stream()
                                .map(second -> String.valueOf(second.get("p99")))
                                .collect(Collectors.joining(" ")));
                latency.put(delivery, r);
            }

            double scorer = scorerTextsPerSecond(backlog.feedbackTexts());
            Map<String, Object> figures =
                    figures(backlog, passthrough, pipeline, correctness, latencyRate, latency, config, scorer);
            table(figures);
            if (settings.json() != null) {
                new ObjectMapper()
                        .enable(SerializationFeature.INDENT_OUTPUT)
                        .writeValue(settings.json().toFile(), figures);
                out.println("  figures written to " + settings.json());
            }
            return figures;
        } finally {
            deleteQuietly(work);
        }
    }

    /**
     * What the benchmark keeps of the generated world once it is in Kafka: its size, the misfires
     * it must produce, and texts for the scorer. Not the world: the measured jobs run in this JVM,
     * and a world of 1,000,000 customers is tens of millions of objects (its records, encoded, and
     * the facts the ground truth is computed from) that every concurrent marking cycle of the
     * garbage collector would trace again while the jobs are timed, CPU a TaskManager does not
     * spend. The latency runs generate it again (the same seed gives the same world).
     */
    record Preloaded(
            int events,
            int historyEvents,
            Map<String, Set<MisfireRule>> expectedMisfires,
            List<String> feedbackTexts) {}

    /** Generates the world and publishes it to the input topics: the backlog the jobs read. */
    private Preloaded preload(PulseConfig config, DemoWorld.Options options, LocalInfrastructure infra)
            throws InterruptedException {
        long t = System.nanoTime();
        DemoWorld world = DemoWorld.generate(config, options);
        out.printf(
                "  generated %,d events (%,d sends) in %.1f s%n", world.events().size(), world.sends(), seconds(t));
        t = System.nanoTime();
        try (PacedPublisher publisher = new PacedPublisher(infra.bootstrapServers())) {
            publisher.publish(world.events(), world.playFrom(), 0);
        }
        out.printf("  preloaded into Kafka in %.1f s%n", seconds(t));
        return new Preloaded(
                world.events().size(),
                world.customerEventsBeforePlayback().size(),
                world.expectedMisfires(),
                feedbackTexts(world, config));
    }

    /** Kafka source, the job's own decoding, a discarding sink: what reading the topics costs at best. */
    private Rate passThrough(PulseConfig config) throws Exception {
        MetricProbe.reset();
        Configuration flink = MetricProbe.install();
        flink.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
        env.setParallelism(settings.parallelism());
        var topics = config.topics();
        Properties props = config.kafka().clientProperties();
        props.setProperty("isolation.level", "read_committed");
        KafkaSource<Envelope> source = KafkaSource.<Envelope>builder()
                .setBootstrapServers(config.kafka().bootstrapServers())
                .setGroupId(config.kafka().groupId() + "-bench-passthrough")
                .setTopics(topics.customerEvents())
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setBounded(OffsetsInitializer.latest())
                .setDeserializer(new KafkaEnvelopeDeserializer(
                        new InputTopics(topics),
                        new EventTimeGuard(config.eventTime()),
                        config.contract().wire()))
                .setProperties(props)
                .build();
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "Kafka: customer events")
                .sinkTo(new DiscardingSink<>())
                .name(PASSTHROUGH_OPERATOR);
        Sampler sampler = Sampler.start(() -> MetricProbe.operatorCount(PASSTHROUGH_OPERATOR, "numRecordsIn"));
        JobClient job = env.executeAsync("campaign-pulse-bench-passthrough");
        job.getJobExecutionResult().get(30, TimeUnit.MINUTES);
        return sampler.stop();
    }

    /**
     * The pipeline over a world of its own (a third of the customers, another seed, in topics of
     * its own) until it has applied nearly all of it, then stopped: the JIT compiles every code
     * path the measured run takes (the CRM's history, sends judged, feedback scored, roll-ups,
     * alerts) before the measured run, as on a TaskManager that has been running. A slice of the
     * measured backlog would not do that: its first third is the CRM's history alone, so the
     * measured run would compile the rest while it is timed. Its own consumer group and
     * transactional ids; what it wrote to PostgreSQL is deleted afterwards, so the correctness
     * check reads the measured run's rows only.
     */
    private Rate warmUp(
            Map<String, String> overrides, PulseConfig config, LocalInfrastructure infra, Path workDir, Instant day)
            throws Exception {
        RenamedTopics topics = RenamedTopics.of(config.topics(), "warm-up-");
        Map<String, String> own = new HashMap<>(overrides);
        own.putAll(topics.overrides());
        own.put("kafka.group-id", config.kafka().groupId() + "-bench-warm-up");
        own.put("kafka.transactional-id-prefix", config.kafka().transactionalIdPrefix() + "-bench-warm-up");
        PulseConfig warm = new ConfigLoader().load(settings.configFile(), own);
        infra.createTopics(warm.topics(), settings.partitions());
        int customers = Math.max(1, Math.min(settings.customers() / 3, WARM_UP_CUSTOMERS));
        DemoWorld world = DemoWorld.generate(warm, new DemoWorld.Options(customers, settings.seed() + 1, day, true));
        try (PacedPublisher publisher = new PacedPublisher(infra.bootstrapServers())) {
            publisher.publish(world.events(), world.playFrom(), 0);
        }
        long customerEvents = world.events().stream()
                .filter(e -> !e.topic().equals(warm.topics().campaigns()))
                .count();
        long events = (long) (customerEvents * WARM_UP_SHARE);
        MetricProbe.reset();
        Sampler sampler = pipelineSampler();
        Rate rate;
        try (LocalJob job = LocalJob.start(warm, workDir, null, MetricProbe.install())) {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            while (sampler.done() < events && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            rate = sampler.stop();
            // Stopped, not cancelled: a cancelled job's open PostgreSQL transactions could hold
            // locks on the rows deleted next.
            job.stopWithSavepoint();
        }
        deleteOutputRows(infra);
        return rate;
    }

    /** Empties the job's PostgreSQL output tables. */
    private static void deleteOutputRows(LocalInfrastructure infra) throws SQLException {
        String tables = PostgresTables.ALL.stream().map(OutputTable::name).collect(Collectors.joining(", "));
        try (Connection c = DriverManager.getConnection(infra.jdbcUrl(), LocalInfrastructure.POSTGRES_USER, "");
                Statement s = c.createStatement()) {
            s.execute("TRUNCATE " + tables);
        }
    }

    private static Sampler pipelineSampler() {
        return Sampler.start(
                () -> MetricProbe.operatorCount(PIPELINE_OPERATOR, "numRecordsIn"),
                () -> MetricProbe.operatorCount(PIPELINE_OPERATOR, "eventsApplied"));
    }

    /**
     * @param rate over the whole backlog
     * @param day over the events after the CRM's history (the mix a live feed has), from where the
     *     step had applied as many events as the history holds to the end of {@code rate}; null if
     *     too short to time
     */
    record PipelineRun(
            Rate rate,
            Rate day,
            long eventsRead,
            double catchUpSeconds,
            List<Long> checkpointMs,
            List<Long> checkpointBytes,
            long stateBytes) {

        /** Events per second of the day's mix, or of the whole backlog when the day was not timed. */
        double liveMixRate() {
            return day != null ? day.perSecond() : rate.perSecond();
        }
    }

    /** The job as operators run it, from the earliest offsets until it has committed everything it read. */
    private PipelineRun pipeline(PulseConfig config, Path workDir, long historyEvents) throws Exception {
        MetricProbe.reset();
        long submitted = System.nanoTime();
        Sampler sampler = pipelineSampler();
        try (LocalJob job = LocalJob.start(config, workDir, null, MetricProbe.install())) {
            Thread report = new Thread(
                    () -> {
                        try {
                            while (true) {
                                Thread.sleep(15_000);
                                out.printf(
                                        "    after %.0f s: %,d events in, %,d applied; tasks not idle (busy / back-pressured / idle ms per s):%n",
                                        seconds(submitted),
                                        MetricProbe.operatorCount(PIPELINE_OPERATOR, "numRecordsIn"),
                                        sampler.done());
                                MetricProbe.taskTimes().entrySet().stream()
                                        .filter(t -> t.getValue()[2] < 950)
                                        .forEach(t -> printTaskTime(t.getKey(), t.getValue()));
                            }
                        } catch (InterruptedException e) {
                            // the run is over
                        }
                    },
                    "bench-report");
            report.setDaemon(true);
            report.start();
            job.awaitCaughtUp(Duration.ofHours(2));
            double catchUp = seconds(submitted);
            // Read and committed; the last events are applied once the watermark passes them.
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (sampler.done() < APPLIED_SHARE * MetricProbe.operatorCount(PIPELINE_OPERATOR, "numRecordsIn")
                    && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            report.interrupt();
            Rate rate = sampler.stop(APPLIED_SHARE, STALLED_NANOS);
            List<Long> durations = new ArrayList<>(sampler.checkpointMs());
            List<Long> sizes = new ArrayList<>(sampler.checkpointBytes());
            job.stopAndDrain();
            return new PipelineRun(
                    rate,
                    sampler.since(historyEvents),
                    MetricProbe.operatorCount(PIPELINE_OPERATOR, "numRecordsIn"),
                    catchUp,
                    durations,
                    sizes,
                    sizes.isEmpty() ? -1 : sizes.get(sizes.size() - 1));
        }
    }

    private void printTaskTime(String task, long[] ms) {
        out.printf(
                "      %4d %4d %4d  %s%n",
                ms[0], ms[1], ms[2], task.length() > 90 ? task.substring(0, 90) + "..." : task);
    }

    record Correctness(long expected, long found, long missing, long invented, long late) {
        boolean correct() {
            return missing == 0 && invented == 0 && late == 0;
        }
    }

    private static Correctness check(Map<String, Set<MisfireRule>> expected, LocalInfrastructure infra)
            throws SQLException {
        long expectedCount = expected.values().stream().mapToLong(Set::size).sum();
        long found = 0;
        long matching = 0;
        long late;
        try (Connection c = DriverManager.getConnection(infra.jdbcUrl(), LocalInfrastructure.POSTGRES_USER, "");
                Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT send_id, rule FROM misfires")) {
                while (rs.next()) {
                    found++;
                    if (expected.getOrDefault(rs.getString(1), Set.of())
                            .contains(MisfireRule.valueOf(rs.getString(2)))) {
                        matching++;
                    }
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM dead_letters WHERE reason = 'LATE_EVENT'")) {
                rs.next();
                late = rs.getLong(1);
            }
        }
        return new Correctness(expectedCount, found, expectedCount - matching, found - matching, late);
    }

    /** The first 20,000 texts of the generated tickets and reviews, for the scorer alone. */
    private static List<String> feedbackTexts(DemoWorld world, PulseConfig config) {
        EnvelopeDecoder decoder =
                new EnvelopeDecoder(new InputTopics(config.topics()), new EventTimeGuard(config.eventTime()));
        List<String> texts = new ArrayList<>();
        for (DemoWorld.Event e : world.events()) {
            if (texts.size() >= 20_000) {
                break;
            }
            Object payload = decoder.decode(e.topic(), 0, 0, null, e.value()).getPayload();
            String text = payload instanceof TicketEvent ticket
                    ? SentimentScorer.textOf(ticket.getSubject(), ticket.getBody())
                    : payload instanceof Review review
                            ? SentimentScorer.textOf(review.getTitle(), review.getBody())
                            : null;
            if (text != null) {
                texts.add(text);
            }
        }
        return texts;
    }

    /** The scorer alone on one thread, over the generated tickets' and reviews' texts. */
    private static double scorerTextsPerSecond(List<String> texts) {
        if (texts.isEmpty()) {
            return 0;
        }
        SentimentScorer scorer = SentimentScorer.shared();
        double sink = 0;
        long warmUpEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        int i = 0;
        while (System.nanoTime() < warmUpEnd) {
            sink += scorer.score(texts.get(i++ % texts.size()));
        }
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(3);
        long scored = 0;
        while (System.nanoTime() < end) {
            sink += scorer.score(texts.get(i++ % texts.size()));
            scored++;
        }
        double rate = scored / ((System.nanoTime() - start) / 1e9);
        return sink == Double.MAX_VALUE ? 0 : rate; // sink keeps the scoring from being optimised away
    }

    private Map<String, Object> figures(
            Preloaded backlog,
            Rate passthrough,
            PipelineRun pipeline,
            Correctness correctness,
            double latencyRate,
            Map<String, LiveLatency.Result> latency,
            PulseConfig config,
            double scorer) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("cores", Runtime.getRuntime().availableProcessors());
        // The JIT and heap options the figures were measured under (what PULSE_JIT_OPTS and
        // PULSE_JAVA_OPTS gave the launcher).
        f.put(
                "jvm_options",
                ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                        .filter(a -> a.startsWith("-XX:") || a.startsWith("-Xm"))
                        .toList());
        f.put("events", backlog.events());
        f.put("customers", settings.customers());
        f.put("partitions", settings.partitions());
        f.put("parallelism", settings.parallelism());
        f.put("correct", correctness.correct());
        // A wrong run has no throughput: its speed would be the speed of computing something else.
        f.put(
                "pipeline_events_per_s",
                correctness.correct() ? Math.round(pipeline.rate().perSecond()) : null);
        // The events the rate is timed over: those applied before the job waited for the end of the input.
        f.put("pipeline_events_timed", pipeline.rate().events());
        // The same run after the CRM's history: the mix of a live day, and the latency feed's basis.
        f.put(
                "pipeline_day_events_per_s",
                correctness.correct() && pipeline.day() != null
                        ? Math.round(pipeline.day().perSecond())
                        : null);
        f.put("passthrough_events_per_s", Math.round(passthrough.perSecond()));
        f.put(
                "pipeline_to_passthrough",
                correctness.correct() && passthrough.perSecond() > 0
                        ? round(pipeline.rate().perSecond() / passthrough.perSecond(), 3)
                        : null);
        f.put("pipeline_catch_up_s", round(pipeline.catchUpSeconds(), 1));
        // CPU per event over the same spans as the rates: what a change costs or saves, measurable
        // even when the machine's other load moves the rates from run to run.
        Map<String, Object> cpu = new LinkedHashMap<>();
        cpu.put("pipeline", Math.round(pipeline.rate().cpuMicrosPerEvent()));
        cpu.put("passthrough", Math.round(passthrough.cpuMicrosPerEvent()));
        f.put("cpu_us_per_event", cpu);
        // Over the same spans: what a change that keeps more on the heap costs in collections
        // (the pauses of young and full collections; G1's concurrent marking is not in them).
        Map<String, Object> gc = new LinkedHashMap<>();
        gc.put("pipeline", round(pipeline.rate().gcPauseShare(), 3));
        gc.put("passthrough", round(passthrough.gcPauseShare(), 3));
        f.put("gc_pause_share", gc);
        f.put("checkpoint_interval_ms", settings.checkpointInterval().toMillis());
        f.put("checkpoint_ms", percentiles(pipeline.checkpointMs(), false));
        f.put("checkpoint_bytes", percentiles(pipeline.checkpointBytes(), false));
        f.put(
                "state_bytes_per_customer",
                pipeline.stateBytes() < 0 ? null : Math.round((double) pipeline.stateBytes() / settings.customers()));
        // From a send's append to Kafka to the first of its misfires received by a read_committed
        // consumer, on a live feed at half the rate measured for the day's events.
        f.put(
                "latency_ms_at_least_once",
                percentiles(latency.get(PulseConfig.Kafka.AT_LEAST_ONCE).latenciesMs(), true));
        f.put(
                "latency_ms_exactly_once",
                percentiles(latency.get(PulseConfig.Kafka.EXACTLY_ONCE).latenciesMs(), true));
        Map<String, Object> feed = new LinkedHashMap<>();
        feed.put("target_events_per_s", Math.round(latencyRate));
        latency.forEach((delivery, r) ->
                feed.put("published_events_per_s_" + delivery.replace('-', '_'), Math.round(r.publishedPerSecond())));
        feed.put("seconds", settings.latencyFeed().toSeconds());
        feed.put("warm_up_seconds", settings.latencyWarmUp().toSeconds());
        feed.put("max_out_of_orderness_ms", settings.latencyOutOfOrderness().toMillis());
        feed.put("max_publication_delay_ms", settings.latencyPublicationDelay().toMillis());
        feed.put("idleness_ms", config.eventTime().idleness().toMillis());
        latency.forEach((delivery, r) -> {
            String run = delivery.replace('-', '_');
            // How much of the latency is the watermark's wait for every input partition to move on.
            feed.put("watermark_lag_ms_" + run, percentiles(r.watermarkLagMs(), true));
            // What the feed kept of its promise (event-time.max-publication-delay), and what it cost when it did not.
            feed.put("publication_delay_ms_" + run, percentiles(r.publicationDelayMs(), true));
            // The same sends' latency counted from their hand-over to the feed's producer: the
            // latency above plus the producer's and the broker's delays before the append.
            feed.put("latency_from_handover_ms_" + run, percentiles(r.handoverLatenciesMs(), true));
            // The sends of the warm-up before the measured span: the job's first seconds live.
            feed.put("latency_warm_up_ms_" + run, percentiles(r.warmUpLatenciesMs(), true));

            feed.put("late_events_" + run, r.lateEvents());
        });
        f.put("latency_feed", feed);
        // Printed per run already (p99 by second); in the JSON for a closer look at where a tail came from.
        Map<String, Object> perSecond = new LinkedHashMap<>();
        latency.forEach((delivery, r) -> perSecond.put(delivery.replace('-', '_'), bySecond(r)));
        f.put("latency_by_second_ms", perSecond);
        f.put("scorer_texts_per_s", Math.round(scorer));
        Map<String, Object> ground = new LinkedHashMap<>();
        ground.put("expected_misfires", correctness.expected());
        ground.put("found", correctness.found());
        ground.put("missing", correctness.missing());
        ground.put("invented", correctness.invented());
        ground.put("late_events", correctness.late());
        f.put("ground_truth", ground);
        return f;
    }

    /** The latencies by the second of the feed the sends were published in: one entry per second. */
    private static List<Map<String, Object>> bySecond(LiveLatency.Result r) {
        List<Map<String, Object>> seconds = new ArrayList<>();
        r.latenciesBySecondMs().forEach((second, values) -> {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("second", second);
            s.putAll(percentiles(values, true));
            seconds.add(s);
        });
        return seconds;
    }

    private static Map<String, Object> percentiles(List<Long> values, boolean withP99) {
        Map<String, Object> p = new LinkedHashMap<>();
        if (values.isEmpty()) {
            p.put("count", 0);
            p.put("p50", null);
            if (withP99) {
                p.put("p99", null);
            }
            p.put("max", null);
            return p;
        }
        long[] sorted = values.stream().mapToLong(Long::longValue).sorted().toArray();
        p.put("count", sorted.length);
        p.put("p50", sorted[(sorted.length - 1) / 2]);
        if (withP99) {
            p.put("p99", sorted[(int) Math.ceil(0.99 * sorted.length) - 1]);
        }
        p.put("max", sorted[sorted.length - 1]);
        return p;
    }

    private void table(Map<String, Object> f) {
        out.println();
        out.println("  figure                          value");
        f.forEach((k, v) -> {
            if (!k.equals("latency_by_second_ms")) {
                out.printf("  %-31s %s%n", k, v == null ? "not measured" : v);
            }
        });
    }

    private static double round(double v, int digits) {
        double scale = Math.pow(10, digits);
        return Math.round(v * scale) / scale;
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static void deleteQuietly(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (Exception e) {
            // A temporary folder: best effort.
        }
    }

    /** Samples a record counter and the job's checkpoint gauges every 100 ms. */
    static final class Sampler implements Runnable {
        /** The shortest span a part of a run is timed over: ten samples. */
        static final long LEAST_SPAN_NANOS = TimeUnit.SECONDS.toNanos(1);

        private static final com.sun.management.OperatingSystemMXBean PROCESS =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        private static final List<GarbageCollectorMXBean> COLLECTORS = ManagementFactory.getGarbageCollectorMXBeans();
        private final LongSupplier in;
        private final LongSupplier done;
        private final List<long[]> samples = new ArrayList<>();
        private final List<Long> checkpointMs = new ArrayList<>();
        private final List<Long> checkpointBytes = new ArrayList<>();
        private final Thread thread;
        private volatile boolean running = true;
        /** Where the last {@link #stop} ended the measurement. */
        private long[] end;

        private Sampler(LongSupplier in, LongSupplier done) {
            this.in = in;
            this.done = done;
            this.thread = new Thread(this, "bench-sampler");
            thread.setDaemon(true);
        }

        /** A job whose measured operator is done with a record when it takes it in (the pass-through's sink). */
        static Sampler start(LongSupplier in) {
            return start(in, in);
        }

        /**
         * @param in records taken in by the measured operator
         * @param done records it is done with: the per-customer step holds each event until the
         *     watermark passes it, so taking an event in is not yet processing it
         */
        static Sampler start(LongSupplier in, LongSupplier done) {
            Sampler s = new Sampler(in, done);
            s.thread.start();
            return s;
        }

        @Override
        public void run() {
            long completed = 0;
            while (running) {
                sample();
                long n = MetricProbe.jobGauge("numberOfCompletedCheckpoints");
                if (n > completed) {
                    completed = n;
                    synchronized (this) {
                        checkpointMs.add(MetricProbe.jobGauge("lastCheckpointDuration"));
                        checkpointBytes.add(MetricProbe.jobGauge("lastCheckpointFullSize"));
                    }
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private synchronized void sample() {
            samples.add(new long[] {
                System.nanoTime(), in.getAsLong(), PROCESS.getProcessCpuTime(), done.getAsLong(), gcPauseMillis()
            });
        }

        /** Milliseconds this process has been paused for garbage collection so far (every collector). */
        static long gcPauseMillis() {
            long total = 0;
            for (GarbageCollectorMXBean gc : COLLECTORS) {
                total += Math.max(0, gc.getCollectionTime());
            }
            return total;
        }

        /** Records done so far. */
        long done() {
            return done.getAsLong();
        }

        /**
         * Stops sampling; the rate from the last sample without records in to the end of the
         * measurement ({@link #end}).
         */
        Rate stop(double share, long stalledNanos) throws InterruptedException {
            running = false;
            thread.join();
            sample();
            synchronized (this) {
                long[] start = samples.get(0);
                for (long[] s : samples) {
                    if (s[1] <= 0) {
                        start = s;
                    }
                }
                end = end(samples, share, stalledNanos);
                return Rate.between(Math.max(end[3], 0), start, end);
            }
        }

        /**
         * After {@link #stop}: the rate from the first sample in which {@code doneBefore} records
         * were done to where the measurement ended; null if that span is under {@link
         * #LEAST_SPAN_NANOS} or fewer than 1,000 records.
         */
        synchronized Rate since(long doneBefore) {
            return since(samples, end, doneBefore);
        }

        static Rate since(List<long[]> samples, long[] end, long doneBefore) {
            for (long[] s : samples) {
                if (s[0] > end[0]) {
                    return null;
                }
                if (s[3] >= doneBefore) {
                    long events = end[3] - s[3];
                    return end[0] - s[0] < LEAST_SPAN_NANOS || events < 1_000 ? null : Rate.between(events, s, end);
                }
            }
            return null;
        }

        /**
         * Where a measurement ends, in samples of {time, records in, CPU time, records done, GC
         * pause milliseconds}: at the first sample in which the operator was done with {@code
         * share} of the records it
         * took in, or earlier, where it stopped being done with more once most were done ({@link
         * #STALLED_SHARE}): at the first sample with the count it then kept for {@code
         * stalledNanos}. (A stall before that is the job's own: at a start, event time waits for
         * the campaigns to settle while the customer events are read.) The pipeline's last events
         * wait for the watermark, which passes them once the input's end is detected
         * (event-time.idleness after the last read of the sparsest partition): a wait that
         * depends on when that partition was read, not on how fast the job runs. Timing it made
         * runs of the same build report 16,139 and 8,405 events/s. The last records may still
         * trickle in during that wait (57 over 15 s in one run): it is that wait all the same.
         */
        static long[] end(List<long[]> samples, double share, long stalledNanos) {
            long[] last = samples.get(samples.size() - 1);
            long taken = last[1];
            long target = (long) Math.ceil(share * taken);
            for (int i = 0; i < samples.size(); i++) {
                long[] s = samples.get(i);
                if (s[3] >= target) {
                    return s;
                }
                if (s[3] >= STALLED_SHARE * taken && stalledFrom(samples, i, stalledNanos)) {
                    int first = i;
                    while (first > 0 && samples.get(first - 1)[3] == s[3]) {
                        first--;
                    }
                    return samples.get(first);
                }
            }
            return last;
        }

        /** Whether the count of records done stays what it is at sample {@code i} for {@code nanos}. */
        private static boolean stalledFrom(List<long[]> samples, int i, long nanos) {
            long[] s = samples.get(i);
            for (int j = i + 1; j < samples.size(); j++) {
                long[] later = samples.get(j);
                if (later[3] != s[3]) {
                    return false;
                }
                if (later[0] - s[0] >= nanos) {
                    return true;
                }
            }
            return false;
        }

        Rate stop() throws InterruptedException {
            return stop(1.0, Long.MAX_VALUE);
        }

        synchronized List<Long> checkpointMs() {
            return List.copyOf(checkpointMs);
        }

        synchronized List<Long> checkpointBytes() {
            return List.copyOf(checkpointBytes);
        }
    }
}
