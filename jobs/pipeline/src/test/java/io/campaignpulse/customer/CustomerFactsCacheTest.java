package io.campaignpulse.customer;

import static org.assertj.core.api.Assertions.assertThat;

import io.campaignpulse.contract.HoldingStatus;
import io.campaignpulse.customer.state.CustomerFacts;
import io.campaignpulse.customer.state.CustomerState;
import io.campaignpulse.customer.state.HoldingFact;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.streaming.api.operators.KeyContext;
import org.junit.jupiter.api.Test;

/**
 * The facts on the heap against a keyed store that records every write under the key that was
 * current when it was made: what is written back, when, and under which key.
 */
class CustomerFactsCacheTest {

    private static final long TTL = 1_000;

    /** A keyed value state in memory: a map by the current key of its key context. */
    private static final class Store implements ValueState<CustomerState>, KeyContext {
        final Map<String, CustomerState> values = new HashMap<>();
        final List<String> writes = new ArrayList<>();
        int reads;
        private Object currentKey;

        @Override
        public void setCurrentKey(Object key) {
            currentKey = key;
        }

        @Override
        public Object getCurrentKey() {
            return currentKey;
        }

        @Override
        public CustomerState value() {
            reads++;
            return values.get((String) currentKey);
        }

        @Override
        public void update(CustomerState value) {
            writes.add((String) currentKey);
            values.put((String) currentKey, CustomerState.newBuilder(value).build());
        }

        @Override
        public void clear() {
            writes.add("clear " + currentKey);
            values.remove((String) currentKey);
        }
    }

    private final Store store = new Store();
    private long now;

    private CustomerFactsCache cache(int capacity) {
        return new CustomerFactsCache(store, store, capacity, TTL, () -> now);
    }

    private static CustomerState holding(String product) {
        CustomerState s = CustomerFacts.empty();
        s.getHoldings().put(product, new HoldingFact(HoldingStatus.ACTIVE, 1L));
        return s;
    }

    /** Acts as the step does: with the customer as the current key. */
    private CustomerState get(CustomerFactsCache cache, String key) throws Exception {
        store.setCurrentKey(key);
        return cache.get(key);
    }

    private void put(CustomerFactsCache cache, String key, CustomerState facts) throws Exception {
        store.setCurrentKey(key);
        cache.put(key, facts);
    }

    @Test
    void aWriteStaysOnTheHeapUntilTheCheckpointWritesItBackUnderItsOwnKey() throws Exception {
        CustomerFactsCache cache = cache(10);
        put(cache, "a", holding("CARD-A"));
        put(cache, "b", holding("CARD-B"));
        put(cache, "a", holding("CARD-A2"));

        assertThat(store.writes).as("nothing written before the checkpoint").isEmpty();
        assertThat(get(cache, "a").getHoldings()).containsKey("CARD-A2");
        assertThat(store.reads).as("read from the heap").isZero();

        store.setCurrentKey("c");
        cache.writeBack();
        assertThat(store.writes).containsExactlyInAnyOrder("a", "b");
        assertThat(store.values.get("a").getHoldings()).containsOnlyKeys("CARD-A2");
        assertThat(store.values.get("b").getHoldings()).containsOnlyKeys("CARD-B");
        assertThat(store.getCurrentKey())
                .as("the key current before the write-back")
                .isEqualTo("c");
        assertThat(cache.unwritten()).isZero();

        cache.writeBack();
        assertThat(store.writes).as("a second checkpoint writes nothing new").hasSize(2);
    }

    @Test
    void theLeastRecentlyUsedIsWrittenBackWhenEvictedAndThenReadFromTheStore() throws Exception {
        CustomerFactsCache cache = cache(2);
        put(cache, "a", holding("CARD-A"));
        put(cache, "b", holding("CARD-B"));
        get(cache, "a"); // a is now the most recently used
        put(cache, "c", holding("CARD-C")); // b goes

        assertThat(store.writes).containsExactly("b");
        assertThat(store.getCurrentKey()).as("the current key is set again").isEqualTo("c");
        assertThat(cache.size()).isEqualTo(2);
        assertThat(get(cache, "b").getHoldings()).containsOnlyKeys("CARD-B");
        assertThat(store.reads).isEqualTo(1);
    }

    @Test
    void onlyWrittenFactsAreKept() throws Exception {
        CustomerFactsCache cache = cache(10);
        store.values.put("a", holding("CARD-A"));
        get(cache, "a");
        get(cache, "a");
        assertThat(store.reads)
                .as("facts only read are read from the store each time")
                .isEqualTo(2);
        assertThat(cache.size()).isZero();
    }

    @Test
    void clearingForgetsTheFactsOnTheHeapAndInTheStore() throws Exception {
        CustomerFactsCache cache = cache(10);
        store.values.put("a", holding("CARD-A"));
        put(cache, "a", holding("CARD-A2"));
        store.setCurrentKey("a");
        cache.clear("a");

        assertThat(get(cache, "a")).isNull();
        cache.writeBack();
        assertThat(store.values).doesNotContainKey("a");
    }

    @Test
    void factsOnTheHeapExpireByTheTimeToLiveFromTheirLastWrite() throws Exception {
        CustomerFactsCache cache = cache(10);
        now = 0;
        put(cache, "a", holding("CARD-A"));
        cache.writeBack(); // RocksDB's copy, whose own time to live counts from here
        now = 600;
        put(cache, "a", holding("CARD-A2"));
        now = 1_599;
        assertThat(get(cache, "a")).as("one millisecond before it expires").isNotNull();
        now = 1_600;
        assertThat(get(cache, "a")).as("expired: forgotten, as RocksDB would").isNull();
        assertThat(store.values).as("the written-back copy is cleared too").doesNotContainKey("a");
        assertThat(cache.size()).isZero();
    }

    @Test
    void withNoRoomEveryWriteGoesStraightToTheStore() throws Exception {
        CustomerFactsCache cache = cache(0);
        put(cache, "a", holding("CARD-A"));
        assertThat(store.writes).containsExactly("a");
        assertThat(get(cache, "a").getHoldings()).containsOnlyKeys("CARD-A");
        assertThat(store.reads).isEqualTo(1);
        assertThat(cache.size()).isZero();
    }
}
