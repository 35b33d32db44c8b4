package io.campaignpulse.customer;

import java.util.Arrays;

/**
 * The instants at which customers have waiting events due: the customer step's event-time timers,
 * kept in memory next to the {@link WaitingEvents} they are for. Flink's own timers live in
 * RocksDB with this job's state backend, and each costs a write when registered, a seek to refill
 * the timer cache and a delete when fired: about a sixth of the step's time in a profile. These
 * need no checkpoint of their own: each is the due time of a waiting event, so a restore rebuilds
 * them from the restored events. They fire in order of time, then customer, so the same input
 * fires the same instants in the same order.
 *
 * <p>A binary heap over parallel arrays: sifting compares the times in one array, not objects
 * scattered over the heap. The caller schedules a customer's instant once however many events
 * share it ({@link WaitingEvents#add} says whether one is new); one scheduled twice fires twice,
 * and the second firing finds nothing due. Pure: no Flink.
 */
final class DueInstants {

    /** One customer's events due at one time. */
    record Instant(long time, String customer) {}

    private long[] times = new long[64];
    private String[] customers = new String[64];
    private int size;

    void schedule(String customer, long time) {
        if (size == times.length) {
            times = Arrays.copyOf(times, size * 2);
            customers = Arrays.copyOf(customers, size * 2);
        }
        int i = size++;
        // Sift up: move parents later than the new instant down until its place is found.
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!before(time, customer, times[parent], customers[parent])) {
                break;
            }
            times[i] = times[parent];
            customers[i] = customers[parent];
            i = parent;
        }
        times[i] = time;
        customers[i] = customer;
    }

    /** Removes and returns the earliest instant at or before the watermark, or null if none is due. */
    Instant pollDue(long watermark) {
        if (size == 0 || times[0] > watermark) {
            return null;
        }
        Instant head = new Instant(times[0], customers[0]);
        int last = --size;
        long time = times[last];
        String customer = customers[last];
        customers[last] = null;
        // Sift down the last instant from the root.
        int i = 0;
        int half = last >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < last && before(times[right], customers[right], times[child], customers[child])) {
                child = right;
            }
            if (!before(times[child], customers[child], time, customer)) {
                break;
            }
            times[i] = times[child];
            customers[i] = customers[child];
            i = child;
        }
        if (last > 0) {
            times[i] = time;
            customers[i] = customer;
        }
        return head;
    }

    int size() {
        return size;
    }

    private static boolean before(long time, String customer, long otherTime, String otherCustomer) {
        return time < otherTime || (time == otherTime && customer.compareTo(otherCustomer) < 0);
    }
}
