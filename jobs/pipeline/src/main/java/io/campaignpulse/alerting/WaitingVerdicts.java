package io.campaignpulse.alerting;

import io.campaignpulse.eventtime.DueInstants;
import io.campaignpulse.misfire.SendVerdict;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.flink.api.java.tuple.Tuple3;

/**
 * The verdicts one parallel instance holds until the watermark passes the time they were judged
 * at, by campaign and that time. In memory: a verdict waits here for at most the watermark's lag,
 * and keeping it out of RocksDB saves reading and rewriting its instant's list for every verdict.
 * Checkpoints carry them as a union list ({@link #all}); on restore each instance keeps the
 * campaigns its key groups own ({@link #restore}). Pure: no Flink state.
 */
final class WaitingVerdicts {

    private final Map<String, Map<Long, List<SendVerdict>>> byCampaign = new HashMap<>();
    private long count;

    /** Adds a verdict; true when it is the first for its campaign and instant (which then needs an instant). */
    boolean add(String campaign, long judgedAt, SendVerdict verdict) {
        Map<Long, List<SendVerdict>> batches = byCampaign.computeIfAbsent(campaign, c -> new HashMap<>());
        List<SendVerdict> batch = batches.get(judgedAt);
        boolean first = batch == null;
        if (first) {
            batch = new ArrayList<>(1);
            batches.put(judgedAt, batch);
        }
        batch.add(verdict);
        count++;
        return first;
    }

    /** Removes and returns the campaign's verdicts judged at that instant (empty if none), in arrival order. */
    List<SendVerdict> take(String campaign, long judgedAt) {
        Map<Long, List<SendVerdict>> batches = byCampaign.get(campaign);
        List<SendVerdict> batch = batches == null ? null : batches.remove(judgedAt);
        if (batch == null) {
            return new ArrayList<>(0);
        }
        if (batches.isEmpty()) {
            byCampaign.remove(campaign);
        }
        count -= batch.size();
        return batch;
    }

    long count() {
        return count;
    }

    /** Every waiting verdict with its campaign and instant: what a checkpoint stores. */
    List<Tuple3<String, Long, SendVerdict>> all() {
        List<Tuple3<String, Long, SendVerdict>> all = new ArrayList<>((int) Math.min(count, Integer.MAX_VALUE));
        byCampaign.forEach((campaign, batches) ->
                batches.forEach((judgedAt, batch) -> batch.forEach(v -> all.add(Tuple3.of(campaign, judgedAt, v)))));
        return all;
    }

    /**
     * Restores the verdicts of the campaigns this instance owns from a checkpoint's union list
     * (every instance's), scheduling an instant for each campaign's judged-at time.
     */
    void restore(
            Iterable<Tuple3<String, Long, SendVerdict>> checkpointed, Predicate<String> owned, DueInstants instants) {
        for (Tuple3<String, Long, SendVerdict> v : checkpointed) {
            if (owned.test(v.f0) && add(v.f0, v.f1, v.f2)) {
                instants.schedule(v.f0, v.f1);
            }
        }
    }
}
