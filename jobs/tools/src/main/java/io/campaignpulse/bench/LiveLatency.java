package io.campaignpulse.bench;

import io.campaignpulse.config.ConfigLoader;
import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.contract.CampaignSend;
import io.campaignpulse.contract.ConsentChange;
import io.campaignpulse.contract.HoldingChange;
import io.campaignpulse.contract.Review;
import io.campaignpulse.contract.TicketEvent;
import io.campaignpulse.contract.WireFormat;
import io.campaignpulse.demo.DemoWorld;
import io.campaignpulse.demo.LocalInfrastructure;
import io.campaignpulse.demo.LocalJob;
import io.campaignpulse.ingest.EnvelopeDecoder;
import io.campaignpulse.ingest.EventTimeGuard;
import io.campaignpulse.ingest.InputTopics;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The latency phase of {@code pulse bench}: the pipeline on a live feed at a fixed rate, each
 * send's misfires timed from the send's append to Kafka (the broker's log append time: the run's
 * input topics are created with {@code message.timestamp.type=LogAppendTime}) to the moment a
 * {@code read_committed} consumer of the misfires topic receives the first of them; and also from
 * the moment the send was handed to the feed's producer, which adds the producer's and the broker's
 * own delays. Live means
 * what a production feed is: every event's time is the wall-clock time it is published (the
 * generated day's records, re-stamped), so the job's watermark follows the clock and a send is
 * judged once every input partition has moved past it. Each run has its own topics, consumer
 * group and transactional ids, and starts from empty state. Its feed warms up before the measured
 * span: a job's first seconds live (the JIT compiling the live code paths, event time waiting at
 * the feed's start) are its start, timed and printed apart, not its steady state.
 */
final class LiveLatency {

    /**
     * @param latenciesMs one per send with a misfire, published inside the measured span: from its
     *     append to Kafka
     * @param handoverLatenciesMs the same sends' latencies from their hand-over to the producer
     * @param latenciesBySecondMs the latencies from the append again, by the second of the measured
     *     span in which the send was published (0 is its first): whether a tail is the span's first
     *     seconds or spread over it
     * @param warmUpLatenciesMs the same for the sends of the feed's warm-up, before the measured
     *     span: what the job's first seconds live cost, printed beside the figures, not in them
     * @param watermarkLagMs the wall clock minus the watermark of the customer events, sampled
     *     during the measured span: how much of the latency is waiting for event time to move
     * @param publishedPerSecond the rate the feed achieved (below the target if this machine could
     *     not keep up)
     * @param publicationDelayMs per record of the feed, from its event time to the broker's
     *     acknowledgement (acks=all): an upper bound of how long after its event time it became
     *     readable, what event-time.max-publication-delay promises
     * @param lateEvents the customer events the job refused as LATE_EVENT
     */
    record Result(
            List<Long> latenciesMs,
            List<Long> handoverLatenciesMs,
            SortedMap<Long, List<Long>> latenciesBySecondMs,
            List<Long> warmUpLatenciesMs,
            List<Long> watermarkLagMs,
            List<Long> publicationDelayMs,
            long published,
            double publishedPerSecond,
            double seconds,
            long lateEvents) {}

    /** One record of the feed: where it goes, its key, and either a record to re-stamp or bytes to send as they are. */
    private record FeedRecord(String topic, byte[] key, SpecificRecord record, byte[] raw) {}

    /** A record for one input partition, published before the job starts (see {@link #primers}). */
    private record Primer(String topic, int partition, byte[] key, SpecificRecord record) {}

    /**
     * The share of the feed at each end left out of the figures (at most {@link #EDGE_CAP_MS}): at
     * the start the sources' first fetches, at the end the last sends, which wait until the quiet
     * partitions are declared idle (event-time.idleness) rather than for the next records.
     */
    private static final double EDGE_SHARE = 0.1;

    private static final long EDGE_CAP_MS = 2000;

    private static final long TAIL_MS = 30_000;

    private final LocalInfrastructure infra;
    private final PulseConfig base;
    private final PrintStream out;

    LiveLatency(LocalInfrastructure infra, PulseConfig base, PrintStream out) {
        this.infra = infra;
        this.base = base;
        this.out = out;
    }

