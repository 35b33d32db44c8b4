package io.campaignpulse.alerting;

import io.campaignpulse.config.AlertSetting;
import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.contract.AlertKind;
import io.campaignpulse.contract.CampaignStats;
import io.campaignpulse.contract.ControlMessage;
import io.campaignpulse.contract.Severity;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The SENTIMENT_DROP and TICKET_SURGE detector, keyed by campaign: judges each completed roll-up
 * window and signals every window where a condition holds. Hopping windows overlap (24 h sliding
 * by 1 h), so a sour campaign trips the same condition window after window: the
 * {@link IncidentTracker} turns those signals into one incident. A window where a condition does
 * not hold is sent as an all-clear with its figures, which an open incident's RESOLVED message
 * quotes.
 *
 * <p>Windows are judged in window-end order: the window join runs in parallel by window, so one
 * campaign's windows reach this operator from several channels in any order. Each window waits
 * in state until the watermark passes its end (the join emits a window before it forwards the
 * watermark that closed it, so by then every earlier window is here too), removed by its timer.
 */
public class SentimentAlerter
        extends KeyedBroadcastProcessFunction<String, CampaignStats, ControlMessage, AlertSignal> {

    private final PulseConfig.Alerting config;

    /** window end millis → the campaign's figures for that window, until the watermark passes it. */
    private transient MapState<Long, CampaignStats> waiting;

    private transient Map<AlertKind, Counter> signals;

    public SentimentAlerter(PulseConfig config) {
        this.config = config.alerting();
    }

    @Override
    public void open(OpenContext openContext) {
        waiting = getRuntimeContext()
                .getMapState(new MapStateDescriptor<>(
                        "windows-waiting", Types.LONG, new AvroTypeInfo<>(CampaignStats.class)));
        signals = new HashMap<>();
        for (AlertKind kind : new AlertKind[] {AlertKind.SENTIMENT_DROP, AlertKind.TICKET_SURGE}) {
            signals.put(
                    kind,
                    getRuntimeContext()
                            .getMetricGroup()
                            .addGroup("kind", kind.name())
                            .counter("signals"));
        }
    }

    @Override
    public void processElement(CampaignStats s, ReadOnlyContext ctx, Collector<AlertSignal> out) throws Exception {
        long end = s.getWindowEnd().toEpochMilli();
        waiting.put(end, s);
        // A window [start, end) is complete once the watermark reaches end - 1, as in Flink SQL.
        ctx.timerService().registerEventTimeTimer(end - 1);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<AlertSignal> out) throws Exception {
        CampaignStats s = waiting.get(timestamp + 1);
        if (s == null) {
            return;
        }
        waiting.remove(timestamp + 1);
        var controls = ctx.getBroadcastState(AlertControls.DESCRIPTOR);
        Thresholds forDrop = inForce(config, s.getCampaignId(), AlertKind.SENTIMENT_DROP, controls);
        Severity drop = sentimentDrop(s, forDrop);
        out.collect(
                drop != null
                        ? signal(AlertKind.SENTIMENT_DROP, drop, s, forDrop)
                        : allClear(AlertKind.SENTIMENT_DROP, s, forDrop));
        Thresholds forSurge = inForce(config, s.getCampaignId(), AlertKind.TICKET_SURGE, controls);
        Severity surge = ticketSurge(s, forSurge);
        out.collect(
                surge != null
                        ? signal(AlertKind.TICKET_SURGE, surge, s, forSurge)
                        : allClear(AlertKind.TICKET_SURGE, s, forSurge));
    }

    /**
     * A window in which the condition did not hold, with the figures an open incident's RESOLVED
     * message quotes: what is true now, not what was true when the incident opened. The tracker
     * drops it when no incident is open.
     */
    private static AlertSignal allClear(AlertKind kind, CampaignStats s, Thresholds t) {
        String name = s.getCampaignName() != null ? s.getCampaignName() : s.getCampaignId();
        String window = AlertText.span(
                s.getWindowStart().toEpochMilli(), s.getWindowEnd().toEpochMilli());
        String title;
        if (kind == AlertKind.SENTIMENT_DROP) {
            title = s.getAvgSentiment() == null || s.getFeedback() < t.minFeedback()
                    ? String.format(
                            Locale.ROOT,
                            "%s draws too little feedback to judge: %d feedback, fewer than %d (%s)",
                            name,
                            s.getFeedback(),
                            t.minFeedback(),
                            window)
                    : String.format(
                            Locale.ROOT,
                            "%s's feedback has recovered: sentiment %+.2f vs %+.2f baseline, %.0f %% negative (%d feedback, %s)",
                            name,
                            s.getAvgSentiment(),
                            orZero(s.getBaselineAvgSentiment()),
                            100 * orZero(s.getNegativeShare()),
                            s.getFeedback(),
                            window);
        } else {
            title = s.getTicketsPer1000Sends() == null
                            || s.getTicketsFromWindowSends() < t.minTickets()
                            || s.getSends() < t.minSends()
                    ? String.format(
                            Locale.ROOT,
                            "%s has too few tickets or sends to judge: %d tickets from its %d sends, fewer than %d or %d (%s)",
                            name,
                            s.getTicketsFromWindowSends(),
                            s.getSends(),
                            t.minTickets(),
                            t.minSends(),
                            window)
                    : name + "'s ticket rate is back to normal: " + ticketFigures(s, window);
        }
        return AlertSignal.newBuilder()
                .setKind(kind)
                .setCampaignId(s.getCampaignId())
                .setCampaignName(name)
                .setSeverity(Severity.INFO)
                .setWindowStart(s.getWindowStart().toEpochMilli())
                .setWindowEnd(s.getWindowEnd().toEpochMilli())
                .setCumulative(false)
                .setCount(kind == AlertKind.SENTIMENT_DROP ? s.getFeedback() : s.getTicketsFromWindowSends())
                .setBase(kind == AlertKind.SENTIMENT_DROP ? s.getFeedback() : s.getSends())
                .setMetrics(metrics(s))
                .setExampleIds(new ArrayList<>())
                .setExampleCustomerIds(new ArrayList<>())
                .setTitle(title)
                .setDetail("")
                .setAction("")
                .setHolds(false)
                .setClearly(clearly(kind, s, t))
                .build();
    }

    /**
     * Whether a window clears the condition by a margin, not just under the line (hysteresis: a
     * campaign hovering at the threshold as the baseline shifts would otherwise flap between
     * incidents): sentiment above the baseline less half the drop and a negative share 10 points
     * under the threshold, from enough feedback; a ticket rate under three quarters of the level
     * or of the baseline multiple, from enough sends.
     */
    static boolean clearly(AlertKind kind, CampaignStats s, Thresholds t) {
        if (kind == AlertKind.SENTIMENT_DROP) {
            return s.getAvgSentiment() != null
                    && s.getFeedback() >= t.minFeedback()
                    && (s.getBaselineAvgSentiment() == null
                            || s.getAvgSentiment() > s.getBaselineAvgSentiment() - t.dropBelowBaseline() / 2)
                    && (s.getNegativeShare() == null || s.getNegativeShare() < t.negativeShare() - 0.10);
        }
        Double rate = s.getTicketsPer1000Sends();
        Double baseline = s.getBaselineTicketsPer1000Sends();
        return rate != null
                && s.getSends() >= t.minSends()
                && (rate < 0.75 * t.ticketsPerThousandSends()
                        || (baseline != null && rate < 0.75 * t.ticketsBaselineFactor() * baseline));
    }

    @Override
    public void processBroadcastElement(ControlMessage control, Context ctx, Collector<AlertSignal> out)
            throws Exception {
        AlertControls.apply(ctx.getBroadcastState(AlertControls.DESCRIPTOR), control);
    }

    /** The sentiment-drop and ticket-surge thresholds in force for a campaign and kind. */
    record Thresholds(
            int minFeedback,
            double dropBelowBaseline,
            double negativeShare,
            double ticketsPerThousandSends,
            double ticketsBaselineFactor,
            int minTickets,
            int minSends) {}

    /** Control messages (campaign over kind over global) over conf/pulse.yaml. */
    static Thresholds inForce(
            PulseConfig.Alerting c,
            String campaign,
            AlertKind kind,
            ReadOnlyBroadcastState<String, ControlMessage> controls)
            throws Exception {
        return new Thresholds(
                AlertControls.inForce(controls, AlertSetting.SENTIMENT_MIN_FEEDBACK, campaign, kind, c),
                AlertControls.inForce(controls, AlertSetting.SENTIMENT_DROP_BELOW_BASELINE, campaign, kind, c),
                AlertControls.inForce(controls, AlertSetting.SENTIMENT_NEGATIVE_SHARE, campaign, kind, c),
                AlertControls.inForce(controls, AlertSetting.TICKET_SURGE_PER_THOUSAND_SENDS, campaign, kind, c),
                AlertControls.inForce(controls, AlertSetting.TICKET_SURGE_BASELINE_FACTOR, campaign, kind, c),
                AlertControls.inForce(controls, AlertSetting.TICKET_SURGE_MIN_TICKETS, campaign, kind, c),
                AlertControls.inForce(controls, AlertSetting.TICKET_SURGE_MIN_SENDS, campaign, kind, c));
    }

    /** @return the severity if the window shows a sentiment drop, else null */
    static Severity sentimentDrop(CampaignStats s, Thresholds t) {
        if (s.getAvgSentiment() == null || s.getFeedback() < t.minFeedback()) {
            return null;
        }
        boolean below = s.getBaselineAvgSentiment() != null
                && s.getAvgSentiment() <= s.getBaselineAvgSentiment() - t.dropBelowBaseline();
        boolean negative = s.getNegativeShare() != null && s.getNegativeShare() >= t.negativeShare();
        if (below && negative) {
            return Severity.CRITICAL;
        }
        return below || negative ? Severity.WARNING : null;
    }

    /** @return the severity if the window shows a ticket surge, else null */
    static Severity ticketSurge(CampaignStats s, Thresholds t) {
        Double rate = s.getTicketsPer1000Sends();
        if (rate == null
                || s.getTicketsFromWindowSends() < t.minTickets()
                || s.getSends() < t.minSends()
                || rate < t.ticketsPerThousandSends()) {
            return null;
        }
        Double baseline = s.getBaselineTicketsPer1000Sends();
        if (baseline != null && rate < t.ticketsBaselineFactor() * baseline) {
            return null;
        }
        return rate >= 2 * t.ticketsPerThousandSends() ? Severity.CRITICAL : Severity.WARNING;
    }

    private AlertSignal signal(AlertKind kind, Severity severity, CampaignStats s, Thresholds t) {
        signals.get(kind).inc();
        String name = s.getCampaignName() != null ? s.getCampaignName() : s.getCampaignId();
        Map<String, Double> metrics = metrics(s);
        String window = AlertText.span(
                s.getWindowStart().toEpochMilli(), s.getWindowEnd().toEpochMilli());
        String samples = s.getSampleNegativeFeedbackIds().isEmpty()
                ? "none"
                : String.join(", ", s.getSampleNegativeFeedbackIds());
        String title;
        String detail;
        if (kind == AlertKind.SENTIMENT_DROP) {
            boolean belowBaseline = s.getBaselineAvgSentiment() != null
                    && s.getAvgSentiment() <= s.getBaselineAvgSentiment() - t.dropBelowBaseline();
            // Say which condition tripped: a campaign can be mostly negative without being worse than an unhappy
            // baseline.
            title = belowBaseline
                    ? String.format(
                            Locale.ROOT,
                            "%s is souring its recipients: sentiment %+.2f vs %+.2f baseline, %.0f %% negative (%d feedback, %s)",
                            name,
                            s.getAvgSentiment(),
                            s.getBaselineAvgSentiment(),
                            100 * orZero(s.getNegativeShare()),
                            s.getFeedback(),
                            window)
                    : String.format(
                            Locale.ROOT,
                            "%s draws mostly negative feedback: %.0f %% negative, sentiment %+.2f vs %+.2f baseline (%d feedback, %s)",
                            name,
                            100 * orZero(s.getNegativeShare()),
                            s.getAvgSentiment(),
                            orZero(s.getBaselineAvgSentiment()),
                            s.getFeedback(),
                            window);
            detail = String.format(
                    Locale.ROOT,
                    "Tickets and reviews attributed to campaign %s (explicitly, or from the recipient's latest send within the attribution window) "
                            + "average %+.2f against %+.2f for all feedback in the same window; %.0f %% of them are negative (threshold: %.2f below "
                            + "baseline or %.0f %% negative, from %d feedback). Examples (feedback ids): %s. Average rating: %s. "
                            + "Suggested action: read the example tickets, compare the offer's wording with what customers were actually given, "
                            + "and brief customer service on the campaign before more sends go out.",
                    s.getCampaignId(),
                    s.getAvgSentiment(),
                    orZero(s.getBaselineAvgSentiment()),
                    100 * orZero(s.getNegativeShare()),
                    t.dropBelowBaseline(),
                    100 * t.negativeShare(),
                    t.minFeedback(),
                    samples,
                    s.getAvgRating() == null
                            ? "no ratings"
                            : String.format(Locale.ROOT, "%.1f stars", s.getAvgRating()));
        } else {
            title = name + " is driving tickets: " + ticketFigures(s, window);
            detail = String.format(
                    Locale.ROOT,
                    "Recipients of campaign %s's sends in the window opened %d tickets: %.1f per 1,000 sends against %.1f across all campaigns "
                            + "(threshold: %.0f per 1,000 and %.1fx the baseline, from %d tickets and %d sends). Negative examples (feedback ids): %s. "
                            + "Suggested action: tell customer service what the campaign promised, check the offer's terms with the campaign owner, "
                            + "and consider pausing the remaining sends.",
                    s.getCampaignId(),
                    s.getTicketsFromWindowSends(),
                    s.getTicketsPer1000Sends(),
                    orZero(s.getBaselineTicketsPer1000Sends()),
                    t.ticketsPerThousandSends(),
                    t.ticketsBaselineFactor(),
                    t.minTickets(),
                    t.minSends(),
                    samples);
        }
        String action = kind == AlertKind.SENTIMENT_DROP
                ? "read the example tickets, compare the offer's wording with what customers were actually given, and brief customer service on the campaign before more sends go out."
                : "tell customer service what the campaign promised, check the offer's terms with the campaign owner, and consider pausing the remaining sends.";
        return AlertSignal.newBuilder()
                .setKind(kind)
                .setCampaignId(s.getCampaignId())
                .setCampaignName(name)
                .setSeverity(severity)
                .setWindowStart(s.getWindowStart().toEpochMilli())
                .setWindowEnd(s.getWindowEnd().toEpochMilli())
                .setCumulative(false)
                .setCount(kind == AlertKind.SENTIMENT_DROP ? s.getFeedback() : s.getTicketsFromWindowSends())
                .setBase(kind == AlertKind.SENTIMENT_DROP ? s.getFeedback() : s.getSends())
                .setMetrics(metrics)
                .setExampleIds(new ArrayList<>(s.getSampleNegativeFeedbackIds()))
                .setExampleCustomerIds(new ArrayList<>())
                .setTitle(title)
                .setDetail(detail)
                .setAction(action)
                .build();
    }

    /** "68 tickets from its 898 sends (75.7 per 1,000, baseline 30.4, between ...)": a headline's ticket figures. */
    private static String ticketFigures(CampaignStats s, String window) {
        return String.format(
                Locale.ROOT,
                "%d tickets from its %d sends (%.1f per 1,000, baseline %.1f, %s)",
                s.getTicketsFromWindowSends(),
                s.getSends(),
                s.getTicketsPer1000Sends(),
                orZero(s.getBaselineTicketsPer1000Sends()),
                window);
    }

    /** The window's figures, as an alert's metrics. */
    private static Map<String, Double> metrics(CampaignStats s) {
        Map<String, Double> metrics = new HashMap<>();
        put(metrics, "feedback", (double) s.getFeedback());
        put(metrics, "tickets", (double) s.getTickets());
        put(metrics, "tickets_from_window_sends", (double) s.getTicketsFromWindowSends());
        put(metrics, "reviews", (double) s.getReviews());
        put(metrics, "sends", (double) s.getSends());
        put(metrics, "avg_sentiment", s.getAvgSentiment());
        put(metrics, "negative_share", s.getNegativeShare());
        put(metrics, "baseline_avg_sentiment", s.getBaselineAvgSentiment());
        put(metrics, "baseline_negative_share", s.getBaselineNegativeShare());
        put(metrics, "tickets_per_1000_sends", s.getTicketsPer1000Sends());
        put(metrics, "baseline_tickets_per_1000_sends", s.getBaselineTicketsPer1000Sends());
        put(metrics, "avg_rating", s.getAvgRating());
        return metrics;
    }

    private static void put(Map<String, Double> m, String key, Double value) {
        if (value != null) {
            m.put(key, value);
        }
    }

    private static double orZero(Double d) {
        return d == null ? 0.0 : d;
    }
}
