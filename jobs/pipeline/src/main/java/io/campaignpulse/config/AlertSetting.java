package io.campaignpulse.config;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One alerting setting that conf/pulse.yaml sets and a control message may change at runtime:
 * its name, its type (how a value is read), its valid range and its configured value. The one
 * declaration validates the alerting block at start, checks control messages, and reads the
 * value in force, so a new setting cannot be valid in one place and unknown in another.
 *
 * @param <T> the value's type
 */
public final class AlertSetting<T> {

    private static final Map<String, AlertSetting<?>> BY_NAME = new LinkedHashMap<>();

    /**
     * The longest duration a setting takes: far beyond any sensible cooldown, and far below what
     * overflows when added to an event time in milliseconds (a control message that passes the
     * check must never fail the job).
     */
    private static final Duration LONGEST = Duration.ofDays(365);

    /** Alerts of the scope are recorded but not sent; runtime only (false in conf/pulse.yaml). */
    public static final AlertSetting<Boolean> MUTE = new AlertSetting<>(
            "mute", "boolean", AlertSetting::trueOrFalse, "must be true or false", b -> b != null, a -> false);

    public static final AlertSetting<Duration> COOLDOWN = new AlertSetting<>(
            "cooldown",
            "duration",
            ConfigLoader::parseDuration,
            "must be from 0 to 365d",
            d -> !d.isNegative() && d.compareTo(LONGEST) <= 0,
            PulseConfig.Alerting::cooldown);
    public static final AlertSetting<Double> UPDATE_STEP = positive("update-step", PulseConfig.Alerting::updateStep);
    public static final AlertSetting<Integer> UPDATE_MIN_STEP =
            count("update-min-step", PulseConfig.Alerting::updateMinStep);
    public static final AlertSetting<Duration> RESOLVE_AFTER = new AlertSetting<>(
            "resolve-after",
            "positive duration",
            ConfigLoader::parseDuration,
            "must be from 1s to 365d",
            d -> d.compareTo(Duration.ofSeconds(1)) >= 0 && d.compareTo(LONGEST) <= 0,
            PulseConfig.Alerting::resolveAfter);

    public static final AlertSetting<Double> MISFIRE_RATE_SHARE =
            share("misfire-rate-share", PulseConfig.Alerting::misfireRateShare);
    public static final AlertSetting<Integer> MISFIRE_RATE_MIN_COUNT =
            count("misfire-rate-min-count", PulseConfig.Alerting::misfireRateMinCount);
    public static final AlertSetting<Double> MISFIRE_RATE_CRITICAL_SHARE =
            share("misfire-rate-critical-share", PulseConfig.Alerting::misfireRateCriticalShare);
    public static final AlertSetting<Integer> MISFIRE_RATE_CRITICAL_COUNT =
            count("misfire-rate-critical-count", PulseConfig.Alerting::misfireRateCriticalCount);

    public static final AlertSetting<Integer> SENTIMENT_MIN_FEEDBACK =
            count("sentiment-min-feedback", PulseConfig.Alerting::sentimentMinFeedback);
    /** A gap on the [-1, 1] sentiment scale. */
    public static final AlertSetting<Double> SENTIMENT_DROP_BELOW_BASELINE = new AlertSetting<>(
            "sentiment-drop-below-baseline",
            "score gap",
            Double::parseDouble,
            "must be in (0, 2]",
            d -> d > 0 && d <= 2,
            PulseConfig.Alerting::sentimentDropBelowBaseline);

    public static final AlertSetting<Double> SENTIMENT_NEGATIVE_SHARE =
            share("sentiment-negative-share", PulseConfig.Alerting::sentimentNegativeShare);

    public static final AlertSetting<Double> TICKET_SURGE_PER_THOUSAND_SENDS =
            positive("ticket-surge-per-thousand-sends", PulseConfig.Alerting::ticketSurgePerThousandSends);
    public static final AlertSetting<Double> TICKET_SURGE_BASELINE_FACTOR = new AlertSetting<>(
            "ticket-surge-baseline-factor",
            "factor",
            Double::parseDouble,
            "must be at least 1",
            d -> d >= 1,
            PulseConfig.Alerting::ticketSurgeBaselineFactor);
    public static final AlertSetting<Integer> TICKET_SURGE_MIN_TICKETS =
            count("ticket-surge-min-tickets", PulseConfig.Alerting::ticketSurgeMinTickets);
    public static final AlertSetting<Integer> TICKET_SURGE_MIN_SENDS =
            count("ticket-surge-min-sends", PulseConfig.Alerting::ticketSurgeMinSends);

