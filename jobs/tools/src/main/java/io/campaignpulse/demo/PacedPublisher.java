package io.campaignpulse.demo;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Publishes a generated day to Kafka as the source systems would, accelerated: an event
 * published at simulated time t goes out at wall time start + (t - playFrom) / speed. Events
 * before {@code playFrom} (the CRM's backlog, the early morning) go out at once.
 */
public final class PacedPublisher implements AutoCloseable {

    private final KafkaProducer<byte[], byte[]> producer;
    private final AtomicLong published = new AtomicLong();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private volatile long simulatedNow;

    public PacedPublisher(String bootstrapServers) {
        this(bootstrapServers, Map.of());
    }

    /** @param clientProperties extra producer properties (SASL/SSL), as in kafka.properties */
    public PacedPublisher(String bootstrapServers, Map<String, String> clientProperties) {
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.put("bootstrap.servers", bootstrapServers);
        props.put("acks", "all");
        props.put("linger.ms", "5");
        // Ordered delivery with one request in flight. Not the idempotent producer: on a freshly
        // created topic it once lost track of its sequence numbers and every retry was refused
        // (OutOfOrderSequenceException) until the delivery timeout.
        props.put("enable.idempotence", "false");
        props.put("max.in.flight.requests.per.connection", "1");
        producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /**
     * @param speed simulated milliseconds per wall millisecond; 0 or less = as fast as possible
     */
    public void publish(List<DemoWorld.Event> events, long playFrom, double speed) throws InterruptedException {
        long wallStart = System.currentTimeMillis();
        for (DemoWorld.Event e : events) {
            if (speed > 0 && e.publishAt() > playFrom) {
                long due = wallStart + (long) ((e.publishAt() - playFrom) / speed);
                long wait = due - System.currentTimeMillis();
                if (wait > 0) {
                    producer.flush();
                    Thread.sleep(wait);
                }
            }
            simulatedNow = Math.max(simulatedNow, e.publishAt());
            byte[] key = e.key() == null ? null : e.key().getBytes(StandardCharsets.UTF_8);
            // The record's Kafka timestamp is when it was produced, as a real producer's would be;
            // the event time is in the payload. (Brokers refuse timestamps over an hour ahead.)
            producer.send(new ProducerRecord<>(e.topic(), key, e.value()), (metadata, error) -> {
                if (error != null) {
                    failure.compareAndSet(null, error);
                }
            });
            published.incrementAndGet();
            checkFailure();
        }
        producer.flush();
        checkFailure();
    }

    private void checkFailure() {
        Exception e = failure.get();
        if (e != null) {
            throw new IllegalStateException("publishing to Kafka failed", e);
        }
    }

    public long published() {
        return published.get();
    }

    public long simulatedNow() {
        return simulatedNow;
    }

    @Override
    public void close() {
        producer.close();
    }
}