    /**
     * @param world generates the world the history and the feed are taken from: once per run, and
     *     dropped before the job starts
     * @param delivery kafka.delivery for this run
     * @param overrides the benchmark's configuration overrides, to which this run adds its own
     *     topics, group, transactional ids, delivery, event-time.max-out-of-orderness and
     *     event-time.max-publication-delay
     */
    Result measure(
            Supplier<DemoWorld> world,
            String delivery,
            double rate,
            Duration feedFor,
            Duration warmUp,
            Duration outOfOrderness,
            Duration publicationDelay,
            Map<String, String> overrides,
            Path configFile,
            int partitions,
            Path workDir)
            throws Exception {
        String prefix = "latency-" + delivery + "-";
        Map<String, String> own = new HashMap<>(overrides);
        PulseConfig.Topics t = base.topics();
        RenamedTopics topics = RenamedTopics.of(t, prefix);
        own.putAll(topics.overrides());
        Map<String, String> renamed = topics.renamed();
        own.put("kafka.group-id", base.kafka().groupId() + "-bench-" + prefix + "run");
        own.put("kafka.transactional-id-prefix", base.kafka().transactionalIdPrefix() + "-bench-" + prefix + "run");
        own.put("kafka.delivery", delivery);
        own.put("kafka.starting-offsets", "earliest");
        own.put("event-time.max-out-of-orderness", outOfOrderness.toMillis() + "ms");
        own.put("event-time.max-publication-delay", publicationDelay.toMillis() + "ms");
        PulseConfig config = new ConfigLoader().load(configFile, own);
        // The broker stamps each input record with the time it appends it, so that a producer's
        // acknowledgement says when the record was appended. (The job reads its event times from
        // the records, never from their Kafka timestamps.)
        infra.createTopics(
                config.topics(),
                partitions,
                Map.of(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, TimestampType.LOG_APPEND_TIME.name));

        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            long t0 = System.nanoTime();
            Prepared prepared =
                    publishHistory(world.get(), producer, t, renamed, rate, warmUp.plus(feedFor), partitions);
            out.printf(
                    "    generated the world again and published its campaigns and history in %.1f s%n",
                    (System.nanoTime() - t0) / 1e9);
            List<FeedRecord> feed = prepared.feed();
            List<Primer> primers = prepared.primers();
            long primedAt = System.currentTimeMillis();
            for (Primer primer : primers) {
                stamp(primer.record(), primedAt);
                producer.send(new ProducerRecord<>(
                        primer.topic(),
                        primer.partition(),
                        primedAt,
                        primer.key(),
                        WireFormat.singleObject(primer.record())));
            }
            producer.flush();

            MetricProbe.reset();
            try (LocalJob job = LocalJob.start(config, workDir, null, MetricProbe.install());
                    MisfireReceipts receipts = new MisfireReceipts(
                            config.kafka().bootstrapServers(), config.topics().misfires())) {
                awaitRead("Campaigns: valid records", "campaigns", prepared.campaigns());
                awaitRead(Bench.PIPELINE_OPERATOR, "CRM history records", prepared.historyValid());
                // Applied means event time has moved, so the campaigns topic has also settled
                // (event-time.campaigns-settle): no send of the feed waits for its campaign.
                awaitHistoryApplied(prepared.historyValid());
                awaitHistoryCheckpointed();

                Map<String, Long> publishedAt = new HashMap<>();
                Map<String, Long> appendedAt = new ConcurrentHashMap<>();
                // A generated day too small for the whole feed still leaves a third of it to follow the
                // measured span: its last sends are judged when later records arrive, not when the
                // quiet partitions are declared idle. The warm-up then takes at most half of the rest.
                long spanned = feed.size() - feed.size() / 3;
                long warm = Math.min((long) Math.ceil(rate * warmUp.toMillis() / 1000.0), spanned / 2);
                long measured = Math.min((long) Math.ceil(rate * feedFor.toMillis() / 1000.0), spanned - warm);
                List<Long> lag = new ArrayList<>();
                List<Long> delays = Collections.synchronizedList(new ArrayList<>());
                Feed run = publish(producer, feed, rate, warm, measured, publishedAt, appendedAt, lag, delays);
                // Measured after the warm-up, or without one once the sources have made their first fetches.
                long from = warm > 0
                        ? run.measuredFrom()
                        : run.start() + Math.min(EDGE_CAP_MS, (long) ((run.until() - run.start()) * EDGE_SHARE));

                // Every measured send is judged once every instance's watermark has passed the last one.
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
                while (watermark() < run.until() && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                if (config.kafka().exactlyOnce()) {
                    // Visible once committed: by the first checkpoint triggered from here on. Its
                    // barrier leaves the sources after the watermark that judged the last sends, so
                    // their misfires are written before it (aligned checkpoints).
                    awaitCheckpointTriggeredFromNow(deadline);
                }
                Thread.sleep(1000); // for the consumer's next fetch
                receipts.checkFailure();
                List<Long> latencies = new ArrayList<>();
                List<Long> fromHandover = new ArrayList<>();
                SortedMap<Long, List<Long>> bySecond = new TreeMap<>();
                List<Long> warmingUp = new ArrayList<>();
                receipts.firstSeen().forEach((sendId, seen) -> {
                    Long sent = publishedAt.get(sendId);
                    if (sent == null || sent > run.until() || (sent < from && sent >= run.measuredFrom())) {
                        return;
                    }
                    Long appended = appendedAt.get(sendId);
                    if (appended == null) { // every send was acknowledged before the feed's flush returned
                        throw new IllegalStateException("no append time for send " + sendId);
                    }
                    if (sent < run.measuredFrom()) {
                        warmingUp.add(seen - appended);
                    } else {
                        latencies.add(seen - appended);
                        fromHandover.add(seen - sent);
                        bySecond.computeIfAbsent((sent - run.measuredFrom()) / 1000, s -> new ArrayList<>())
                                .add(seen - appended);
                    }
                });
                long late = MetricProbe.operatorCount(Bench.PIPELINE_OPERATOR, "lateRecords");
                // Stopped, not cancelled: see Bench.warmUp.
                job.stopWithSavepoint();
                double seconds = (run.until() - run.measuredFrom()) / 1000.0;
                return new Result(
                        latencies,
                        fromHandover,
                        bySecond,
                        warmingUp,
                        lag,
                        List.copyOf(delays),
                        measured,
                        seconds > 0 ? measured / seconds : 0,
                        seconds,
                        Math.max(0, late));
            }
        }
    }

