package io.campaignpulse.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The alerting settings that can also be changed at runtime (control messages), with their
 * types and valid ranges: one definition for validating conf/pulse.yaml's alerting block and
 * control messages alike. "mute" exists only at runtime.
 */
public final class AlertingSettings {

    private enum Type {
        BOOLEAN,
        SHARE,
        POSITIVE,
        FACTOR,
        COUNT,
        DURATION,
        POSITIVE_DURATION,
        SCORE_GAP
    }

    /** The settings, with the type of value each takes. */
    private static final Map<String, Type> SETTINGS = new LinkedHashMap<>();

    static {
        SETTINGS.put("mute", Type.BOOLEAN);
        SETTINGS.put("cooldown", Type.DURATION);
        SETTINGS.put("update-step", Type.POSITIVE);
        SETTINGS.put("resolve-after", Type.POSITIVE_DURATION);
        SETTINGS.put("misfire-rate-share", Type.SHARE);
        SETTINGS.put("misfire-rate-min-count", Type.COUNT);
        SETTINGS.put("misfire-rate-critical-share", Type.SHARE);
        SETTINGS.put("misfire-rate-critical-count", Type.COUNT);
        SETTINGS.put("sentiment-min-feedback", Type.COUNT);
        SETTINGS.put("sentiment-drop-below-baseline", Type.SCORE_GAP);
        SETTINGS.put("sentiment-negative-share", Type.SHARE);
        SETTINGS.put("ticket-surge-per-thousand-sends", Type.POSITIVE);
        SETTINGS.put("ticket-surge-baseline-factor", Type.FACTOR);
        SETTINGS.put("ticket-surge-min-tickets", Type.COUNT);
        SETTINGS.put("ticket-surge-min-sends", Type.COUNT);
    }

    private AlertingSettings() {}

    /**
     * @param label the name to show: the setting itself in a control message, or its
     *     configuration key (alerting.…)
     * @return why the value is not valid for the setting, or null; an empty value resets it
     */
    public static String check(String setting, String label, String value) {
        Type type = SETTINGS.get(setting);
        if (type == null) {
            return "unknown setting '" + setting + "': one of " + String.join(", ", SETTINGS.keySet());
        }
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.trim();
        String bad = "bad value for '" + label + "': ";
        try {
            switch (type) {
                case BOOLEAN -> {
                    if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
                        return bad + "must be true or false, was '" + v + "'";
                    }
                }
                case SHARE -> {
                    double d = Double.parseDouble(v);
                    if (!(d > 0 && d <= 1)) {
                        return bad + "must be in (0, 1], was " + v;
                    }
                }
                case POSITIVE -> {
                    if (!(Double.parseDouble(v) > 0)) {
                        return bad + "must be above 0, was " + v;
                    }
                }
                case FACTOR -> {
                    if (!(Double.parseDouble(v) >= 1)) {
                        return bad + "must be at least 1, was " + v;
                    }
                }
                case SCORE_GAP -> {
                    double d = Double.parseDouble(v);
                    if (!(d > 0 && d <= 2)) {
                        return bad + "must be in (0, 2], was " + v;
                    }
                }
                case COUNT -> {
                    if (Integer.parseInt(v) < 1) {
                        return bad + "must be at least 1, was " + v;
                    }
                }
                case DURATION -> {
                    if (ConfigLoader.parseDuration(v).isNegative()) {
                        return bad + "must not be negative, was " + v;
                    }
                }
                case POSITIVE_DURATION -> {
                    if (ConfigLoader.parseDuration(v).compareTo(Duration.ofSeconds(1)) < 0) {
                        return bad + "must be at least 1s, was " + v;
                    }
                }
                default -> {
                    return bad + "unsupported";
                }
            }
        } catch (RuntimeException e) {
            return bad + "'" + v + "' is not a "
                    + type.name().toLowerCase(Locale.ROOT).replace('_', ' ');
        }
        return null;
    }

    /** The alerting block's values of these settings, as text (durations in milliseconds). */
    static Map<String, String> of(PulseConfig.Alerting a) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("cooldown", a.cooldown().toMillis() + "ms");
        m.put("update-step", Double.toString(a.updateStep()));
        m.put("resolve-after", a.resolveAfter().toMillis() + "ms");
        m.put("misfire-rate-share", Double.toString(a.misfireRateShare()));
        m.put("misfire-rate-min-count", Integer.toString(a.misfireRateMinCount()));
        m.put("misfire-rate-critical-share", Double.toString(a.misfireRateCriticalShare()));
        m.put("misfire-rate-critical-count", Integer.toString(a.misfireRateCriticalCount()));
        m.put("sentiment-min-feedback", Integer.toString(a.sentimentMinFeedback()));
        m.put("sentiment-drop-below-baseline", Double.toString(a.sentimentDropBelowBaseline()));
        m.put("sentiment-negative-share", Double.toString(a.sentimentNegativeShare()));
        m.put("ticket-surge-per-thousand-sends", Double.toString(a.ticketSurgePerThousandSends()));
        m.put("ticket-surge-baseline-factor", Double.toString(a.ticketSurgeBaselineFactor()));
        m.put("ticket-surge-min-tickets", Integer.toString(a.ticketSurgeMinTickets()));
        m.put("ticket-surge-min-sends", Integer.toString(a.ticketSurgeMinSends()));
        return m;
    }
}
