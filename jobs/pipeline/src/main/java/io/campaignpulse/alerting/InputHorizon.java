package io.campaignpulse.alerting;

import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * How far the input has reached: the newest event time among the customer events read, to the
 * minute, which the decoding step reports whenever it moves on and the {@link IncidentTracker}
 * keeps (the largest any subtask has sent) in broadcast state.
 *
 * <p>When a bounded input ends (a replay, the demo, a stop with drain), the final watermark fires
 * every timer at once, so an incident's resolve timer fires whether or not the input covered its
 * quiet period. The tracker resolves only an incident whose quiet period ends by the horizon; one
 * cut short by the end of the input stays open. Both are facts of the input, so the feed does
 * not depend on when watermarks happened to be emitted before the end.
 */
public final class InputHorizon {

    /** The tracker's broadcast state: {@link #KEY} → the horizon, epoch millis. */
    public static final MapStateDescriptor<String, Long> DESCRIPTOR =
            new MapStateDescriptor<>("input-horizon", Types.STRING, Types.LONG);

    public static final String KEY = "newest-event-minute";

    private InputHorizon() {}
}