    /** What a run keeps of its world once what comes before the job is in Kafka. */
    private record Prepared(int campaigns, long historyValid, List<FeedRecord> feed, List<Primer> primers) {}

    /**
     * Publishes the campaign directory and the CRM's history (holdings and consent from before the
     * day), which are there before the job starts: the job knows its customers before the live
     * feed starts, as a job that has been running does. Returns the feed and the primers, and
     * nothing that holds on to the world: it is not to stay on this JVM's heap while the job is
     * timed (see {@link Bench.Preloaded}).
     */
    private Prepared publishHistory(
            DemoWorld world,
            KafkaProducer<byte[], byte[]> producer,
            PulseConfig.Topics t,
            Map<String, String> renamed,
            double rate,
            Duration feedFor,
            int partitions) {
        List<DemoWorld.Event> campaigns = world.events().stream()
                .filter(e -> e.topic().equals(t.campaigns()))
                .toList();
        List<DemoWorld.Event> history = historyInEventTimeOrder(world);
        EnvelopeDecoder decoder = new EnvelopeDecoder(new InputTopics(t), new EventTimeGuard(base.eventTime()));
        long historyValid = history.stream()
                .filter(e -> stampable(
                        decoder.decode(e.topic(), 0, 0, null, e.value()).getPayload()))
                .count();
        for (List<DemoWorld.Event> before : List.of(campaigns, history)) {
            for (DemoWorld.Event e : before) {
                producer.send(new ProducerRecord<>(renamed.get(e.topic()), keyBytes(e.key()), e.value()));
            }
        }
        // The measured span, and after it as long again (at most TAIL_MS) that keeps the feed live
        // until the job has judged the span's last sends.
        List<DemoWorld.Event> day = world.events().stream()
                .filter(e -> !e.topic().equals(t.campaigns()) && e.publishAt() >= world.playFrom())
                .toList();
        int feedFrom = feedStart(day, t, (long)
                Math.ceil(rate * (feedFor.toMillis() + Math.min(feedFor.toMillis(), TAIL_MS)) / 1000.0));
        return new Prepared(
                campaigns.size(),
                historyValid,
                feed(day, feedFrom, decoder, renamed),
                primers(day, t, decoder, renamed, partitions));
    }

