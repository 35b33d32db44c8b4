package io.campaignpulse.customer;

import io.campaignpulse.contract.CampaignSend;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A customer's pending events, handed out in the order they are applied once their instant has
 * come: by due time; at one instant, parked sends first, then holding, consent and
 * feedback events as they arrived, then sends by send id (changes at t count for sends at t, and
 * equal send times need a deterministic order). Events parked while the batch is applied join it
 * if they are already due. Pure: no Flink.
 *
 * <p>Built once per timer, so it is cheap in the usual case: one event due at the timer's instant
 * is held as it is, and a priority queue is made only when a second one is due at once.
 */
public final class EventTimeBuffer {

    private record Item(PendingEvent event, long due, int rank, String sendId, int arrival)
            implements Comparable<Item> {
        @Override
        public int compareTo(Item o) {
            int c = Long.compare(due, o.due);
            if (c == 0) {
                c = Integer.compare(rank, o.rank);
            }
            if (c == 0) {
                c = sendId.compareTo(o.sendId);
            }
            return c != 0 ? c : Integer.compare(arrival, o.arrival);
        }
    }

    private final long watermark;
    /** The only due event while there is one; null once it is handed out or moved into {@link #due}. */
    private Item only;
    /** The due events once more than one was due at the same time; null until then. */
    private PriorityQueue<Item> due;
    /** The events the watermark has not passed, in arrival order; null while there are none. */
    private List<PendingEvent> later;

    private int arrivals;

    /**
     * @param pending the customer's pending events, in arrival order
     * @param watermark the events due at or before it are handed out, the others kept for later
     */
    public EventTimeBuffer(List<PendingEvent> pending, long watermark) {
        this.watermark = watermark;
        for (int i = 0; i < pending.size(); i++) {
            PendingEvent p = pending.get(i);
            if (p.getDue() > watermark) {
                if (later == null) {
                    later = new ArrayList<>(pending.size() - i);
                }
                later.add(p);
            } else {
                addDue(p);
            }
        }
    }

    /** Adds an event: to this batch if the watermark has passed its due time, else to those kept for later. */
    public void add(PendingEvent p) {
        if (p.getDue() > watermark) {
            if (later == null) {
                later = new ArrayList<>(1);
            }
            later.add(p);
        } else {
            addDue(p);
        }
    }

    private void addDue(PendingEvent p) {
        boolean parked = p.getAsOf() != null;
        boolean send = !parked && p.getEvent().getPayload() instanceof CampaignSend;
        String sendId = send ? ((CampaignSend) p.getEvent().getPayload()).getSendId() : "";
        Item item = new Item(p, p.getDue(), parked ? 0 : send ? 2 : 1, sendId, arrivals++);
        if (due == null && only == null) {
            only = item;
            return;
        }
        if (due == null) {
            due = new PriorityQueue<>();
            due.add(only);
            only = null;
        }
        due.add(item);
    }

    public boolean hasDue() {
        return only != null || (due != null && !due.isEmpty());
    }

    /** The next due event in application order. */
    public PendingEvent next() {
        if (due != null) {
            return due.poll().event();
        }
        Item next = only;
        only = null;
        return next.event();
    }

    /** The events the watermark has not passed yet, in arrival order (an unmodifiable empty list if none). */
    public List<PendingEvent> later() {
        return later == null ? List.of() : later;
    }
}
