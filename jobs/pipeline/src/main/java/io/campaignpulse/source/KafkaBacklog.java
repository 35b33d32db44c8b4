package io.campaignpulse.source;

import io.campaignpulse.ingest.Backlog;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backlog of a Kafka partition, looked up on the broker: caught up when no committed record
 * is left at or after the reader's next offset. The last stable offset (read_committed) answers
 * most cases at once; where it is ahead of the reader, the records in between may be only
 * transaction markers or aborted records, so a consumer of our own looks at them.
 *
 * <p>Asked only about partitions that have been quiet for {@code event-time.idleness} (and, while
 * they are idle, again every half second, so one that receives new records wakes up before the
 * others run ahead); with {@code event-time.max-publication-delay} set, about every quiet partition
 * at each periodic watermark ({@link #caughtUpAsOf}). Off the record path: the questions of every split with the same client
 * settings in a TaskManager are collected and answered by one background thread, with one
 * offsets request for all of them; the watermark generator polls for the answer.
 */
public final class KafkaBacklog implements Backlog {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaBacklog.class);

    /** An answer is used this long; after that it is looked up again. */
    static final long FRESH_MS = 500;

    private static final Map<String, Lookups> SHARED = new ConcurrentHashMap<>();

    private final Properties clientProperties;
    private transient Lookups lookups;

    /** @param clientProperties the brokers and any SASL/SSL settings */
    public KafkaBacklog(Properties clientProperties) {
        this.clientProperties = clientProperties;
    }

    @Override
    public Boolean caughtUp(String topic, int partition, long nextOffset) {
        return lookups().caughtUp(new TopicPartition(topic, partition), nextOffset);
    }

    @Override
    public long caughtUpAsOf(String topic, int partition, long nextOffset) {
        return lookups().caughtUpAsOf(new TopicPartition(topic, partition), nextOffset);
    }

    @Override
    public Boolean empty(String topic) {
        return lookups().empty(topic);
    }

    /** The TaskManager's lookups for these client settings, shared by every split that uses them. */
    private Lookups lookups() {
        if (lookups == null) {
            lookups = SHARED.computeIfAbsent(
                    new TreeMap<>(clientProperties).toString(), k -> new Lookups(clientProperties));
        }
        return lookups;
    }

    /** The answers, and the thread that finds them. */
    private static final class Lookups {
        /**
         * @param askedAt when the question left (wall clock): what the broker said was true then
         * @param lastStable the last stable offset the broker gave
         */
        private record Answer(long nextOffset, boolean caughtUp, long askedAt, long lastStable, long at) {}

        private record Emptiness(boolean empty, long at) {}

        private final Properties properties;
        private final Map<TopicPartition, Answer> answers = new ConcurrentHashMap<>();
        private final Map<TopicPartition, Long> questions = new ConcurrentHashMap<>();
        private final Map<String, Emptiness> emptiness = new ConcurrentHashMap<>();
        private final Set<String> emptinessAsked = ConcurrentHashMap.newKeySet();
        private final AtomicBoolean scheduled = new AtomicBoolean();
        private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "campaign-pulse-backlog-lookups");
            t.setDaemon(true);
            return t;
        });
        private Admin admin;
        private KafkaConsumer<byte[], byte[]> consumer;

        Lookups(Properties properties) {
            this.properties = properties;
        }

        Boolean caughtUp(TopicPartition tp, long nextOffset) {
            Answer a = answers.get(tp);
            if (a != null && a.nextOffset() == nextOffset && System.currentTimeMillis() - a.at() < FRESH_MS) {
                return a.caughtUp();
            }
            ask(tp, nextOffset);
            return null;
        }

        long caughtUpAsOf(TopicPartition tp, long nextOffset) {
            // Asked on every periodic watermark of a quiet partition: the answer follows the clock.
            ask(tp, nextOffset);
            Answer a = answers.get(tp);
            return a != null && a.nextOffset() == nextOffset && a.caughtUp() ? a.askedAt() : Long.MIN_VALUE;
        }

        private void ask(TopicPartition tp, long nextOffset) {
            questions.put(tp, nextOffset);
            if (scheduled.compareAndSet(false, true)) {
                thread.execute(this::answerAll);
            }
        }

        Boolean empty(String topic) {
            Emptiness e = emptiness.get(topic);
            if (e != null && System.currentTimeMillis() - e.at() < FRESH_MS) {
                return e.empty();
            }
            if (emptinessAsked.add(topic)) {
                thread.execute(() -> {
                    try {
                        emptiness.put(topic, new Emptiness(lookUpEmpty(topic), System.currentTimeMillis()));
                    } catch (Exception ex) {
                        LOG.warn("could not look up whether topic {} is empty ({})", topic, ex.toString());
                    } finally {
                        emptinessAsked.remove(topic);
                    }
                });
            }
            return null;
        }

        /** No committed record in any partition: the earliest offset is the last stable one everywhere. */
        private boolean lookUpEmpty(String topic) throws Exception {
            if (admin == null) {
                admin = Admin.create(properties);
            }
            Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(List.of(topic))
                    .allTopicNames()
                    .get(30, TimeUnit.SECONDS)
                    .get(topic)
                    .partitions()
                    .forEach(p -> {
                        earliest.put(new TopicPartition(topic, p.partition()), OffsetSpec.earliest());
                        latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
                    });
            var first = admin.listOffsets(earliest).all().get(30, TimeUnit.SECONDS);
            var stable = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            for (TopicPartition tp : earliest.keySet()) {
                if (stable.get(tp).offset() > first.get(tp).offset()
                        && !nothingCommittedBetween(
                                tp, first.get(tp).offset(), stable.get(tp).offset())) {
                    return false;
                }
            }
            return true;
        }

        private void answerAll() {
            scheduled.set(false);
            Map<TopicPartition, Long> asked = new HashMap<>(questions);
            asked.forEach(questions::remove);
            if (asked.isEmpty()) {
                return;
            }
            try {
                if (admin == null) {
                    admin = Admin.create(properties);
                }
                long askedAt = System.currentTimeMillis();
                Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                asked.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
                Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> stable = admin.listOffsets(
                                latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                        .all()
                        .get(30, TimeUnit.SECONDS);
                for (var q : asked.entrySet()) {
                    long lastStable = stable.get(q.getKey()).offset();
                    Answer before = answers.get(q.getKey());
                    // Only markers between the reader and the same last stable offset as last time:
                    // no need to read them again (a transactional producer's quiet partition).
                    boolean unchanged = before != null
                            && before.caughtUp()
                            && before.nextOffset() == q.getValue()
                            && before.lastStable() == lastStable;
                    boolean caughtUp = q.getValue() >= lastStable
                            || unchanged
                            || nothingCommittedBetween(q.getKey(), q.getValue(), lastStable);
                    answers.put(
                            q.getKey(),
                            new Answer(q.getValue(), caughtUp, askedAt, lastStable, System.currentTimeMillis()));
                }
            } catch (Exception e) {
                // Unknown stays "not idle": the partition keeps holding event time back.
                LOG.warn("could not look up the backlog of {} ({}); not treated as idle", asked.keySet(), e.toString());
            }
        }

        /** Whether only transaction markers or aborted records lie between the reader and the last stable offset. */
        private boolean nothingCommittedBetween(TopicPartition tp, long nextOffset, long lastStable) {
            if (consumer == null) {
                Properties p = new Properties();
                p.putAll(properties);
                p.put("isolation.level", "read_committed");
                p.put("enable.auto.commit", "false");
                p.put("max.poll.records", "1");
                p.remove("group.id");
                consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            }
            consumer.assign(List.of(tp));
            consumer.seek(tp, nextOffset);
            long deadline = System.currentTimeMillis() + 10_000;
            while (System.currentTimeMillis() < deadline) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
                if (!records.isEmpty()) {
                    return false;
                }
                if (consumer.position(tp) >= lastStable) {
                    return true;
                }
            }
            return false;
        }
    }
}