    /**
     * Where the feed starts in the generated day (its records after the CRM history): the day's
     * last {@code count} records, or from its first send if it has fewer. The day's last records
     * because later in the day every input is busy, while in the morning the sends go out before
     * any ticket or review about them and the quiet inputs would go idle.
     */
    private static int feedStart(List<DemoWorld.Event> day, PulseConfig.Topics t, long count) {
        int first = 0;
        while (first < day.size() && !day.get(first).topic().equals(t.campaignSends())) {
            first++;
        }
        return (int) Math.max(first, day.size() - count);
    }

    /**
     * The feed: the day's records from {@code first} on, decoded once here so that publishing only
     * re-stamps and encodes.
     */
    private static List<FeedRecord> feed(
            List<DemoWorld.Event> day, int first, EnvelopeDecoder decoder, Map<String, String> renamed) {
        List<FeedRecord> feed = new ArrayList<>();
        for (int i = first; i < day.size(); i++) {
            DemoWorld.Event e = day.get(i);
            Object payload = decoder.decode(e.topic(), 0, 0, null, e.value()).getPayload();
            SpecificRecord record = stampable(payload) ? (SpecificRecord) payload : null;
            // A record the job refuses (the day's planted bad records) goes out as it is: a dead letter.
            feed.add(new FeedRecord(
                    renamed.get(e.topic()), keyBytes(e.key()), record, record == null ? e.value() : null));
        }
        return feed;
    }

    /**
     * One record for every partition of every customer-event topic, published before the job
     * starts and stamped with the wall clock then. Once the job has read them, every partition has
     * delivered a record later than the CRM history, so event time moves past the history at once:
     * a partition that has never delivered a record would hold it back until the job has run 30 s,
     * as a new partition does in production. They are the day's last records of each topic, which
     * are never measured (the feed's last third only keeps the input live), so a send the feed may
     * send again is not timed. A partition the day has no record for is left empty.
     */
    private static List<Primer> primers(
            List<DemoWorld.Event> day,
            PulseConfig.Topics t,
            EnvelopeDecoder decoder,
            Map<String, String> renamed,
            int partitions) {
        List<Primer> primers = new ArrayList<>();
        for (String topic : t.customerEvents()) {
            int partition = 0;
            for (int i = day.size() - 1; i >= 0 && partition < partitions; i--) {
                DemoWorld.Event e = day.get(i);
                if (!e.topic().equals(topic)) {
                    continue;
                }
                Object payload =
                        decoder.decode(e.topic(), 0, 0, null, e.value()).getPayload();
                if (stampable(payload)) {
                    primers.add(
                            new Primer(renamed.get(topic), partition++, keyBytes(e.key()), (SpecificRecord) payload));
                }
            }
        }
        return primers;
    }

    /**
     * The CRM's history in event-time order. These runs give the job the live feed's
     * event-time.max-out-of-orderness (0 by default: the feed is in order), but the generated
     * history comes a little out of order, as a CRM changelog does; published in its own order,
     * a few of its last changes fell behind their partition's watermark and were refused as
     * LATE_EVENTs (1-7 in most 1,000,000-customer runs).
     */
    static List<DemoWorld.Event> historyInEventTimeOrder(DemoWorld world) {
        return world.customerEventsBeforePlayback().stream()
                .sorted(Comparator.comparingLong(DemoWorld.Event::eventTime))
                .toList();
    }

    /** Whether the payload is a customer event whose time the feed can set. */
    private static boolean stampable(Object payload) {
        return payload instanceof CampaignSend
                || payload instanceof HoldingChange
                || payload instanceof ConsentChange
                || payload instanceof TicketEvent
                || payload instanceof Review;
    }

    /** Sets the record's event time (a {@link #stampable} one). */
    private static void stamp(SpecificRecord r, long epochMillis) {
        Instant at = Instant.ofEpochMilli(epochMillis);
        if (r instanceof CampaignSend s) {
            s.setSentAt(at);
        } else if (r instanceof HoldingChange h) {
            h.setChangedAt(at);
        } else if (r instanceof ConsentChange c) {
            c.setChangedAt(at);
        } else if (r instanceof TicketEvent te) {
            te.setOccurredAt(at);
        } else if (r instanceof Review rv) {
            rv.setOccurredAt(at);
        }
    }

    /** When the feed started, and its measured span started and ended (wall-clock milliseconds). */
    private record Feed(long start, long measuredFrom, long until) {}