    private final String name;
    private final String type;
    private final Function<String, T> parser;
    private final String range;
    private final Predicate<T> inRange;
    private final Function<PulseConfig.Alerting, T> configured;

    private AlertSetting(
            String name,
            String type,
            Function<String, T> parser,
            String range,
            Predicate<T> inRange,
            Function<PulseConfig.Alerting, T> configured) {
        this.name = name;
        this.type = type;
        this.parser = parser;
        this.range = range;
        this.inRange = inRange;
        this.configured = configured;
        BY_NAME.put(name, this);
    }

    private static AlertSetting<Double> share(String name, Function<PulseConfig.Alerting, Double> configured) {
        return new AlertSetting<>(
                name, "share", Double::parseDouble, "must be in (0, 1]", d -> d > 0 && d <= 1, configured);
    }

    private static AlertSetting<Double> positive(String name, Function<PulseConfig.Alerting, Double> configured) {
        return new AlertSetting<>(name, "positive", Double::parseDouble, "must be above 0", d -> d > 0, configured);
    }

    private static AlertSetting<Integer> count(String name, Function<PulseConfig.Alerting, Integer> configured) {
        return new AlertSetting<>(name, "count", Integer::parseInt, "must be at least 1", n -> n >= 1, configured);
    }

    /** True, false (any case), or null: "yes" must not silently mean false. */
    private static Boolean trueOrFalse(String v) {
        return v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false") ? Boolean.valueOf(v) : null;
    }

    /** Every setting, in declaration order. */
    public static List<AlertSetting<?>> all() {
        return List.copyOf(BY_NAME.values());
    }

    /** Every setting's name, comma-separated, for help texts and error messages. */
    public static String names() {
        return String.join(", ", Collections.unmodifiableSet(BY_NAME.keySet()));
    }

    /** The setting of that name, or null. */
    public static AlertSetting<?> named(String name) {
        return BY_NAME.get(name);
    }

    public String name() {
        return name;
    }

    /** The value from conf/pulse.yaml's alerting block. */
    public T configured(PulseConfig.Alerting alerting) {
        return configured.apply(alerting);
    }

    /** Reads a value that {@link #check} accepted. */
    public T parse(String value) {
        return parser.apply(value.trim());
    }

    /**
     * @param label the name to show: the setting itself in a control message, or its
     *     configuration key (alerting.…)
     * @return why the value is not valid, or null; an empty value (a reset) is valid
     */
    public String check(String label, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.trim();
        String bad = "bad value for '" + label + "': ";
        T parsed;
        try {
            parsed = parser.apply(v);
        } catch (RuntimeException e) {
            return bad + "'" + v + "' is not a " + type;
        }
        return inRange.test(parsed) ? null : bad + range + ", was " + v;
    }

    /** Checks a control message's setting by name: unknown names are refused with the list of known ones. */
    public static String checkNamed(String name, String value) {
        AlertSetting<?> setting = named(name);
        return setting == null ? "unknown setting '" + name + "': one of " + names() : setting.check(name, value);
    }

    /** Checks the alerting block's value of every setting, by its configuration key. */
    static String checkConfigured(PulseConfig.Alerting alerting) {
        for (AlertSetting<?> s : BY_NAME.values()) {
            String why = s.check("alerting." + s.name, s.text(alerting));
            if (why != null) {
                return why;
            }
        }
        return null;
    }

    /** The configured value as a control message would write it (durations in milliseconds). */
    private String text(PulseConfig.Alerting alerting) {
        T v = configured(alerting);
        return v instanceof Duration d ? d.toMillis() + "ms" : String.valueOf(v);
    }

    @Override
    public String toString() {
        return name;
    }
}
