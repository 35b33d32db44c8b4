package io.campaignpulse.alerting;

import io.campaignpulse.config.AlertSetting;
import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.contract.AlertKind;
import io.campaignpulse.contract.ControlMessage;
import io.campaignpulse.contract.Misfire;
import io.campaignpulse.contract.MisfireRule;
import io.campaignpulse.contract.Severity;
import io.campaignpulse.eventtime.DueInstants;
import io.campaignpulse.eventtime.InMemoryTimers;
import io.campaignpulse.eventtime.InMemoryTimersOperator;
import io.campaignpulse.misfire.SendVerdict;
import io.campaignpulse.restore.EarlierReleaseHorizon;
import io.campaignpulse.restore.KeyOwnership;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.api.java.typeutils.ListTypeInfo;
import org.apache.flink.api.java.typeutils.TupleTypeInfo;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The MISFIRE_RATE detector, keyed by campaign: counts judged sends and misfires per rule in
 * tumbling event-time windows and, when a window closes ({@code allowed-lateness} after its
 * end), signals every rule whose misfires reach both the share and the minimum count. NO_CONSENT
 * is a compliance breach: CRITICAL, signalled at its first occurrence in a window (as soon as
 * the watermark passes that send) and again with the window's final figures when it closes.
 *
 * <p>Verdicts come from several detector subtasks in any order, so each waits until the watermark
 * passes the time it was judged at and is then counted in a fixed order (judged-at time, then
 * send id): a signal's figures and examples never depend on which subtask happened to run ahead. Other rules are CRITICAL from {@code misfire-rate-critical-share} or
 * {@code misfire-rate-critical-count}.
 *
 * <p>The thresholds can be changed at runtime per campaign, for the kind, or globally, through
 * control messages ({@link AlertControls}, broadcast state); conf/pulse.yaml gives the defaults.
 *
 * <p>The verdicts waiting for the watermark and the windows being counted are kept in memory
 * ({@link WaitingVerdicts}, {@link OpenWindows}) and checkpointed as operator state; so are the
 * step's timers ({@link DueInstants}, rebuilt from them on restore), which is why it runs in an
 * {@link InMemoryTimersOperator}. What an
 * earlier release kept in keyed state is still read after a restore from its savepoint: a window
 * when it is next touched, waiting verdicts when their timers fire; so the upgrade loses none.
 *
 * <p>Signals are not alerts: the {@link IncidentTracker} turns the windows of one campaign and
 * rule into one incident (opened, updated, resolved). A closed window that does not trip a rule
 * is sent as an all-clear for that rule, so a RESOLVED message can say what happened since.
 */