    /**
     * Publishes the feed at {@code rate} records per second, each stamped with the wall-clock time
     * it is handed to the producer (its event time), and notes when each send was first handed over
     * and when the broker appended it (the log append time its acknowledgement carries). The first
     * {@code warm} records are the warm-up, the {@code measured} after them the measured span; the
     * rest keep the input live, as it would be, until every instance's watermark has passed the span.
     */
    private static Feed publish(
            KafkaProducer<byte[], byte[]> producer,
            List<FeedRecord> feed,
            double rate,
            long warm,
            long measured,
            Map<String, Long> publishedAt,
            Map<String, Long> appendedAt,
            List<Long> watermarkLag,
            List<Long> publicationDelays) {
        AtomicReference<Exception> failure = new AtomicReference<>();
        long startNanos = System.nanoTime();
        long start = System.currentTimeMillis();
        long measuredFrom = start;
        long until = Long.MAX_VALUE;
        long end = warm + measured;
        // Sampled like the latency: through the measured span, without a warm-up from the end of the
        // feed's first tenth (at most EDGE_CAP_MS) on.
        long edgeMs = warm > 0 ? 0 : Math.min(EDGE_CAP_MS, (long) (measured / rate * 1000 * EDGE_SHARE));
        for (int i = 0; i < feed.size(); i++) {
            if (i % 100 == 0) {
                long watermark = watermark();
                if (i >= end && watermark >= until) {
                    break;
                }
                long sampledAt = System.currentTimeMillis();
                if (i >= warm && i < end && sampledAt >= measuredFrom + edgeMs) {
                    // Event time before the feed (the history's) counts as the feed's start.
                    watermarkLag.add(sampledAt - Math.max(watermark, start));
                }
            }
            long wait = startNanos + (long) (i * 1e9 / rate) - System.nanoTime();
            if (wait > 100_000) {
                LockSupport.parkNanos(wait);
            }
            FeedRecord f = feed.get(i);
            long now = System.currentTimeMillis();
            if (i == warm) {
                measuredFrom = now;
            }
            byte[] value;
            String timedSend = null;
            if (f.record() != null) {
                stamp(f.record(), now);
                value = WireFormat.singleObject(f.record());
                if (i < end && f.record() instanceof CampaignSend s && !publishedAt.containsKey(s.getSendId())) {
                    timedSend = s.getSendId();
                    publishedAt.put(timedSend, now);
                }
            } else {
                value = f.raw();
            }
            boolean stamped = f.record() != null;
            String send = timedSend;
            producer.send(new ProducerRecord<>(f.topic(), null, now, f.key(), value), (metadata, error) -> {
                if (error != null) {
                    failure.compareAndSet(null, error);
                } else if (stamped) {
                    publicationDelays.add(System.currentTimeMillis() - now);
                    if (send != null) {
                        appendedAt.put(send, metadata.timestamp());
                    }
                }
            });
            if (failure.get() != null) {
                throw new IllegalStateException("publishing the live feed failed", failure.get());
            }
            if (i == end - 1) {
                until = now;
            }
        }
        producer.flush();
        return new Feed(start, measuredFrom, until == Long.MAX_VALUE ? System.currentTimeMillis() : until);
    }

    /**
     * How far event time has reached in every instance of the per-customer step: the smallest
     * watermark among the instances of the step that feeds it the customer events. (The step's
     * own combined gauge also takes the campaign directory's, which is idle and never moves.)
     */
    private static long watermark() {
        return MetricProbe.operatorGaugeMin("Customer events: valid records", "currentInputWatermark");
    }

