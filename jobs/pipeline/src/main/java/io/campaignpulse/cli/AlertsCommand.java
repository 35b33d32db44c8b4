package io.campaignpulse.cli;

import io.campaignpulse.config.ConfigLoader;
import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.contract.Alert;
import io.campaignpulse.contract.AlertKind;
import io.campaignpulse.contract.Severity;
import io.campaignpulse.contract.WireFormat;
import io.campaignpulse.ingest.AvroJson;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The alert feed at a terminal: reads the alerts topic (read_committed: only messages of
 * committed checkpoints) and prints one line per message, or JSON for scripts, filtered by
 * campaign, owner, minimum severity and kind; follows new messages until interrupted.
 */
@Command(
        name = "alerts",
        mixinStandardHelpOptions = true,
        description = {
            "Tail the alert feed: one line per alert message (or --json), newest last.",
            "Example: pulse alerts --owner cards-team --severity CRITICAL --since 2h"
        })
public final class AlertsCommand implements Callable<Integer> {

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);

    @Mixin
    ConfigOptions configOptions = new ConfigOptions();

    @Spec
    CommandSpec spec;

    @Option(names = "--campaign", paramLabel = "CAMPAIGN_ID", description = "Only this campaign's alerts.")
    String campaign;

    @Option(names = "--owner", description = "Only alerts of campaigns this owner runs.")
    String owner;

    @Option(
            names = "--severity",
            description = "Minimum severity: INFO, WARNING or CRITICAL (default: ${DEFAULT-VALUE}).",
            defaultValue = "INFO")
    Severity severity;

    @Option(names = "--kind", description = "Only this kind: MISFIRE_RATE, SENTIMENT_DROP or TICKET_SURGE.")
    AlertKind kind;

    @Option(
            names = "--since",
            defaultValue = "24h",
            description =
                    "Messages written since this long ago (30m, 24h, 7d) or this instant (2026-11-22T08:00:00Z) (default: ${DEFAULT-VALUE}).")
    String since;

    @Option(names = "--json", description = "One JSON object per line, with every field.")
    boolean json;

    @Option(
            names = "--no-follow",
            negatable = false,
            description = "Print what is there and stop, instead of following new messages.")
    boolean noFollow;

    @Override
    public Integer call() throws Exception {
        PulseConfig config = configOptions.load();
        long from = sinceMillis(since, System.currentTimeMillis());
        PrintWriter out = spec.commandLine().getOut();
        Properties props = config.kafka().clientProperties();
        props.put("bootstrap.servers", config.kafka().bootstrapServers());
        // The job writes alerts in Kafka transactions: show only committed ones.
        props.put("isolation.level", "read_committed");
        props.put("enable.auto.commit", "false");
        props.put("key.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer");
        props.put("value.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer");
        WireFormat wire = new WireFormat(config.contract().wire());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions =
                    consumer.partitionsFor(config.topics().alerts(), Duration.ofSeconds(30)).stream()
                            .map(p -> new TopicPartition(p.topic(), p.partition()))
                            .toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> times = new HashMap<>();
            partitions.forEach(p -> times.put(p, from));
            Map<TopicPartition, OffsetAndTimestamp> starts = consumer.offsetsForTimes(times);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            for (TopicPartition p : partitions) {
                OffsetAndTimestamp start = starts.get(p);
                consumer.seek(p, start == null ? ends.get(p) : start.offset());
            }
            while (true) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    Alert a;
                    try {
                        a = wire.decode(r.value(), Alert.class);
                    } catch (IOException e) {
                        // One unreadable record (a producer this release does not know) must not end the feed.
                        spec.commandLine()
                                .getErr()
                                .println("pulse alerts: skipped the record at " + r.topic() + "/" + r.partition() + "@"
                                        + r.offset() + ": " + e.getMessage());
                        continue;
                    }
                    if (matches(a)) {
                        out.println(json ? AvroJson.toJson(a).toString() : line(a));
                    }
                }
                out.flush();
                if (noFollow && partitions.stream().allMatch(p -> consumer.position(p) >= ends.get(p))) {
                    return 0;
                }
            }
        }
    }

    boolean matches(Alert a) {
        return (campaign == null || campaign.equals(a.getCampaignId()))
                && (owner == null || owner.equals(a.getOwner()))
                && (kind == null || kind == a.getKind())
                && a.getSeverity() != Severity.UNKNOWN
                && a.getSeverity().ordinal() >= severity.ordinal();
    }

    /** "2026-11-22 09:10  CRITICAL OPENED   MISFIRE_RATE   C-PLAT [cards-team] title". */
    static String line(Alert a) {
        return String.format(
                "%s  %-8s %-8s %-14s %s%s %s",
                TIME.format(a.getDetectedAt()),
                a.getSeverity(),
                a.getState(),
                a.getKind(),
                a.getCampaignId(),
                a.getOwner() == null ? "" : " [" + a.getOwner() + "]",
                a.getTitle());
    }

    /** A duration back from now, or an instant. */
    static long sinceMillis(String text, long now) {
        try {
            return Instant.parse(text).toEpochMilli();
        } catch (RuntimeException notAnInstant) {
            return now - ConfigLoader.parseDuration(text).toMillis();
        }
    }
}
