package io.campaignpulse.alerting;

import io.campaignpulse.ingest.Envelope;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * How far the input has reached: the newest event time among the customer events this subtask
 * has read, to the minute, sent to the {@link IncidentTracker} whenever it moves on.
 *
 * <p>When a bounded input ends (a replay, the demo, a stop with drain), the final watermark fires
 * every timer at once, so an incident's resolve timer fires whether or not the input covered its
 * quiet period. The tracker resolves only an incident whose quiet period ends by the horizon; one
 * cut short by the end of the input stays open. Both are facts of the input, so the feed does
 * not depend on when watermarks happened to be emitted before the end.
 */
public class InputHorizon extends ProcessFunction<Envelope, AlertBroadcast> {

    /** The tracker's broadcast state: {@link #KEY} → the largest horizon any subtask has sent. */
    public static final MapStateDescriptor<String, Long> DESCRIPTOR =
            new MapStateDescriptor<>("input-horizon", Types.STRING, Types.LONG);

    public static final String KEY = "newest-event-minute";

    private static final long MINUTE_MS = 60_000;

    /** Not state: after a restore the subtask sends its horizon again, which the tracker's maximum absorbs. */
    private transient long sent;

    @Override
    public void open(OpenContext openContext) {
        sent = Long.MIN_VALUE;
    }

    @Override
    public void processElement(Envelope event, Context ctx, Collector<AlertBroadcast> out) {
        Long at = ctx.timestamp();
        if (at == null) {
            return;
        }
        long minute = at - Math.floorMod(at, MINUTE_MS);
        if (minute > sent) {
            sent = minute;
            out.collect(new AlertBroadcast(null, null, minute));
        }
    }
}