public class MisfireRateAlerter extends KeyedBroadcastProcessFunction<String, SendVerdict, ControlMessage, AlertSignal>
        implements CheckpointedFunction, InMemoryTimers {

    private final long windowMs;
    private final long latenessMs;
    private final PulseConfig.Alerting config;
    private final int examples;
    private final EarlierReleaseHorizon legacyHorizon;

    private transient OpenWindows open;
    private transient ListState<Tuple2<String, CampaignWindow>> checkpointedWindows;
    /** Where earlier releases kept the windows (keyed by window start): read once per window, then emptied. */
    private transient MapState<Long, CampaignWindow> keyedWindows;

    private transient WaitingVerdicts waiting;
    /** When waiting verdicts are due and open windows close: this step's timers, fired by its operator. */
    private transient DueInstants dueInstants;

    private transient ListState<Tuple3<String, Long, SendVerdict>> checkpointedWaiting;
    private transient ListState<Long> checkpointedLegacyHorizon;
    /** Where earlier releases kept the waiting verdicts (keyed by judged-at time): read only for their timers. */
    private transient MapState<Long, List<SendVerdict>> legacyWaiting;

    private transient Counter signals;
    private transient Counter verdictsTooLate;

    public MisfireRateAlerter(PulseConfig pulse) {
        this.config = pulse.alerting();
        this.windowMs = config.window().toMillis();
        this.latenessMs = config.allowedLateness().toMillis();
        this.examples = config.examples();
        // A verdict is judged by a detector instance no later than its watermark, which is ahead of
        // this step's by at most the watermark's lag in a backlog (alignment drift plus
        // out-of-orderness; twice over for the alignment's overshoot) and a parked send's grace.
        long lag = pulse.eventTime().alignmentMaxDrift().toMillis()
                + pulse.eventTime().maxOutOfOrderness().toMillis();
        this.legacyHorizon = new EarlierReleaseHorizon(Math.max(
                Duration.ofDays(1).toMillis(),
                2 * lag + pulse.eventTime().campaignGrace().toMillis()));
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        open = new OpenWindows();
        dueInstants = new DueInstants();
        checkpointedWindows = context.getOperatorStateStore()
                .getUnionListState(new ListStateDescriptor<>(
                        "open-windows", new TupleTypeInfo<>(Types.STRING, new AvroTypeInfo<>(CampaignWindow.class))));
        waiting = new WaitingVerdicts();
        checkpointedWaiting = context.getOperatorStateStore()
                .getUnionListState(new ListStateDescriptor<>(
                        "waiting-verdicts",
                        new TupleTypeInfo<>(Types.STRING, Types.LONG, new AvroTypeInfo<>(SendVerdict.class))));
        checkpointedLegacyHorizon = context.getOperatorStateStore()
                .getUnionListState(new ListStateDescriptor<>("legacy-verdicts-horizon", Types.LONG));
        if (!context.isRestored()) {
            return;
        }
        Predicate<String> owned =
                KeyOwnership.ofThisInstance(getRuntimeContext().getTaskInfo());
        open.restore(checkpointedWindows.get(), owned);
        for (Tuple2<String, CampaignWindow> window : open.all()) {
            dueInstants.schedule(window.f0, closesAt(window.f1.getWindowStart()));
        }
        waiting.restore(checkpointedWaiting.get(), owned, dueInstants);
        legacyHorizon.restore(checkpointedLegacyHorizon.get());
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        checkpointedWindows.update(open.all());
        checkpointedWaiting.update(waiting.all());
        checkpointedLegacyHorizon.update(legacyHorizon.snapshot());
    }

    @Override
    public void open(OpenContext openContext) {
        keyedWindows = getRuntimeContext()
                .getMapState(new MapStateDescriptor<>("windows", Types.LONG, new AvroTypeInfo<>(CampaignWindow.class)));
        legacyWaiting = getRuntimeContext()
                .getMapState(new MapStateDescriptor<>(
                        "verdicts-waiting", Types.LONG, new ListTypeInfo<>(new AvroTypeInfo<>(SendVerdict.class))));
        signals = getRuntimeContext().getMetricGroup().counter("misfireRateSignals");
        verdictsTooLate = getRuntimeContext().getMetricGroup().counter("verdictsAfterWindowClosed");
        getRuntimeContext().getMetricGroup().gauge("openWindows", () -> open.count());
        getRuntimeContext().getMetricGroup().gauge("verdictsWaitingForWatermark", () -> waiting.count());
    }

    /**
     * The campaign's open window that starts at {@code windowStart}, or null: from memory, or moved
     * there from the keyed state of an earlier release (one lookup per window not in memory).
     */
    private CampaignWindow window(String campaign, long windowStart) throws Exception {
        CampaignWindow window = open.get(campaign, windowStart);
        if (window == null) {
            window = keyedWindows.get(windowStart);
            if (window != null) {
                keyedWindows.remove(windowStart);
                open.put(campaign, window);
            }
        }
        return window;
    }

    /** Open windows and waiting verdicts on this instance (tests). */
    long inMemory() {
        return open.count() + waiting.count();
    }

    @Override
    public void processElement(SendVerdict verdict, ReadOnlyContext ctx, Collector<AlertSignal> out) throws Exception {
        if (closesAt(verdict) <= ctx.timerService().currentWatermark()) {
            // Its misfire records are still written; only this window's signal has gone out already.
            verdictsTooLate.inc();
            return;
        }
        // The detector emits a verdict at the event time it judged the send (sent_at, or later for
        // a send parked for its campaign), before its watermark passes that time.
        long judgedAt = ctx.timestamp() != null ? ctx.timestamp() : verdict.getSentAt();
        if (waiting.add(ctx.getCurrentKey(), judgedAt, verdict)) {
            dueInstants.schedule(ctx.getCurrentKey(), judgedAt);
        }
    }

    /**
     * The campaign's verdicts judged at that instant: from memory, with those an earlier release
     * kept in keyed state while any may be left.
     */
    private List<SendVerdict> waitingVerdicts(String campaign, long timestamp) throws Exception {
        List<SendVerdict> batch = waiting.take(campaign, timestamp);
        if (legacyHorizon.covers(timestamp)) {
            List<SendVerdict> legacy = legacyWaiting.get(timestamp);
            if (legacy != null) {
                legacyWaiting.remove(timestamp);
                batch.addAll(legacy);
            }
        }
        return batch;
    }

    private long closesAt(SendVerdict verdict) {
        return closesAt(verdict.getSentAt() - Math.floorMod(verdict.getSentAt(), windowMs));
    }

    private long closesAt(long windowStart) {
        return windowStart + windowMs - 1 + latenessMs;
    }

    @Override
    public DueInstants dueInstants() {
        return dueInstants;
    }

    /** Counts one verdict in its window. */
    private void count(SendVerdict verdict, OnTimerContext ctx) throws Exception {
        long windowStart = verdict.getSentAt() - Math.floorMod(verdict.getSentAt(), windowMs);
        CampaignWindow window = window(ctx.getCurrentKey(), windowStart);
        if (window == null) {
            window = new CampaignWindow(
                    windowStart, verdict.getCampaignName(), verdict.getOfferProductId(), 0L, new HashMap<>());
            open.put(ctx.getCurrentKey(), window);
            // A verdict's instant can be its window's close too: the second firing finds nothing to do.
            dueInstants.schedule(ctx.getCurrentKey(), closesAt(windowStart));
        }
        window.setSends(window.getSends() + 1);
        window.setCampaignName(verdict.getCampaignName());
        for (Misfire m : verdict.getMisfires()) {
            String rule = m.getRule().name();
            RuleTally tally = window.getRules().get(rule);
            if (tally == null) {
                tally = new RuleTally(
                        0L,
                        new ArrayList<>(),
                        new ArrayList<>(),
                        m.getDetail(),
                        verdict.getChannel().name(),
                        0L);
                window.getRules().put(rule, tally);
            }
            tally.setMisfires(tally.getMisfires() + 1);
            if (tally.getExampleSendIds().size() < examples) {
                tally.getExampleSendIds().add(m.getSendId());
                tally.getExampleCustomerIds().add(m.getCustomerId());
            }
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<AlertSignal> out) throws Exception {
        List<SendVerdict> batch = waitingVerdicts(ctx.getCurrentKey(), timestamp);
        // Windows that just counted a NO_CONSENT misfire: their first occurrence is signalled now.
        TreeSet<Long> noConsentWindows = new TreeSet<>();
        if (!batch.isEmpty()) {
            batch.sort(Comparator.comparing(SendVerdict::getSendId)); // deterministic for equal judged-at times
            for (SendVerdict verdict : batch) {
                count(verdict, ctx);
                if (verdict.getMisfires().stream().anyMatch(m -> m.getRule() == MisfireRule.NO_CONSENT)) {
                    noConsentWindows.add(verdict.getSentAt() - Math.floorMod(verdict.getSentAt(), windowMs));
                }
            }
        }
        // Looked up only when a window is judged: most timers just count verdicts.
        Thresholds thresholds = noConsentWindows.isEmpty() && !closes(timestamp)
                ? null
                : thresholds(ctx.getCurrentKey(), ctx.getBroadcastState(AlertControls.DESCRIPTOR));
        for (long start : noConsentWindows) { // earliest window first
            CampaignWindow w = open.get(ctx.getCurrentKey(), start);
            RuleTally tally = w.getRules().get(MisfireRule.NO_CONSENT.name());
            if (tally.getAlertedMisfires() == 0) {
                out.collect(signal(ctx.getCurrentKey(), w, MisfireRule.NO_CONSENT, tally, thresholds));
                tally.setAlertedMisfires(tally.getMisfires());
            }
        }
        if (!closes(timestamp)) {
            return;
        }
        long windowStart = timestamp + 1 - latenessMs - windowMs;
        CampaignWindow window = window(ctx.getCurrentKey(), windowStart);
        if (window == null) {
            return;
        }
        open.remove(ctx.getCurrentKey(), windowStart);
        // Sorted by rule name so the output order is deterministic.
        for (Map.Entry<String, RuleTally> e : new TreeMap<>(window.getRules()).entrySet()) {
            MisfireRule rule = MisfireRule.valueOf(e.getKey());
            RuleTally tally = e.getValue();
            if (!meets(rule, tally, window, thresholds)) {
                continue;
            }
            // NO_CONSENT was signalled at its first occurrence: again only if more came since.
            if (rule != MisfireRule.NO_CONSENT || tally.getMisfires() > tally.getAlertedMisfires()) {
                out.collect(signal(ctx.getCurrentKey(), window, rule, tally, thresholds));
            }
        }
        // Every rule the window does not trip gets an all-clear with the window's figures, which an
        // open incident's RESOLVED message sums since its last signal (the tracker drops the rest).
        for (MisfireRule rule : MisfireRule.values()) {
            RuleTally tally = window.getRules().get(rule.name());
            if (rule != MisfireRule.UNKNOWN && (tally == null || !meets(rule, tally, window, thresholds))) {
                out.collect(allClear(ctx.getCurrentKey(), window, rule, tally == null ? 0 : tally.getMisfires()));
            }
        }
    }

    /** Whether a timer at this time may close a window: close timers fire at a window's end plus the lateness. */
    private boolean closes(long timestamp) {
        return Math.floorMod(timestamp + 1 - latenessMs - windowMs, windowMs) == 0;
    }

    /** Whether a closed window's figures for a rule are an alert condition: any breach of consent, else the share and count. */
    private static boolean meets(MisfireRule rule, RuleTally tally, CampaignWindow window, Thresholds t) {
        return rule == MisfireRule.NO_CONSENT
                ? tally.getMisfires() > 0
                : tally.getMisfires() >= t.minCount() && (double) tally.getMisfires() / window.getSends() >= t.share();
    }

    private AlertSignal allClear(String campaignId, CampaignWindow w, MisfireRule rule, long misfires) {
        long windowEnd = w.getWindowStart() + windowMs;
        Map<String, Double> metrics = new HashMap<>();
        metrics.put("misfires", (double) misfires);
        metrics.put("sends", (double) w.getSends());
        return AlertSignal.newBuilder()
                .setKind(AlertKind.MISFIRE_RATE)
                .setCampaignId(campaignId)
                .setCampaignName(w.getCampaignName())
                .setRule(rule.name())
                .setSeverity(Severity.INFO)
                .setWindowStart(w.getWindowStart())
                .setWindowEnd(windowEnd)
                .setCumulative(true)
                .setCount(misfires)
                .setBase(w.getSends())
                .setProduct(w.getOfferProductId())
                .setMetrics(metrics)
                .setExampleIds(new ArrayList<>())
                .setExampleCustomerIds(new ArrayList<>())
                .setTitle("")
                .setDetail("")
                .setAction("")
                .setHolds(false)
                .build();
    }

    @Override
    public void processBroadcastElement(ControlMessage control, Context ctx, Collector<AlertSignal> out)
            throws Exception {
        AlertControls.apply(ctx.getBroadcastState(AlertControls.DESCRIPTOR), control);
    }

    /** The thresholds in force for a campaign: its own, its kind's, the global ones, or conf/pulse.yaml's. */
    record Thresholds(double share, int minCount, double criticalShare, int criticalCount) {}

    Thresholds thresholds(String campaignId, ReadOnlyBroadcastState<String, ControlMessage> controls) throws Exception {
        AlertKind k = AlertKind.MISFIRE_RATE;
        return new Thresholds(
                AlertControls.inForce(controls, AlertSetting.MISFIRE_RATE_SHARE, campaignId, k, config),
                AlertControls.inForce(controls, AlertSetting.MISFIRE_RATE_MIN_COUNT, campaignId, k, config),
                AlertControls.inForce(controls, AlertSetting.MISFIRE_RATE_CRITICAL_SHARE, campaignId, k, config),
                AlertControls.inForce(controls, AlertSetting.MISFIRE_RATE_CRITICAL_COUNT, campaignId, k, config));
    }

    static Severity severity(MisfireRule rule, long misfires, long sends, Thresholds t) {
        if (rule == MisfireRule.NO_CONSENT
                || misfires >= t.criticalCount()
                || (sends > 0 && (double) misfires / sends >= t.criticalShare())) {
            return Severity.CRITICAL;
        }
        return Severity.WARNING;
    }

    private AlertSignal signal(String campaignId, CampaignWindow w, MisfireRule rule, RuleTally tally, Thresholds t) {
        signals.inc();
        long windowEnd = w.getWindowStart() + windowMs;
        String product = w.getOfferProductId();
        Map<String, Double> metrics = new HashMap<>();
        metrics.put("misfires", (double) tally.getMisfires());
        metrics.put("sends", (double) w.getSends());
        metrics.put("share", w.getSends() == 0 ? 0.0 : (double) tally.getMisfires() / w.getSends());
        metrics.put("threshold_share", t.share());
        metrics.put("threshold_min_count", (double) t.minCount());
        String channel = tally.getChannel() == null ? "the affected channel" : tally.getChannel();
        return AlertSignal.newBuilder()
                .setKind(AlertKind.MISFIRE_RATE)
                .setCampaignId(campaignId)
                .setCampaignName(w.getCampaignName())
                .setRule(rule.name())
                .setSeverity(severity(rule, tally.getMisfires(), w.getSends(), t))
                .setWindowStart(w.getWindowStart())
                .setWindowEnd(windowEnd)
                .setCumulative(true)
                .setCount(tally.getMisfires())
                .setBase(w.getSends())
                .setProduct(product)
                .setChannel(tally.getChannel())
                .setMetrics(metrics)
                .setExampleIds(new ArrayList<>(tally.getExampleSendIds()))
                .setExampleCustomerIds(new ArrayList<>(tally.getExampleCustomerIds()))
                .setTitle(AlertText.title(
                        rule,
                        w.getCampaignName(),
                        product,
                        tally.getMisfires(),
                        w.getSends(),
                        w.getWindowStart(),
                        windowEnd))
                .setDetail(AlertText.detail(
                        rule,
                        campaignId,
                        w.getCampaignName(),
                        product,
                        channel,
                        tally.getMisfires(),
                        w.getSends(),
                        t.share(),
                        t.minCount(),
                        tally.getExampleSendIds(),
                        tally.getExampleCustomerIds(),
                        tally.getExampleDetail()))
                .setAction(AlertText.action(rule, campaignId, w.getCampaignName(), product, channel))
                .build();
    }
}
