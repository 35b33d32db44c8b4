package io.campaignpulse.alerting;

import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.contract.AlertKind;
import io.campaignpulse.contract.Misfire;
import io.campaignpulse.contract.MisfireRule;
import io.campaignpulse.contract.Severity;
import io.campaignpulse.misfire.SendVerdict;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The MISFIRE_RATE detector, keyed by campaign: counts judged sends and misfires per rule in
 * tumbling event-time windows and, when a window closes ({@code allowed-lateness} after its
 * end), signals every rule whose misfires reach both the share and the minimum count. NO_CONSENT
 * is a compliance breach: CRITICAL, signalled at its first occurrence in a window (as soon as
 * the watermark passes that send, so signals leave in event-time order although verdicts come
 * from several detector subtasks in any order) and again with the window's final figures when
 * it closes. Other rules are CRITICAL from {@code misfire-rate-critical-share} or
 * {@code misfire-rate-critical-count}.
 *
 * <p>Signals are not alerts: the {@link IncidentTracker} turns the windows of one campaign and
 * rule into one incident (opened, updated, resolved).
 */
public class MisfireRateAlerter extends KeyedProcessFunction<String, SendVerdict, AlertSignal> {

    private final long windowMs;
    private final long latenessMs;
    private final double shareThreshold;
    private final int minCount;
    private final double criticalShare;
    private final int criticalCount;
    private final int examples;

    private transient MapState<Long, CampaignWindow> windows;
    private transient Counter signals;
    private transient Counter verdictsTooLate;

    public MisfireRateAlerter(PulseConfig.Alerting config) {
        this.windowMs = config.window().toMillis();
        this.latenessMs = config.allowedLateness().toMillis();
        this.shareThreshold = config.misfireRateShare();
        this.minCount = config.misfireRateMinCount();
        this.criticalShare = config.misfireRateCriticalShare();
        this.criticalCount = config.misfireRateCriticalCount();
        this.examples = config.examples();
    }

    @Override
    public void open(OpenContext openContext) {
        windows = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("windows", Types.LONG, new AvroTypeInfo<>(CampaignWindow.class)));
        signals = getRuntimeContext().getMetricGroup().counter("misfireRateSignals");
        verdictsTooLate = getRuntimeContext().getMetricGroup().counter("verdictsAfterWindowClosed");
    }

    @Override
    public void processElement(SendVerdict verdict, Context ctx, Collector<AlertSignal> out) throws Exception {
        long windowStart = verdict.getSentAt() - Math.floorMod(verdict.getSentAt(), windowMs);
        long closesAt = windowStart + windowMs - 1 + latenessMs;
        if (closesAt <= ctx.timerService().currentWatermark()) {
            // Its misfire records are still written; only this window's signal has gone out already.
            verdictsTooLate.inc();
            return;
        }
        CampaignWindow window = windows.get(windowStart);
        if (window == null) {
            window = new CampaignWindow(windowStart, verdict.getCampaignName(), verdict.getOfferProductId(), 0L, new HashMap<>());
            ctx.timerService().registerEventTimeTimer(closesAt);
        }
        window.setSends(window.getSends() + 1);
        window.setCampaignName(verdict.getCampaignName());
        for (Misfire m : verdict.getMisfires()) {
            String rule = m.getRule().name();
            RuleTally tally = window.getRules().get(rule);
            if (tally == null) {
                tally = new RuleTally(0L, new ArrayList<>(), new ArrayList<>(), m.getDetail(), verdict.getChannel().name(), 0L);
                window.getRules().put(rule, tally);
            }
            tally.setMisfires(tally.getMisfires() + 1);
            if (tally.getExampleSendIds().size() < examples) {
                tally.getExampleSendIds().add(m.getSendId());
                tally.getExampleCustomerIds().add(m.getCustomerId());
            }
            if (m.getRule() == MisfireRule.NO_CONSENT && tally.getAlertedMisfires() == 0) {
                ctx.timerService().registerEventTimeTimer(verdict.getSentAt()); // the fast path, in event-time order
            }
        }
        windows.put(windowStart, window);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<AlertSignal> out) throws Exception {
        // NO_CONSENT's first occurrences up to now, earliest window first.
        TreeMap<Long, CampaignWindow> open = new TreeMap<>();
        for (Map.Entry<Long, CampaignWindow> e : windows.entries()) {
            open.put(e.getKey(), e.getValue());
        }
        for (CampaignWindow w : open.headMap(timestamp, true).values()) {
            RuleTally tally = w.getRules().get(MisfireRule.NO_CONSENT.name());
            if (tally != null && tally.getAlertedMisfires() == 0) {
                out.collect(signal(ctx.getCurrentKey(), w, MisfireRule.NO_CONSENT, tally));
                tally.setAlertedMisfires(tally.getMisfires());
                windows.put(w.getWindowStart(), w);
            }
        }
        long windowStart = timestamp + 1 - latenessMs - windowMs;
        CampaignWindow window = windows.get(windowStart);
        if (window == null) {
            return;
        }
        windows.remove(windowStart);
        // Sorted by rule name so the output order is deterministic.
        for (Map.Entry<String, RuleTally> e : new TreeMap<>(window.getRules()).entrySet()) {
            MisfireRule rule = MisfireRule.valueOf(e.getKey());
            RuleTally tally = e.getValue();
            boolean holds = rule == MisfireRule.NO_CONSENT
                    ? tally.getMisfires() > tally.getAlertedMisfires()
                    : tally.getMisfires() >= minCount && (double) tally.getMisfires() / window.getSends() >= shareThreshold;
            if (holds) {
                out.collect(signal(ctx.getCurrentKey(), window, rule, tally));
            }
        }
    }

    Severity severity(MisfireRule rule, long misfires, long sends) {
        if (rule == MisfireRule.NO_CONSENT || misfires >= criticalCount || (sends > 0 && (double) misfires / sends >= criticalShare)) {
            return Severity.CRITICAL;
        }
        return Severity.WARNING;
    }

    private AlertSignal signal(String campaignId, CampaignWindow w, MisfireRule rule, RuleTally tally) {
        signals.inc();
        long windowEnd = w.getWindowStart() + windowMs;
        String product = w.getOfferProductId();
        Map<String, Double> metrics = new HashMap<>();
        metrics.put("misfires", (double) tally.getMisfires());
        metrics.put("sends", (double) w.getSends());
        metrics.put("share", w.getSends() == 0 ? 0.0 : (double) tally.getMisfires() / w.getSends());
        metrics.put("threshold_share", shareThreshold);
        metrics.put("threshold_min_count", (double) minCount);
        String channel = tally.getChannel() == null ? "the affected channel" : tally.getChannel();
        return AlertSignal.newBuilder()
                .setKind(AlertKind.MISFIRE_RATE)
                .setCampaignId(campaignId)
                .setCampaignName(w.getCampaignName())
                .setRule(rule.name())
                .setSeverity(severity(rule, tally.getMisfires(), w.getSends()))
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
                .setTitle(AlertText.title(rule, w.getCampaignName(), product, tally.getMisfires(), w.getSends(), w.getWindowStart(), windowEnd))
                .setDetail(AlertText.detail(rule, campaignId, w.getCampaignName(), product, channel, tally.getMisfires(), w.getSends(),
                        shareThreshold, minCount, tally.getExampleSendIds(), tally.getExampleCustomerIds(), tally.getExampleDetail()))
                .setAction(AlertText.action(rule, campaignId, w.getCampaignName(), product, channel))
                .build();
    }
}
