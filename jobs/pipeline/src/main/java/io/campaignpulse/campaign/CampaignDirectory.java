package io.campaignpulse.campaign;

import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.contract.Campaign;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;

/**
 * The campaigns the job knows, kept as broadcast state by each step that needs them: the newest
 * version of each, and none that ended more than {@code event-time.campaign-retention} ago.
 *
 * <p>Forgetting is a rule of event time, so that results never depend on when the state was
 * pruned: an event at t sees a campaign only if it did not end more than the retention before t.
 * The state itself is pruned when a campaign record arrives (broadcast state can only change
 * then), of campaigns that ended more than the retention (plus the alerting steps' allowed
 * lateness) before the watermark: every event or timer handled from then on is later than that,
 * so it would not see them anyway.
 */
public final class CampaignDirectory implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The state's name is the one savepoints already hold ("campaigns"). */
    public static final MapStateDescriptor<String, Campaign> DESCRIPTOR =
            new MapStateDescriptor<>("campaigns", Types.STRING, new AvroTypeInfo<>(Campaign.class));

    private final long retentionMs;
    private final long marginMs;

    public CampaignDirectory(PulseConfig config) {
        this.retentionMs = config.eventTime().campaignRetention().toMillis();
        this.marginMs = Math.max(
                config.alerting().allowedLateness().toMillis(),
                config.rollups().allowedLateness().toMillis());
    }

    /** The campaign as an event at {@code t} sees it: null when unknown, or forgotten by then. */
    public Campaign at(ReadOnlyBroadcastState<String, Campaign> directory, String campaignId, long t) throws Exception {
        Campaign c = campaignId == null ? null : directory.get(campaignId);
        return c == null || forgottenAt(c, t) ? null : c;
    }

    /** Whether an event at {@code t} no longer sees the campaign: it ended more than the retention before. */
    public boolean forgottenAt(Campaign c, long t) {
        return c.getEndsAt() != null && c.getEndsAt().toEpochMilli() + retentionMs < t;
    }

    /**
     * Keeps the newest version of {@code campaign} (the compacted topic may replay older ones), and
     * removes every campaign that nothing from {@code watermark} on can see.
     *
     * @return the ids removed
     */
    public List<String> update(BroadcastState<String, Campaign> directory, Campaign campaign, long watermark)
            throws Exception {
        Campaign known = directory.get(campaign.getCampaignId());
        if (known == null || !campaign.getUpdatedAt().isBefore(known.getUpdatedAt())) {
            directory.put(campaign.getCampaignId(), campaign);
        }
        List<String> forgotten = new ArrayList<>();
        if (watermark == Long.MIN_VALUE) {
            return forgotten;
        }
        long horizon = watermark - marginMs;
        for (Map.Entry<String, Campaign> e : directory.entries()) {
            if (forgottenAt(e.getValue(), horizon)) {
                forgotten.add(e.getKey());
            }
        }
        for (String id : forgotten) {
            directory.remove(id);
        }
        return forgotten;
    }
}
