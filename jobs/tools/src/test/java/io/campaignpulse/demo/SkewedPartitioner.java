package io.campaignpulse.demo;

import java.util.Map;
import org.apache.kafka.clients.producer.Partitioner;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.utils.Utils;

/**
 * Uneven partitions, as real topics have them: with three partitions, 70 %, 20 % and 10 % of the
 * keys. The same key always goes to the same partition, so each customer's events stay in order.
 */
public final class SkewedPartitioner implements Partitioner {

    @Override
    public int partition(String topic, Object key, byte[] keyBytes, Object value, byte[] valueBytes, Cluster cluster) {
        int partitions = cluster.partitionsForTopic(topic).size();
        if (keyBytes == null || partitions == 1) {
            return 0;
        }
        int bucket = Utils.toPositive(Utils.murmur2(keyBytes)) % 10;
        int p = bucket < 7 ? 0 : bucket < 9 ? 1 : 2;
        return Math.min(p, partitions - 1);
    }

    @Override
    public void configure(Map<String, ?> configs) {}

    @Override
    public void close() {}
}
