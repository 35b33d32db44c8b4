package io.campaignpulse.alerting;

import io.campaignpulse.campaign.CampaignDirectory;
import io.campaignpulse.config.AlertSetting;
import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.contract.Alert;
import io.campaignpulse.contract.AlertKind;
import io.campaignpulse.contract.AlertState;
import io.campaignpulse.contract.Campaign;
import io.campaignpulse.contract.ControlMessage;
import io.campaignpulse.contract.MisfireRule;
import io.campaignpulse.contract.Severity;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Turns detector signals into the alert feed: one incident per (campaign, kind, rule), keyed by
 * {@link #keyOf}. The first signal OPENS it; a later one UPDATES it when its severity rises (at
 * once) or its count has grown by {@code alerting.update-step} since the last message and
 * {@code alerting.cooldown} has passed since then; when no window has shown the condition for
 * {@code alerting.resolve-after} (roll-up kinds: a whole roll-up window, or resolve-after of
 * windows that clear it by a margin), it is RESOLVED, with the figures of the windows since (the
 * detectors' all-clears) rather than those of the window that opened it. An incident whose quiet
 * period the end of a bounded input cut short ({@link InputHorizon}) is not resolved by that end:
 * it stays open. A signal whose window ends more than
 * resolve-after after the incident's last one resolves the old incident and opens a new one,
 * so the outcome never depends on when watermarks happen to arrive.
 *
 * <p>Misfire-rate windows do not overlap: an incident's counts add up over its windows. A window
 * signalled twice (NO_CONSENT at its first occurrence and again at close, possibly after the
 * next window's first signal) counts once, with its latest figures. Sentiment and ticket windows
 * overlap: their counts are levels, the latest window's.
 *
 * <p>The alert id is a name-based UUID of (kind, campaign, rule, start of the opening window):
 * a replay re-creates the same ids. The owner comes from the campaigns broadcast, for routing.
 *
 * <p>Cooldown, update step, resolve-after and mutes can be changed at runtime per campaign, for
 * a kind, or globally ({@link AlertControls}). A muted incident is still tracked, but its
 * messages are withheld (counted in {@code mutedMessages}); after the mute, the next message
 * reports the growth since the last one published.
 *
 * <p>State per incident: one {@link Incident} value, cleared when it resolves; stale resolve
 * timers find a later window and do nothing.
 */
public class IncidentTracker extends KeyedBroadcastProcessFunction<String, AlertSignal, AlertBroadcast, Alert> {

    /** Accumulators: detector signals in (all-clears included), those where a condition held, alert messages out. */
    public static final String SIGNALS_ACCUMULATOR = "alertSignals";

    public static final String CONDITIONS_ACCUMULATOR = "alertConditions";

    public static final String MESSAGES_ACCUMULATOR = "alertMessages";

    private transient LongCounter signalsTotal;
    private transient LongCounter conditionsTotal;

    private final CampaignDirectory directory;
    private final PulseConfig.Alerting configured;
    /** resolve-after for the roll-up kinds when no control message sets it. */
    private final Duration rollingResolveAfter;

    private final long slackMs;
    private final int examples;

    private transient ValueState<Incident> incident;
    private transient MapState<Long, PendingSignals> pending;
    private transient Map<AlertState, Counter> messages;
    private transient Counter mutedMessages;
    private transient Counter openAtEndOfInput;
    private transient Map<AlertKind, Counter> byKind;
    private transient LongCounter messagesTotal;

    public IncidentTracker(PulseConfig config) {
        this.directory = new CampaignDirectory(config);
        this.configured = config.alerting();
        // Roll-up windows overlap for a whole window length: a sentiment or ticket condition that
        // lapses for less than that is the same data seen through a sliding window (a baseline
        // shifting as other campaigns leave it), not a new incident.
        Duration resolveAfter = configured.resolveAfter();
        Duration window = config.rollups().window();
        this.rollingResolveAfter = resolveAfter.compareTo(window) >= 0 ? resolveAfter : window;
        // A misfire-rate signal for a window leaves its detector allowed-lateness after the window
        // ends; the resolve timer waits that long too, so it never overtakes a continuing signal.
        this.slackMs = config.alerting().allowedLateness().toMillis();
        this.examples = config.alerting().examples();
    }

    /** The incident key: kind, campaign and (for misfire rates) rule. */
    public static String keyOf(AlertSignal s) {
        return s.getKind() + "|" + s.getCampaignId() + "|" + (s.getRule() == null ? "-" : s.getRule());
    }

    /** Deterministic: the same incident in a replay gets the same id. */
    public static String alertId(AlertKind kind, String campaignId, String rule, long windowStart) {
        String name = kind + "|" + campaignId + "|" + (rule == null ? "-" : rule) + "|" + windowStart;
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
    }

    @Override
    public void open(OpenContext openContext) {
        incident = getRuntimeContext()
                .getState(new ValueStateDescriptor<>("incident", new AvroTypeInfo<>(Incident.class)));
        pending = getRuntimeContext()
                .getMapState(new MapStateDescriptor<>(
                        "signals-waiting", Types.LONG, new AvroTypeInfo<>(PendingSignals.class)));
        // An accumulator too, so a finished job (the demo) can report how many messages the signals became.
        messagesTotal = new LongCounter();
        getRuntimeContext().addAccumulator(MESSAGES_ACCUMULATOR, messagesTotal);
        signalsTotal = new LongCounter();
        getRuntimeContext().addAccumulator(SIGNALS_ACCUMULATOR, signalsTotal);
        conditionsTotal = new LongCounter();
        getRuntimeContext().addAccumulator(CONDITIONS_ACCUMULATOR, conditionsTotal);
        mutedMessages = getRuntimeContext().getMetricGroup().counter("mutedAlertMessages");
        openAtEndOfInput = getRuntimeContext().getMetricGroup().counter("incidentsOpenAtEndOfInput");
        byKind = new HashMap<>();
        for (AlertKind kind : AlertKind.values()) {
            byKind.put(
                    kind,
                    getRuntimeContext()
                            .getMetricGroup()
                            .addGroup("kind", kind.name())
                            .counter("alerts"));
        }
        messages = new HashMap<>();
        for (AlertState state : new AlertState[] {AlertState.OPENED, AlertState.UPDATED, AlertState.RESOLVED}) {
            messages.put(
                    state,
                    getRuntimeContext()
                            .getMetricGroup()
                            .addGroup("state", state.name())
                            .counter("alertMessages"));
        }
    }

    @Override
    public void processElement(AlertSignal signal, ReadOnlyContext ctx, Collector<Alert> out) throws Exception {
        signalsTotal.add(1);
        if (signal.getHolds()) {
            conditionsTotal.add(1);
        }
        long at = ctx.timestamp() != null ? ctx.timestamp() : signal.getWindowEnd();
        if (at > ctx.timerService().currentWatermark()) {
            // Wait for the watermark: the control log holds it back until its backlog is read, so a
            // mute or threshold already written applies to this signal, whatever order the inputs
            // happen to arrive in (a replay gives the same feed).
            PendingSignals waiting = pending.get(at);
            if (waiting == null) {
                waiting = new PendingSignals(new ArrayList<>(1));
                ctx.timerService().registerEventTimeTimer(at);
            }
            waiting.getSignals().add(signal);
            pending.put(at, waiting);
            return;
        }
        handle(signal, at, ctx, out);
    }

    private void handle(AlertSignal signal, long at, ReadOnlyContext ctx, Collector<Alert> out) throws Exception {
        if (!signal.getHolds()) {
            noteAllClear(signal, at, ctx, out);
            return;
        }
        String owner = ownerOf(signal.getCampaignId(), at, ctx.getBroadcastState(CampaignDirectory.DESCRIPTOR));
        Settings settings =
                settings(signal.getCampaignId(), signal.getKind(), ctx.getBroadcastState(AlertControls.DESCRIPTOR));
        Incident current = incident.value();
        if (current != null && signal.getWindowEnd() - current.getLatest().getWindowEnd() > settings.resolveAfterMs()) {
            resolve(current, owner, settings, out);
            current = null;
        }
        if (current == null) {
            current = new Incident(
                    alertId(signal.getKind(), signal.getCampaignId(), signal.getRule(), signal.getWindowStart()),
                    signal.getWindowStart(),
                    0,
                    signal.getSeverity(),
                    0L,
                    0L,
                    new HashMap<>(),
                    0L,
                    Long.MIN_VALUE,
                    0,
                    new ArrayList<>(),
                    new ArrayList<>(),
                    signal,
                    null,
                    0L,
                    0L,
                    null);
            count(current, signal, at);
            addExamples(current, signal);
            emit(current, AlertState.OPENED, null, at, owner, settings, out);
        } else {
            count(current, signal, at);
            if (signal.getWindowEnd() > current.getLatest().getWindowEnd()) {
                // The condition is back: what the all-clears since the last window said no longer holds.
                current.setLatestClear(null);
                current.setQuietCount(0L);
                current.setQuietBase(0L);
                current.setClearRunSince(null);
            }
            if (signal.getWindowEnd() >= current.getLatest().getWindowEnd()) {
                current.setLatest(signal);
            }
            addExamples(current, signal);
            long growth = totals(current).count() - current.getCountAtLastMessage();
            long step = Math.max(settings.updateMinStep(), (long)
                    Math.ceil(settings.updateStep() * current.getCountAtLastMessage()));
            if (signal.getSeverity().ordinal() > current.getSeverity().ordinal()
                    && signal.getSeverity() != Severity.UNKNOWN) {
                String why = "severity rose from " + current.getSeverity() + " to " + signal.getSeverity();
                current.setSeverity(signal.getSeverity());
                emit(current, AlertState.UPDATED, why, at, owner, settings, out);
            } else if (current.getSequence() == 0) {
                emit(
                        current,
                        AlertState.OPENED,
                        null,
                        at,
                        owner,
                        settings,
                        out); // opened while muted: publish now, if unmuted
            } else if (growth >= step
                    && signal.getWindowEnd() - current.getLastMessageWindowEnd() >= settings.cooldownMs()) {
                emit(
                        current,
                        AlertState.UPDATED,
                        String.format(Locale.ROOT, "%,d more since the last message", growth),
                        at,
                        owner,
                        settings,
                        out);
            }
        }
        incident.update(current);
        ctx.timerService().registerEventTimeTimer(resolveTimer(current, settings));
    }

    /**
     * An all-clear after the incident's latest window: kept for the RESOLVED message, which quotes
     * the latest one (rolling kinds) or the misfires and sends summed over them (misfire rates).
     */
    private void noteAllClear(AlertSignal clear, long at, ReadOnlyContext ctx, Collector<Alert> out) throws Exception {
        Incident current = incident.value();
        if (current == null || clear.getWindowEnd() <= current.getLatest().getWindowEnd()) {
            return;
        }
        current.setLatestClear(clear);
        if (clear.getCumulative()) {
            current.setQuietCount(current.getQuietCount() + clear.getCount());
            current.setQuietBase(current.getQuietBase() + clear.getBase());
        } else if (!clear.getClearly()) {
            current.setClearRunSince(null);
        } else if (current.getClearRunSince() == null) {
            current.setClearRunSince(clear.getWindowEnd());
        } else {
            // Roll-up windows overlap for 24 h, but an unbroken run of windows that clear the
            // condition by a margin for resolve-after is recovery, not the baseline shifting.
            long run = clear.getWindowEnd() - current.getClearRunSince();
            var controls = ctx.getBroadcastState(AlertControls.DESCRIPTOR);
            long needed = AlertControls.inForce(
                            controls,
                            AlertSetting.RESOLVE_AFTER,
                            clear.getCampaignId(),
                            clear.getKind(),
                            configured.resolveAfter())
                    .toMillis();
            if (run >= needed) {
                Settings settings = settings(clear.getCampaignId(), clear.getKind(), controls);
                String why = "its windows have cleared the condition by a margin for "
                        + AlertText.duration(run) + " (those ending " + AlertText.time(current.getClearRunSince())
                        + " to " + AlertText.time(clear.getWindowEnd()) + " UTC)";
                String owner = ownerOf(clear.getCampaignId(), at, ctx.getBroadcastState(CampaignDirectory.DESCRIPTOR));
                resolve(current, owner, settings, out, why, at);
                incident.clear();
                return;
            }
        }
        incident.update(current);
    }

    /** Cooldown, update step, resolve-after and mute in force for a campaign and kind. */
    record Settings(long cooldownMs, double updateStep, long updateMinStep, long resolveAfterMs, boolean muted) {}

    private Settings settings(
            String campaignId, AlertKind kind, ReadOnlyBroadcastState<String, ControlMessage> controls)
            throws Exception {
        return new Settings(
                AlertControls.inForce(controls, AlertSetting.COOLDOWN, campaignId, kind, configured)
                        .toMillis(),
                AlertControls.inForce(controls, AlertSetting.UPDATE_STEP, campaignId, kind, configured),
                AlertControls.inForce(controls, AlertSetting.UPDATE_MIN_STEP, campaignId, kind, configured),
                AlertControls.inForce(
                                controls,
                                AlertSetting.RESOLVE_AFTER,
                                campaignId,
                                kind,
                                kind == AlertKind.MISFIRE_RATE ? configured.resolveAfter() : rollingResolveAfter)
                        .toMillis(),
                AlertControls.inForce(controls, AlertSetting.MUTE, campaignId, kind, configured));
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
        PendingSignals due = pending.get(timestamp);
        if (due != null) {
            pending.remove(timestamp);
            for (AlertSignal signal : due.getSignals()) {
                handle(signal, timestamp, ctx, out);
            }
        }
        Incident current = incident.value();
        if (current == null) {
            return;
        }
        AlertSignal latest = current.getLatest();
        Settings settings =
                settings(latest.getCampaignId(), latest.getKind(), ctx.getBroadcastState(AlertControls.DESCRIPTOR));
        long resolveAt = resolveTimer(current, settings);
        if (timestamp < resolveAt) {
            // A later window continued the incident, or resolve-after was raised since: wait until then.
            ctx.timerService().registerEventTimeTimer(resolveAt);
            return;
        }
        if (ctx.timerService().currentWatermark() == Long.MAX_VALUE && timestamp > horizon(ctx)) {
            // The input ended (a replay, the demo, a stop with drain) before the quiet period did:
            // nobody knows whether the condition would have come back, so the incident stays open.
            openAtEndOfInput.inc();
            return;
        }
        resolve(
                current,
                ownerOf(latest.getCampaignId(), timestamp, ctx.getBroadcastState(CampaignDirectory.DESCRIPTOR)),
                settings,
                out);
        incident.clear();
    }

    /** The newest event time the input has reached, to the minute; Long.MIN_VALUE before any event. */
    private static long horizon(ReadOnlyContext ctx) throws Exception {
        Long h = ctx.getBroadcastState(InputHorizon.DESCRIPTOR).get(InputHorizon.KEY);
        return h == null ? Long.MIN_VALUE : h;
    }

    @Override
    public void processBroadcastElement(AlertBroadcast update, Context ctx, Collector<Alert> out) throws Exception {
        if (update.getInputHorizon() != null) {
            var horizon = ctx.getBroadcastState(InputHorizon.DESCRIPTOR);
            Long known = horizon.get(InputHorizon.KEY);
            if (known == null || update.getInputHorizon() > known) {
                horizon.put(InputHorizon.KEY, update.getInputHorizon());
            }
        }
        if (update.getControl() != null) {
            AlertControls.apply(ctx.getBroadcastState(AlertControls.DESCRIPTOR), update.getControl());
        }
        Campaign campaign = update.getCampaign();
        if (campaign == null) {
            return;
        }
        directory.update(ctx.getBroadcastState(CampaignDirectory.DESCRIPTOR), campaign, ctx.currentWatermark());
    }

    private long resolveTimer(Incident i, Settings settings) {
        return i.getLatest().getWindowEnd() + settings.resolveAfterMs() + slackMs;
    }

    private String ownerOf(String campaignId, long t, ReadOnlyBroadcastState<String, Campaign> campaigns)
            throws Exception {
        Campaign c = directory.at(campaigns, campaignId, t);
        return c == null ? null : c.getOwner();
    }

    private void addExamples(Incident i, AlertSignal s) {
        for (int k = 0; k < s.getExampleIds().size() && i.getExampleIds().size() < examples; k++) {
            String id = s.getExampleIds().get(k);
            if (!i.getExampleIds().contains(id)) {
                i.getExampleIds().add(id);
                if (k < s.getExampleCustomerIds().size()) {
                    i.getExampleCustomerIds().add(s.getExampleCustomerIds().get(k));
                }
            }
        }
    }

    /**
     * Records a cumulative signal's window figures (replacing an earlier signal of the same
     * window), and folds into the closed totals the windows that can no longer be signalled:
     * signals are handled in time order, and a window's last one comes at its end plus the
     * detector's lateness.
     */
    private void count(Incident i, AlertSignal s, long at) {
        if (!s.getCumulative()) {
            return;
        }
        i.getRecent()
                .put(Long.toString(s.getWindowStart()), new WindowCount(s.getWindowEnd(), s.getCount(), s.getBase()));
        var it = i.getRecent().values().iterator();
        while (it.hasNext()) {
            WindowCount w = it.next();
            if (w.getWindowEnd() + slackMs <= at) {
                i.setClosedCount(i.getClosedCount() + w.getCount());
                i.setClosedBase(i.getClosedBase() + w.getBase());
                it.remove();
            }
        }
    }

    /** What the incident counts, and what that is a share of: summed over its windows, or the latest window's level. */
    record Totals(long count, long base) {}

    private static Totals totals(Incident i) {
        AlertSignal latest = i.getLatest();
        if (!latest.getCumulative()) {
            return new Totals(latest.getCount(), latest.getBase());
        }
        long count = i.getClosedCount();
        long base = i.getClosedBase();
        for (WindowCount w : i.getRecent().values()) {
            count += w.getCount();
            base += w.getBase();
        }
        return new Totals(count, base);
    }

    private void resolve(Incident i, String owner, Settings settings, Collector<Alert> out) {
        long quietSince = i.getLatest().getWindowEnd();
        String why = "no window has shown it since " + AlertText.time(quietSince) + " UTC ("
                + AlertText.duration(settings.resolveAfterMs()) + " quiet)";
        resolve(i, owner, settings, out, why, quietSince + settings.resolveAfterMs());
    }

    private void resolve(Incident i, String owner, Settings settings, Collector<Alert> out, String why, long at) {
        if (i.getSequence() == 0) {
            return; // muted all its life: nothing was published, so there is nothing to resolve
        }
        emit(i, AlertState.RESOLVED, why, at, owner, settings, out);
    }

    /** What a RESOLVED message leads with: the figures since the incident's last window, not that window's. */
    private static String allClearHeadline(Incident i) {
        AlertSignal s = i.getLatest();
        if (s.getCumulative() && s.getRule() != null) {
            return AlertText.allClearTitle(
                    MisfireRule.valueOf(s.getRule()),
                    s.getCampaignName(),
                    s.getProduct(),
                    i.getQuietCount(),
                    i.getQuietBase(),
                    s.getWindowEnd());
        }
        if (i.getLatestClear() != null) {
            return i.getLatestClear().getTitle();
        }
        return s.getCampaignName() + " has had no sends or feedback since " + AlertText.time(s.getWindowEnd())
                + " UTC: nothing is left to judge";
    }

    private void emit(
            Incident i,
            AlertState requested,
            String why,
            long at,
            String owner,
            Settings settings,
            Collector<Alert> out) {
        AlertSignal s = i.getLatest();
        if (settings.muted()) {
            i.setMutedMessages(i.getMutedMessages() + 1);
            mutedMessages.inc();
            return;
        }
        // Opened while muted: the first message published is the opening one.
        AlertState state = requested == AlertState.UPDATED && i.getSequence() == 0 ? AlertState.OPENED : requested;
        Totals totals = totals(i);
        long total = totals.count();
        long since = Math.max(0, total - i.getCountAtLastMessage());
        i.setSequence(i.getSequence() + 1);
        i.setCountAtLastMessage(total);
        i.setLastMessageWindowEnd(s.getWindowEnd());
        messages.get(state).inc();
        byKind.get(s.getKind()).inc();
        messagesTotal.add(1);

        String title = s.getCumulative() && s.getRule() != null
                ? AlertText.title(
                        MisfireRule.valueOf(s.getRule()),
                        s.getCampaignName(),
                        s.getProduct(),
                        total,
                        totals.base(),
                        i.getOpenedWindowStart(),
                        s.getWindowEnd())
                : s.getTitle();
        if (state == AlertState.RESOLVED) {
            title = "Resolved: " + allClearHeadline(i);
        }
        StringBuilder detail = new StringBuilder(s.getDetail());
        detail.append(String.format(
                Locale.ROOT,
                " Incident %s, message %d (%s%s): %,d in total, %,d since the previous message.",
                i.getAlertId(),
                i.getSequence(),
                state,
                why == null ? "" : ": " + why,
                total,
                since));
        Map<String, Double> metrics = new HashMap<>(s.getMetrics());
        metrics.put("count_total", (double) total);
        metrics.put("base_total", (double) totals.base());
        if (state == AlertState.RESOLVED) {
            if (s.getCumulative()) {
                metrics.put("misfires_since_last_window", (double) i.getQuietCount());
                metrics.put("sends_since_last_window", (double) i.getQuietBase());
            } else if (i.getLatestClear() != null) {
                i.getLatestClear().getMetrics().forEach((k, v) -> metrics.put("current_" + k, v));
            }
        }
        out.collect(Alert.newBuilder()
                .setAlertId(i.getAlertId())
                .setKind(s.getKind())
                .setSeverity(i.getSeverity())
                .setCampaignId(s.getCampaignId())
                .setCampaignName(s.getCampaignName())
                .setTitle(title)
                .setDetail(detail.toString())
                .setMetrics(metrics)
                .setWindowStart(Instant.ofEpochMilli(i.getOpenedWindowStart()))
                .setWindowEnd(Instant.ofEpochMilli(s.getWindowEnd()))
                .setDetectedAt(Instant.ofEpochMilli(at))
                .setState(state)
                .setSequence(i.getSequence())
                .setOwner(owner)
                .setRule(s.getRule())
                .setCountTotal(total)
                .setCountSinceLast(since)
                .setExampleIds(List.copyOf(i.getExampleIds()))
                .setExampleCustomerIds(List.copyOf(i.getExampleCustomerIds()))
                .setSuggestedAction(
                        state == AlertState.RESOLVED
                                ? "nothing urgent, the condition has cleared; if not done yet: " + s.getAction()
                                : s.getAction())
                .build());
    }
}