    /**
     * Until the operator has taken in {@code count} records, or (a record the count expected may
     * have been refused on the way) its count has not moved for 5 s.
     */
    private void awaitRead(String operator, String what, long count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        long seen = -1;
        long movedAt = System.nanoTime();
        while (true) {
            long now = MetricProbe.operatorCount(operator, "numRecordsIn");
            if (now >= count) {
                break;
            }
            if (now != seen) {
                seen = now;
                movedAt = System.nanoTime();
            } else if (now > 0 && System.nanoTime() - movedAt > TimeUnit.SECONDS.toNanos(5)) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "the latency run's job did not read its " + count + " " + what + " within 3 minutes");
            }
            Thread.sleep(100);
        }
        out.printf("    job read %,d %s%n", MetricProbe.operatorCount(operator, "numRecordsIn"), what);
    }

    /**
     * Until the job has applied the CRM history, before the live feed starts: a job that has been
     * running knows its customers, and applying the history in one burst as the feed starts
     * would queue the first seconds of the feed behind it. Its events wait for the watermark, which
     * passes them once the job has read a primer from every input partition ({@link #primers}).
     */
    private void awaitHistoryApplied(long history) throws InterruptedException {
        long started = System.nanoTime();
        long deadline = started + TimeUnit.MINUTES.toNanos(2);
        while (MetricProbe.operatorCount(Bench.PIPELINE_OPERATOR, "eventsApplied") < 0.99 * history) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the latency run's job did not apply the CRM history within 2 minutes");
            }
            Thread.sleep(100);
        }
        out.printf(
                "    job applied the history (%,d events) %.1f s later%n",
                MetricProbe.operatorCount(Bench.PIPELINE_OPERATOR, "eventsApplied"),
                (System.nanoTime() - started) / 1e9);
    }

    /**
     * Until a checkpoint has taken the applied history, before the live feed starts. The history
     * comes in one burst of about a million state writes that the next checkpoint flushes from
     * RocksDB's memtables in its synchronous phase: at 1,000,000 customers that checkpoint took
     * 2.2-2.3 s, not the 0.4-0.9 s of the ones after it, and stopped the per-customer tasks for
     * about 2 s, so the sends of the feed's first seconds waited up to 2.4 s for their misfires.
     * A job that has been running is past it, as it is past reading the history.
     */
    private void awaitHistoryCheckpointed() throws InterruptedException {
        long started = System.nanoTime();
        if (!awaitCheckpointTriggeredFromNow(started + TimeUnit.MINUTES.toNanos(2))) {
            throw new IllegalStateException("the latency run's job completed no checkpoint within 2 minutes");
        }
        out.printf("    a checkpoint took the history %.1f s later%n", (System.nanoTime() - started) / 1e9);
    }

    /**
     * Until a checkpoint triggered from now on has completed (one in progress now may have started
     * before: then the one after it).
     *
     * @return false if the deadline (System.nanoTime()) passed first
     */
    private static boolean awaitCheckpointTriggeredFromNow(long deadline) throws InterruptedException {
        long inProgress = MetricProbe.jobGauge("numberOfInProgressCheckpoints");
        inProgress = inProgress < 0 ? 1 : inProgress; // not reported: the safe side
        long completed = MetricProbe.jobGauge("numberOfCompletedCheckpoints");
        while (MetricProbe.jobGauge("numberOfCompletedCheckpoints") < completed + 1 + inProgress) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(100);
        }
        return true;
    }

    private KafkaProducer<byte[], byte[]> producer() {
        Properties props = new Properties();
        props.putAll(base.kafka().clientProperties());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "1");
        // In order per partition (the feed's event time only grows), without the idempotent
        // producer (see PacedPublisher).
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static byte[] keyBytes(String key) {
        return key == null ? null : key.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A {@code read_committed} consumer of the misfires topic noting, per send, when the first of
     * its misfires arrived (the record key is "send id/rule"). It polls with a short fetch wait so
     * that what it measures is the job, not the consumer.
     */
    static final class MisfireReceipts implements AutoCloseable {
        private final Map<String, Long> firstSeen = new ConcurrentHashMap<>();
        private final AtomicReference<Exception> failure = new AtomicReference<>();
        private final Thread thread;
        private volatile boolean running = true;

        MisfireReceipts(String bootstrapServers, String topic) {
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "5");
            KafkaConsumer<byte[], byte[]> consumer =
                    new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            thread = new Thread(
                    () -> {
                        try (consumer) {
                            while (running) {
                                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                                    long now = System.currentTimeMillis();
                                    String key = new String(r.key(), StandardCharsets.UTF_8);
                                    firstSeen.putIfAbsent(key.substring(0, Math.max(key.lastIndexOf('/'), 0)), now);
                                }
                            }
                        } catch (Exception e) {
                            failure.compareAndSet(null, e);
                        }
                    },
                    "bench-misfire-receipts");
            thread.setDaemon(true);
            thread.start();
        }

        Map<String, Long> firstSeen() {
            return firstSeen;
        }

        void checkFailure() {
            if (failure.get() != null) {
                throw new IllegalStateException("reading the misfires topic failed", failure.get());
            }
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(TimeUnit.SECONDS.toMillis(10));
        }
    }
}
