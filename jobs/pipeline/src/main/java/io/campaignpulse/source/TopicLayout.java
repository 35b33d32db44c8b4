package io.campaignpulse.source;

import io.campaignpulse.config.PulseConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * The job's topics as they should be created: campaigns compacted with one partition,
 * campaign-stats and suppressions compacted, the control log with one partition kept forever,
 * the rest with N.
 */
public final class TopicLayout {

    private TopicLayout() {}

    public static List<NewTopic> topics(PulseConfig.Topics t, int partitions, short replication) {
        return topics(t, partitions, replication, Map.of());
    }

    /** @param customerEventConfigs topic settings for the customer-event inputs ({@code customerEvents()}) */
    public static List<NewTopic> topics(
            PulseConfig.Topics t, int partitions, short replication, Map<String, String> customerEventConfigs) {
        List<NewTopic> topics = new ArrayList<>();
        topics.add(new NewTopic(t.campaigns(), 1, replication).configs(Map.of("cleanup.policy", "compact")));
        for (String name : t.customerEvents()) {
            topics.add(new NewTopic(name, partitions, replication).configs(customerEventConfigs));
        }
        for (String name : List.of(t.misfires(), t.alerts(), t.deadLetters())) {
            topics.add(new NewTopic(name, partitions, replication));
        }
        // Keyed by campaign and window end: compaction keeps the latest figures per window.
        topics.add(
                new NewTopic(t.campaignStats(), partitions, replication).configs(Map.of("cleanup.policy", "compact")));
        // Keyed by campaign, customer and reason: compaction keeps each entry's latest state.
        topics.add(
                new NewTopic(t.suppressions(), partitions, replication).configs(Map.of("cleanup.policy", "compact")));
        // The control log: one partition (order matters), kept forever; a fresh start replays it.
        topics.add(new NewTopic(t.control(), 1, replication).configs(Map.of("retention.ms", "-1")));
        return topics;
    }

    /** Waits until every partition of the topics has a leader, so the first writes do not race the election. */
    private static void awaitLeaders(Admin admin, List<String> names) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!names.isEmpty()) {
            boolean ready;
            try {
                ready = admin.describeTopics(names).allTopicNames().get().values().stream()
                        .allMatch(d -> d.partitions().stream()
                                .allMatch(p -> p.leader() != null && !p.leader().isEmpty()));
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
                ready = false; // created, but the metadata has not reached this broker's cache yet
            }
            if (ready) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("topics " + names + " have partitions without a leader after 30 s");
            }
            Thread.sleep(100);
        }
    }

    /** Creates the topics that do not exist yet (and waits for their leaders); returns the names it created. */
    public static List<String> createMissing(
            Properties adminProperties, PulseConfig.Topics t, int partitions, short replication) throws Exception {
        return createMissing(adminProperties, t, partitions, replication, Map.of());
    }

    /** The same, the customer-event inputs created with these topic settings. */
    public static List<String> createMissing(
            Properties adminProperties,
            PulseConfig.Topics t,
            int partitions,
            short replication,
            Map<String, String> customerEventConfigs)
            throws Exception {
        try (Admin admin = Admin.create(adminProperties)) {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> missing = topics(t, partitions, replication, customerEventConfigs).stream()
                    .filter(n -> !existing.contains(n.name()))
                    .toList();
            admin.createTopics(missing).all().get();
            List<String> names = missing.stream().map(NewTopic::name).toList();
            awaitLeaders(admin, names);
            return names;
        }
    }
}
