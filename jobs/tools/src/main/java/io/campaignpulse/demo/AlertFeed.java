package io.campaignpulse.demo;

import io.campaignpulse.contract.Alert;
import io.campaignpulse.contract.AlertState;
import io.campaignpulse.contract.WireFormat;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Prints the alerts topic as marketing ops would read it, while the demo runs. */
final class AlertFeed implements Runnable {

    private final Properties props;
    private final String topic;
    private final PrintStream out;
    private final AtomicInteger received = new AtomicInteger();
    private volatile boolean running = true;

    private final long startedNanos;

    AlertFeed(String bootstrapServers, String topic, PrintStream out, long startedNanos) {
        this.startedNanos = startedNanos;
        this.topic = topic;
        this.out = out;
        props = new Properties();
        props.put("bootstrap.servers", bootstrapServers);
        // The job writes in Kafka transactions: show only committed alerts.
        props.put("isolation.level", "read_committed");
    }

    @Override
    public void run() {
        WireFormat wire = WireFormat.defaults();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    Alert a = wire.decode(r.value(), Alert.class);
                    received.incrementAndGet();
                    out.printf(
                            "  +%3.0fs %-8s %-8s %s%s%n",
                            (System.nanoTime() - startedNanos) / 1e9,
                            a.getState(),
                            a.getSeverity(),
                            a.getTitle(),
                            a.getOwner() == null ? "" : "  [" + a.getOwner() + "]");
                    if (a.getState() == AlertState.OPENED
                            && !a.getSuggestedAction().isEmpty()) {
                        out.printf("               -> %s%n", a.getSuggestedAction());
                    }
                }
            }
        } catch (Exception e) {
            if (running) {
                out.println("  (alert feed stopped: " + e.getClass().getSimpleName() + ")");
            }
        }
    }

    int received() {
        return received.get();
    }

    void stop() {
        running = false;
    }
}
