package io.campaignpulse.alerting;

import io.campaignpulse.config.AlertingSettings;
import io.campaignpulse.config.ConfigLoader;
import io.campaignpulse.contract.AlertKind;
import io.campaignpulse.contract.ControlMessage;
import io.campaignpulse.contract.ControlScope;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
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
                    return "scope KIND needs a target: one of MISFIRE_RATE, SENTIMENT_DROP, TICKET_SURGE";
                }
                boolean known = false;
                for (AlertKind k : AlertKind.values()) {
                    known |= k != AlertKind.UNKNOWN && k.name().equals(target);
                }
                if (!known) {
                    return "unknown alert kind '" + target + "': one of MISFIRE_RATE, SENTIMENT_DROP, TICKET_SURGE";
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
            String why = AlertingSettings.check(e.getKey(), e.getKey(), e.getValue());
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

    /** The value in force for a campaign and kind, or null when only conf/pulse.yaml speaks. */
    public static String lookup(
            ReadOnlyBroadcastState<String, ControlMessage> state, String setting, String campaignId, AlertKind kind)
            throws Exception {
        for (String key : new String[] {"CAMPAIGN|" + campaignId, "KIND|" + kind, "GLOBAL"}) {
            ControlMessage m = state.get(key);
            String value = m == null ? null : m.getSettings().get(setting);
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    public static double number(
            ReadOnlyBroadcastState<String, ControlMessage> state,
            String setting,
            String campaignId,
            AlertKind kind,
            double configured)
            throws Exception {
        String v = lookup(state, setting, campaignId, kind);
        return v == null ? configured : Double.parseDouble(v);
    }

    public static int count(
            ReadOnlyBroadcastState<String, ControlMessage> state,
            String setting,
            String campaignId,
            AlertKind kind,
            int configured)
            throws Exception {
        String v = lookup(state, setting, campaignId, kind);
        return v == null ? configured : Integer.parseInt(v);
    }

    public static long millis(
            ReadOnlyBroadcastState<String, ControlMessage> state,
            String setting,
            String campaignId,
            AlertKind kind,
            long configured)
            throws Exception {
        String v = lookup(state, setting, campaignId, kind);
        return v == null ? configured : ConfigLoader.parseDuration(v).toMillis();
    }

    public static boolean flag(
            ReadOnlyBroadcastState<String, ControlMessage> state, String setting, String campaignId, AlertKind kind)
            throws Exception {
        String v = lookup(state, setting, campaignId, kind);
        return v != null && Boolean.parseBoolean(v);
    }
}
