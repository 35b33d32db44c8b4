package io.campaignpulse.alerting;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.flink.api.java.tuple.Tuple2;

/**
 * The misfire-rate windows one parallel instance is counting, by campaign and window start. In
 * memory: every judged send is counted in its window, and keeping the window out of RocksDB saves
 * reading and rewriting it (its tallies and examples) for every send. A window lives from its
 * first send until its close timer, so an instance holds a few per campaign. Checkpoints carry
 * them as a union list ({@link #all}); on restore each instance keeps the campaigns its key groups
 * own ({@link #restore}), so a rescaled job finds every window again. Pure: no Flink state.
 */
final class OpenWindows {

    private final Map<String, Map<Long, CampaignWindow>> byCampaign = new HashMap<>();
    private int count;

    CampaignWindow get(String campaign, long windowStart) {
        Map<Long, CampaignWindow> windows = byCampaign.get(campaign);
        return windows == null ? null : windows.get(windowStart);
    }

    void put(String campaign, CampaignWindow window) {
        if (byCampaign.computeIfAbsent(campaign, c -> new HashMap<>(4)).put(window.getWindowStart(), window) == null) {
            count++;
        }
    }

    /** Removes and returns the window (null if it is not open). */
    CampaignWindow remove(String campaign, long windowStart) {
        Map<Long, CampaignWindow> windows = byCampaign.get(campaign);
        if (windows == null) {
            return null;
        }
        CampaignWindow removed = windows.remove(windowStart);
        if (removed != null) {
            count--;
            if (windows.isEmpty()) {
                byCampaign.remove(campaign);
            }
        }
        return removed;
    }

    int count() {
        return count;
    }

    /** Every open window with its campaign: what a checkpoint stores. */
    List<Tuple2<String, CampaignWindow>> all() {
        List<Tuple2<String, CampaignWindow>> all = new ArrayList<>(count);
        byCampaign.forEach((campaign, windows) -> windows.values().forEach(w -> all.add(Tuple2.of(campaign, w))));
        return all;
    }

    /** Restores the windows of the campaigns this instance owns from a checkpoint's union list (every instance's). */
    void restore(Iterable<Tuple2<String, CampaignWindow>> checkpointed, Predicate<String> owned) {
        for (Tuple2<String, CampaignWindow> w : checkpointed) {
            if (owned.test(w.f0)) {
                put(w.f0, w.f1);
            }
        }
    }
}
