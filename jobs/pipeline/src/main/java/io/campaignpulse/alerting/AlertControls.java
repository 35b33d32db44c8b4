package io.campaignpulse.alerting;

import io.campaignpulse.config.AlertSetting;
import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.contract.AlertKind;
import io.campaignpulse.contract.ControlMessage;
import io.campaignpulse.contract.ControlScope;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;

/**
 * Alerting settings that can be changed at runtime through the control topic: which settings
 * exist, how a control message is validated, how accepted messages merge into the broadcast
 * state (one entry per scope: global, a kind, a campaign), and which value is in force for a
 * campaign and kind (campaign over kind over global over conf/pulse.yaml). The broadcast state
 * is checkpointed, so a restart keeps the settings in force.
 */
public final class AlertControls {

    /** The settings in force, by scope key ("GLOBAL", "KIND|MISFIRE_RATE", "CAMPAIGN|C-PLAT"). */
    public static final MapStateDescriptor<String, ControlMessage> DESCRIPTOR =
            new MapStateDescriptor<>("alert-controls", Types.STRING, new AvroTypeInfo<>(ControlMessage.class));

    private static final String KINDS = Arrays.stream(AlertKind.values())
            .filter(k -> k != AlertKind.UNKNOWN)
            .map(Enum::name)
            .collect(Collectors.joining(", "));

    private AlertControls() {}

    /** @return why the message cannot be applied, or null when it can */
    public static String validate(ControlMessage m) {
        ControlScope scope = m.getScope();
        String target = m.getTarget() == null ? null : m.getTarget().trim();
        switch (scope) {
            case GLOBAL -> {
                if (target != null && !target.isEmpty()) {
                    return "scope GLOBAL takes no target, got '" + target + "'";
                }
            }
            case KIND -> {
                if (target == null || target.isEmpty()) {
                    return "scope KIND needs a target: one of " + KINDS;
                }
                if (target.equals(AlertKind.UNKNOWN.name())
                        || Arrays.stream(AlertKind.values())
                                .noneMatch(k -> k.name().equals(target))) {
                    return "unknown alert kind '" + target + "': one of " + KINDS;
                }
            }
            case CAMPAIGN -> {
                if (target == null || target.isEmpty()) {
                    return "scope CAMPAIGN needs a target: the campaign_id";
                }
            }
            default -> {
                return "unknown scope " + scope;
            }
        }
        if (m.getSettings().isEmpty()) {
            return "no settings to change";
        }
        for (Map.Entry<String, String> e : new TreeMap<>(m.getSettings()).entrySet()) {
            String why = AlertSetting.checkNamed(e.getKey(), e.getValue());
            if (why != null) {
                return why;
            }
        }
        return null;
    }

    /** The broadcast-state key of a message's scope. */
    public static String scopeKey(ControlScope scope, String target) {
        return scope == ControlScope.GLOBAL ? "GLOBAL" : scope + "|" + target.trim();
    }

    /** Merges a valid message into the settings in force: its values replace, empty values remove. */
    public static void apply(BroadcastState<String, ControlMessage> state, ControlMessage m) throws Exception {
        String key = scopeKey(m.getScope(), m.getTarget());
        ControlMessage known = state.get(key);
        Map<String, String> merged = new HashMap<>(known == null ? Map.of() : known.getSettings());
        m.getSettings().forEach((setting, value) -> {
            if (value == null || value.isBlank()) {
                merged.remove(setting);
            } else {
                merged.put(setting, value.trim());
            }
        });
        if (merged.isEmpty()) {
            state.remove(key);
        } else {
            state.put(key, ControlMessage.newBuilder(m).setSettings(merged).build());
        }
    }

    /**
     * The value in force for a campaign and kind: the campaign's control message, else the kind's,
     * else the global one, else {@code fallback}.
     */
    public static <T> T inForce(
            ReadOnlyBroadcastState<String, ControlMessage> state,
            AlertSetting<T> setting,
            String campaignId,
            AlertKind kind,
            T fallback)
            throws Exception {
        for (String key : new String[] {"CAMPAIGN|" + campaignId, "KIND|" + kind, "GLOBAL"}) {
            ControlMessage m = state.get(key);
            String value = m == null ? null : m.getSettings().get(setting.name());
            if (value != null) {
                return setting.parse(value);
            }
        }
        return fallback;
    }

    /** The same, falling back to the value in conf/pulse.yaml. */
    public static <T> T inForce(
            ReadOnlyBroadcastState<String, ControlMessage> state,
            AlertSetting<T> setting,
            String campaignId,
            AlertKind kind,
            PulseConfig.Alerting configured)
            throws Exception {
        return inForce(state, setting, campaignId, kind, setting.configured(configured));
    }
}
