package io.campaignpulse.customer;

import io.campaignpulse.contract.CampaignSend;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A customer's pending events, handed out in the order they are applied once their instant has
 * come: by due time; at one instant, parked sends first, then holding, consent and
 * feedback events as they arrived, then sends by send id (changes at t count for sends at t, and
 * equal send times need a deterministic order). Events parked while the batch is applied join it
 * if they are already due. Pure: no Flink.
 */
public final class EventTimeBuffer {

    private record Item(PendingEvent event, int rank, String sendId, int arrival) {}

    private static final Comparator<Item> ORDER = Comparator.<Item>comparingLong(
                    i -> i.event().getDue())
            .thenComparingInt(Item::rank)
            .thenComparing(Item::sendId)
            .thenComparingInt(Item::arrival);

    private final long watermark;
    private final PriorityQueue<Item> due = new PriorityQueue<>(ORDER);
    private final List<PendingEvent> later = new ArrayList<>(0);
    private int arrivals;

    /**
     * @param pending the customer's pending events, in arrival order
     * @param watermark the events due at or before it are handed out, the others kept for later
     */
    public EventTimeBuffer(Iterable<PendingEvent> pending, long watermark) {
        this.watermark = watermark;
        for (PendingEvent p : pending) {
            add(p);
        }
    }

    /** Adds an event: to this batch if the watermark has passed its due time, else to those kept for later. */
    public void add(PendingEvent p) {
        if (p.getDue() > watermark) {
            later.add(p);
            return;
        }
        boolean parked = p.getAsOf() != null;
        boolean send = !parked && p.getEvent().getPayload() instanceof CampaignSend;
        String sendId = send ? ((CampaignSend) p.getEvent().getPayload()).getSendId() : "";
        due.add(new Item(p, parked ? 0 : send ? 2 : 1, sendId, arrivals++));
    }

    public boolean hasDue() {
        return !due.isEmpty();
    }

    /** The next due event in application order. */
    public PendingEvent next() {
        return due.poll().event();
    }

    /** The events the watermark has not passed yet, in arrival order. */
    public List<PendingEvent> later() {
        return later;
    }
}
