package io.campaignpulse.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.campaignpulse.demo.LocalInfrastructure;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker's word on whether a partition is caught up, on a real broker: plain records, then
 * transactions, aborted (only markers and aborted records lie ahead: caught up) and committed
 * (records lie ahead: behind).
 */
class KafkaBacklogTest {

    @TempDir
    static Path work;

    static LocalInfrastructure infra;

    @BeforeAll
    static void start() throws Exception {
        infra = LocalInfrastructure.start(work.resolve("infra"));
        try (Admin admin = Admin.create(infra.clientProperties())) {
            admin.createTopics(List.of(
                            new NewTopic("backlog-test", 1, (short) 1),
                            new NewTopic("empty-test", 2, (short) 1),
                            new NewTopic("as-of-test", 1, (short) 1)))
                    .all()
                    .get();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        infra.close();
    }

    /**
     * A fresh answer, once the lookup (asynchronous) has one. It first lets the previous answer
     * expire: answers are reused for {@link KafkaBacklog#FRESH_MS}, and this test asks about the
     * same offset before and after the log changes.
     */
    private static boolean answer(KafkaBacklog backlog, long nextOffset) throws InterruptedException {
        return answer(backlog, "backlog-test", nextOffset);
    }

    private static boolean answer(KafkaBacklog backlog, String topic, long nextOffset) throws InterruptedException {
        Thread.sleep(KafkaBacklog.FRESH_MS + 100);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            Boolean a = backlog.caughtUp(topic, 0, nextOffset);
            if (a != null) {
                return a;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no answer within 60 s");
    }

    private static Properties producer(String transactionalId) {
        Properties p = new Properties();
        p.putAll(infra.clientProperties());
        p.put("acks", "all");
        if (transactionalId != null) {
            p.put("transactional.id", transactionalId);
        }
        return p;
    }

    @Test
    void behindWhileCommittedRecordsAreLeftCaughtUpWhenOnlyMarkersAndAbortedRecordsAre() throws Exception {
        KafkaBacklog backlog = new KafkaBacklog(infra.clientProperties());
        try (KafkaProducer<byte[], byte[]> plain =
                new KafkaProducer<>(producer(null), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 10; i++) {
                plain.send(new ProducerRecord<>("backlog-test", new byte[] {(byte) i}))
                        .get();
            }
        }
        assertThat(answer(backlog, 5)).as("five records unread").isFalse();
        assertThat(answer(backlog, 10)).as("read to the end").isTrue();

        try (KafkaProducer<byte[], byte[]> tx = new KafkaProducer<>(
                producer("backlog-test-tx"), new ByteArraySerializer(), new ByteArraySerializer())) {
            tx.initTransactions();
            tx.beginTransaction();
            for (int i = 0; i < 3; i++) {
                tx.send(new ProducerRecord<>("backlog-test", new byte[] {(byte) i}));
            }
            tx.abortTransaction();
            assertThat(answer(backlog, 10))
                    .as("offsets 10-13 are three aborted records and a marker: nothing to read")
                    .isTrue();

            tx.beginTransaction();
            tx.send(new ProducerRecord<>("backlog-test", new byte[] {42}));
            tx.commitTransaction();
            assertThat(answer(backlog, 10))
                    .as("a committed record after the aborted ones")
                    .isFalse();
            assertThat(answer(backlog, 16))
                    .as("past the committed record and its marker")
                    .isTrue();
        }
    }

    /**
     * What a publication delay rests on: the time of an answer is when the question left, so no
     * record readable after it can be missing from it; and a partition with only transaction
     * markers ahead keeps being caught up, at ever later times, without reading them each time.
     */
    @Test
    void aPartitionReadToItsEndIsCaughtUpAsOfWhenTheBrokerWasAsked() throws Exception {
        KafkaBacklog backlog = new KafkaBacklog(infra.clientProperties());
        try (KafkaProducer<byte[], byte[]> plain =
                new KafkaProducer<>(producer(null), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < 3; i++) {
                plain.send(new ProducerRecord<>("as-of-test", new byte[] {(byte) i}))
                        .get();
            }
        }
        long before = System.currentTimeMillis();
        long first = asOfAfter(backlog, 3, before);
        assertThat(first).isBetween(before, System.currentTimeMillis());
        long second = asOfAfter(backlog, 3, first);
        assertThat(second).as("asked again: a later time").isGreaterThan(first);

        assertThat(answer(backlog, "as-of-test", 1)).isFalse();
        assertThat(backlog.caughtUpAsOf("as-of-test", 0, 1))
                .as("two records unread: no time")
                .isEqualTo(Long.MIN_VALUE);

        try (KafkaProducer<byte[], byte[]> tx =
                new KafkaProducer<>(producer("as-of-test-tx"), new ByteArraySerializer(), new ByteArraySerializer())) {
            tx.initTransactions();
            tx.beginTransaction();
            tx.send(new ProducerRecord<>("as-of-test", new byte[] {9}));
            tx.abortTransaction();
            long aborted = asOfAfter(backlog, 3, System.currentTimeMillis());
            assertThat(asOfAfter(backlog, 3, aborted))
                    .as("only an aborted record and a marker ahead, still")
                    .isGreaterThan(aborted);

            tx.beginTransaction();
            tx.send(new ProducerRecord<>("as-of-test", new byte[] {10}));
            tx.commitTransaction();
            assertThat(answer(backlog, "as-of-test", 3)).isFalse();
            assertThat(backlog.caughtUpAsOf("as-of-test", 0, 3))
                    .as("a committed record ahead")
                    .isEqualTo(Long.MIN_VALUE);
        }
    }

    /** The first answer for {@code nextOffset} asked after {@code after} (answers arrive asynchronously). */
    private static long asOfAfter(KafkaBacklog backlog, long nextOffset, long after) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            long asOf = backlog.caughtUpAsOf("as-of-test", 0, nextOffset);
            if (asOf != Long.MIN_VALUE && asOf > after) {
                return asOf;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no answer asked after " + after + " within 60 s");
    }

    @Test
    void aTopicIsEmptyUntilACommittedRecordIsInAnyOfItsPartitions() throws Exception {
        KafkaBacklog backlog = new KafkaBacklog(infra.clientProperties());
        assertThat(emptyAnswer(backlog)).isTrue();
        try (KafkaProducer<byte[], byte[]> tx =
                new KafkaProducer<>(producer("empty-test-tx"), new ByteArraySerializer(), new ByteArraySerializer())) {
            tx.initTransactions();
            tx.beginTransaction();
            tx.send(new ProducerRecord<>("empty-test", 1, null, new byte[] {1}));
            tx.abortTransaction();
            assertThat(emptyAnswer(backlog))
                    .as("an aborted record and a marker only")
                    .isTrue();
            tx.beginTransaction();
            tx.send(new ProducerRecord<>("empty-test", 1, null, new byte[] {2}));
            tx.commitTransaction();
            assertThat(emptyAnswer(backlog)).isFalse();
        }
    }

    private static boolean emptyAnswer(KafkaBacklog backlog) throws InterruptedException {
        Thread.sleep(KafkaBacklog.FRESH_MS + 100);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            Boolean a = backlog.empty("empty-test");
            if (a != null) {
                return a;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no answer within 60 s");
    }
}
