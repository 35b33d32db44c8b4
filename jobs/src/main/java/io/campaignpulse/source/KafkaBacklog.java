package io.campaignpulse.source;

import io.campaignpulse.ingest.Backlog;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
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
 * <p>Only asked about partitions that have been quiet for {@code event-time.idleness}, so it is
 * rare and off the record path: lookups run on one background thread per TaskManager (shared by
 * every split with the same client settings) and the watermark generator polls for the answer.
 */
public final class KafkaBacklog implements Backlog {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaBacklog.class);
    private static final Map<String, Lookups> SHARED = new ConcurrentHashMap<>();

    private final Properties clientProperties;
    private transient Lookups lookups;

    /** @param clientProperties the brokers and any SASL/SSL settings */
    public KafkaBacklog(Properties clientProperties) {
        this.clientProperties = clientProperties;
    }

    @Override
    public Boolean caughtUp(String topic, int partition, long nextOffset) {
        if (lookups == null) {
            lookups = SHARED.computeIfAbsent(new TreeMap<>(clientProperties).toString(), k -> new Lookups(clientProperties));
        }
        return lookups.caughtUp(new TopicPartition(topic, partition), nextOffset);
    }

    /** The answers, and the thread that finds them. */
    private static final class Lookups {
        /** An answer is used this long; after that it is looked up again. */
        private static final long FRESH_MS = 2_000;

        private record Answer(long nextOffset, boolean caughtUp, long at) {}

        private final Properties properties;
        private final Map<TopicPartition, Answer> answers = new ConcurrentHashMap<>();
        private final Set<TopicPartition> asked = ConcurrentHashMap.newKeySet();
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
            long now = System.currentTimeMillis();
            if (a != null && a.nextOffset() == nextOffset && now - a.at() < FRESH_MS) {
                return a.caughtUp();
            }
            if (asked.add(tp)) {
                thread.execute(() -> {
                    try {
                        answers.put(tp, new Answer(nextOffset, lookUp(tp, nextOffset), System.currentTimeMillis()));
                    } catch (Exception e) {
                        // Unknown stays "not idle": the partition keeps holding event time back.
                        LOG.warn("could not look up the backlog of {} ({}); it is not treated as idle", tp, e.toString());
                    } finally {
                        asked.remove(tp);
                    }
                });
            }
            return null;
        }

        private boolean lookUp(TopicPartition tp, long nextOffset) throws Exception {
            if (admin == null) {
                admin = Admin.create(properties);
            }
            long lastStable = admin.listOffsets(Map.of(tp, OffsetSpec.latest()), new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
                    .partitionResult(tp).get(30, TimeUnit.SECONDS).offset();
            if (nextOffset >= lastStable) {
                return true;
            }
            // Something lies between: committed records, or only markers and aborted records.
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
