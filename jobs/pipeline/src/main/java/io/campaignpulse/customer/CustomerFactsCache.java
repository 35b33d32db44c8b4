package io.campaignpulse.customer;

import io.campaignpulse.customer.state.CustomerState;
import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.streaming.api.operators.KeyContext;

/**
 * The customers' facts as the per-customer step reads and writes them: in RocksDB, with the facts
 * the step wrote last kept on the heap as well, deserialized, for up to {@code capacity}
 * customers (least recently used out first). A write stays on the heap until the next checkpoint
 * writes it back, before the keyed state is snapshotted, or until its entry is evicted; so a
 * customer with several events between two checkpoints costs one RocksDB read and one write, not
 * one of each per event. A restore starts with an empty heap: every checkpoint holds every write.
 *
 * <p>Only written facts are kept: their write time is known, so an entry expires after the
 * facts' time to live exactly as RocksDB's copy would (and clears that copy, whose own time to
 * live counts from the later write-back). Facts only read are read from RocksDB again.
 *
 * <p>Single-threaded, like the step. {@code get}, {@code put} and {@code clear} act on the
 * current key of the step's keyed state; writing back another key sets that key and then sets
 * the current one again.
 */
final class CustomerFactsCache {

    private final ValueState<CustomerState> store;
    private final KeyContext keys;
    private final int capacity;
    private final long ttlMs;
    private final LongSupplier clock;
    private final LinkedHashMap<String, Entry> entries;

    private static final class Entry {
        CustomerState facts;
        long writtenAt;
        boolean dirty;
    }

    /**
     * @param store the facts in RocksDB, with a time to live of {@code ttlMs} counted from each write
     * @param capacity how many customers' facts to keep on the heap; 0 writes through to {@code store}
     * @param clock the clock of the time to live: the one the state backend's TTL reads
     */
    CustomerFactsCache(ValueState<CustomerState> store, KeyContext keys, int capacity, long ttlMs, LongSupplier clock) {
        this.store = store;
        this.keys = keys;
        this.capacity = capacity;
        this.ttlMs = ttlMs;
        this.clock = clock;
        this.entries = new LinkedHashMap<>(Math.min(capacity, 1 << 16), 0.75f, true);
    }

    /** The current customer's facts, or null when none are known (or they expired). */
    CustomerState get(String key) throws IOException {
        Entry e = entries.get(key);
        if (e == null) {
            return store.value();
        }
        if (clock.getAsLong() - e.writtenAt >= ttlMs) {
            entries.remove(key);
            store.clear();
            return null;
        }
        return e.facts;
    }

    /** Writes the current customer's facts: to the heap, and to RocksDB at the next checkpoint at the latest. */
    void put(String key, CustomerState facts) throws IOException {
        if (capacity == 0) {
            store.update(facts);
            return;
        }
        Entry e = entries.get(key);
        if (e == null) {
            e = new Entry();
            entries.put(key, e);
        }
        e.facts = facts;
        e.writtenAt = clock.getAsLong();
        e.dirty = true;
        if (entries.size() > capacity) {
            evictEldest(key);
        }
    }

    /** Forgets the current customer's facts, on the heap and in RocksDB. */
    void clear(String key) throws IOException {
        entries.remove(key);
        store.clear();
    }

    /** Writes every entry not yet in RocksDB there: called before the keyed state is snapshotted. */
    void writeBack() throws IOException {
        Object current = keys.getCurrentKey();
        boolean wrote = false;
        for (Map.Entry<String, Entry> cached : entries.entrySet()) {
            Entry e = cached.getValue();
            if (e.dirty) {
                keys.setCurrentKey(cached.getKey());
                store.update(e.facts);
                e.dirty = false;
                wrote = true;
            }
        }
        if (wrote && current != null) {
            keys.setCurrentKey(current);
        }
    }

    /** How many customers' facts are on the heap. */
    int size() {
        return entries.size();
    }

    /** How many of them are not yet in RocksDB. */
    int unwritten() {
        int n = 0;
        for (Entry e : entries.values()) {
            if (e.dirty) {
                n++;
            }
        }
        return n;
    }

    private void evictEldest(String currentKey) throws IOException {
        Iterator<Map.Entry<String, Entry>> eldest = entries.entrySet().iterator();
        Map.Entry<String, Entry> out = eldest.next();
        eldest.remove();
        if (out.getValue().dirty) {
            keys.setCurrentKey(out.getKey());
            store.update(out.getValue().facts);
            keys.setCurrentKey(currentKey);
        }
    }
}
