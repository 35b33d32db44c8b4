package io.campaignpulse.customer;

import io.campaignpulse.eventtime.DueInstants;
import io.campaignpulse.ingest.EventTimes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The customer events one parallel instance holds until the watermark passes them, by customer, in
 * arrival order. In memory: an event waits here for at most the watermark's lag (bounded by
 * event-time.alignment-max-drift in a backlog), and keeping it out of RocksDB saves a write, a
 * read and a delete of the whole event for every event. Checkpoints carry the events as a union
 * list ({@link #all}); on restore each instance keeps the customers its key groups own
 * ({@link #restore}), so a rescaled job finds every event again. Pure: no Flink.
 */
final class WaitingEvents {

    private final Map<String, List<PendingEvent>> byCustomer = new HashMap<>();
    private long count;

    /**
     * Adds a customer's event; returns whether it is the customer's first waiting event due at its
     * time, the one to schedule an instant for ({@link DueInstants}).
     */
    boolean add(String customer, PendingEvent event) {
        List<PendingEvent> events = byCustomer.computeIfAbsent(customer, c -> new ArrayList<>(1));
        boolean first = true;
        for (int i = 0; i < events.size() && first; i++) {
            first = events.get(i).getDue() != event.getDue();
        }
        events.add(event);
        count++;
        return first;
    }

    /** Removes and returns the customer's waiting events, in arrival order (empty if none). */
    List<PendingEvent> take(String customer) {
        List<PendingEvent> events = byCustomer.remove(customer);
        if (events == null) {
            return List.of();
        }
        count -= events.size();
        return events;
    }

    /**
     * Puts back the events a customer still waits for, in arrival order, right after {@link #take}
     * (nothing is added for the customer in between); the list is kept as it is, not copied.
     */
    void putBack(String customer, List<PendingEvent> events) {
        if (!events.isEmpty()) {
            byCustomer.put(customer, events);
            count += events.size();
        }
    }

    long count() {
        return count;
    }

    /** Every waiting event, each customer's in arrival order: what a checkpoint stores. */
    List<PendingEvent> all() {
        List<PendingEvent> all = new ArrayList<>((int) Math.min(count, Integer.MAX_VALUE));
        byCustomer.values().forEach(all::addAll);
        return all;
    }

    /**
     * Restores the events of the customers this instance owns from a checkpoint's union list (all
     * instances' events, each customer's in arrival order), scheduling an instant for each
     * customer's due time.
     */
    void restore(Iterable<PendingEvent> checkpointed, Predicate<String> owned, DueInstants instants) {
        for (PendingEvent event : checkpointed) {
            String customer = EventTimes.customerOf(event.getEvent());
            if (owned.test(customer) && add(customer, event)) {
                instants.schedule(customer, event.getDue());
            }
        }
    }
}
