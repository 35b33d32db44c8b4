package io.campaignpulse.alerting;

import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.contract.Alert;
import io.campaignpulse.contract.AlertKind;
import io.campaignpulse.contract.Misfire;
import io.campaignpulse.contract.MisfireRule;
import io.campaignpulse.contract.Severity;
import io.campaignpulse.misfire.SendVerdict;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Campaign-level MISFIRE_RATE alerts, keyed by campaign: counts judged sends and misfires per
 * rule in tumbling event-time windows and, when the window closes ({@code allowed-lateness}
 * after its end), raises one alert per rule whose misfires reach both the share and the
 * minimum count. NO_CONSENT is a compliance breach: CRITICAL, raised at its first occurrence,
 * and updated with the final figures when the window closes.
 *
 * <p>An alert's id is derived from (kind, campaign, rule, window), so a replay produces the
 * same ids and the PostgreSQL upsert keeps one row per alert.
 */
public class MisfireRateAlerter extends KeyedProcessFunction<String, SendVerdict, Alert> {

    private final long windowMs;
    private final long latenessMs;
    private final double shareThreshold;
    private final int minCount;

    private transient MapState<Long, CampaignWindow> windows;
    private transient Counter alertsRaised;
    private transient Counter verdictsTooLate;

    public MisfireRateAlerter(PulseConfig.Alerting config) {
        this.windowMs = config.window().toMillis();
        this.latenessMs = config.allowedLateness().toMillis();
        this.shareThreshold = config.misfireRateShare();
        this.minCount = config.misfireRateMinCount();
    }

    @Override
    public void open(OpenContext openContext) {
        windows = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("windows", Types.LONG, new AvroTypeInfo<>(CampaignWindow.class)));
        alertsRaised = getRuntimeContext().getMetricGroup().addGroup("kind", AlertKind.MISFIRE_RATE.name()).counter("alerts");
        verdictsTooLate = getRuntimeContext().getMetricGroup().counter("verdictsAfterWindowClosed");
    }

    @Override
    public void processElement(SendVerdict verdict, Context ctx, Collector<Alert> out) throws Exception {
        long windowStart = verdict.getSentAt() - Math.floorMod(verdict.getSentAt(), windowMs);
        long closesAt = windowStart + windowMs - 1 + latenessMs;
        if (closesAt <= ctx.timerService().currentWatermark()) {
            // Its misfire records are still written; only this window's alert has gone out already.
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
                tally = new RuleTally(0L, m.getSendId(), m.getCustomerId(), m.getDetail(), 0L);
                window.getRules().put(rule, tally);
            }
            tally.setMisfires(tally.getMisfires() + 1);
            if (m.getRule() == MisfireRule.NO_CONSENT && tally.getAlertedMisfires() == 0) {
                out.collect(alert(ctx.getCurrentKey(), window, m.getRule(), tally, verdict.getChannel().name(), verdict.getSentAt()));
                tally.setAlertedMisfires(tally.getMisfires());
            }
        }
        windows.put(windowStart, window);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<Alert> out) throws Exception {
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
            boolean raise = rule == MisfireRule.NO_CONSENT
                    ? tally.getMisfires() > tally.getAlertedMisfires()
                    : tally.getMisfires() >= minCount && (double) tally.getMisfires() / window.getSends() >= shareThreshold;
            if (raise) {
                out.collect(alert(ctx.getCurrentKey(), window, rule, tally, null, windowStart + windowMs));
            }
        }
    }

    private Alert alert(String campaignId, CampaignWindow w, MisfireRule rule, RuleTally tally, String channel, long detectedAt) {
        alertsRaised.inc();
        long windowEnd = w.getWindowStart() + windowMs;
        String product = w.getOfferProductId();
        Map<String, Double> metrics = new HashMap<>();
        metrics.put("misfires", (double) tally.getMisfires());
        metrics.put("sends", (double) w.getSends());
        metrics.put("share", w.getSends() == 0 ? 0.0 : (double) tally.getMisfires() / w.getSends());
        metrics.put("threshold_share", shareThreshold);
        metrics.put("threshold_min_count", (double) minCount);
        return Alert.newBuilder()
                .setAlertId(alertId(AlertKind.MISFIRE_RATE, campaignId, rule.name(), w.getWindowStart()))
                .setKind(AlertKind.MISFIRE_RATE)
                .setSeverity(rule == MisfireRule.NO_CONSENT ? Severity.CRITICAL : Severity.WARNING)
                .setCampaignId(campaignId)
                .setCampaignName(w.getCampaignName())
                .setTitle(AlertText.title(rule, w.getCampaignName(), product, tally.getMisfires(), w.getSends(), w.getWindowStart(), windowEnd))
                .setDetail(AlertText.detail(rule, campaignId, w.getCampaignName(), product, channel == null ? "the affected channel" : channel,
                        tally.getMisfires(), w.getSends(), shareThreshold, minCount,
                        tally.getExampleSendId(), tally.getExampleCustomerId(), tally.getExampleDetail()))
                .setMetrics(metrics)
                .setWindowStart(Instant.ofEpochMilli(w.getWindowStart()))
                .setWindowEnd(Instant.ofEpochMilli(windowEnd))
                .setDetectedAt(Instant.ofEpochMilli(detectedAt))
                .build();
    }

    /** Deterministic: the same incident in a replay gets the same id. */
    public static String alertId(AlertKind kind, String campaignId, String rule, long windowStart) {
        String name = kind + "|" + campaignId + "|" + rule + "|" + windowStart;
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
    }
}
