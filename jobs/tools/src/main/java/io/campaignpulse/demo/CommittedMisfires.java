package io.campaignpulse.demo;

import io.campaignpulse.contract.Misfire;
import java.util.List;

/** Every committed record of the misfires topic, read as a {@code read_committed} consumer would, with its Kafka key. */
public final class CommittedMisfires {

    /** One record: its Kafka key and its value. */
    public record Entry(String key, Misfire misfire) {
        /** "send_id/RULE", as the tables' rows are compared. */
        public String id() {
            return misfire.getSendId() + "/" + misfire.getRule();
        }
    }

    private CommittedMisfires() {}

    public static List<Entry> read(String bootstrapServers, String topic) throws Exception {
        return CommittedRecords.read(bootstrapServers, topic, Misfire.class).stream()
                .map(r -> new Entry(r.key(), r.value()))
                .toList();
    }
}
