package io.campaignpulse.alerting;

import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.contract.Alert;
import io.campaignpulse.contract.Severity;
import java.util.List;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/**
 * Routing rules: which webhooks an alert message goes to, by its kind, its campaign's owner and
 * its severity (routing.webhooks in conf/pulse.yaml; an empty list matches everything). The
 * alerts topic gets every message regardless. Stateless.
 */
public final class AlertRouter implements FlatMapFunction<Alert, WebhookCall> {

    private final List<PulseConfig.Webhook> webhooks;

    public AlertRouter(PulseConfig.Routing routing) {
        this.webhooks = routing.webhooks();
    }

    /** Whether the webhook wants the message. */
    static boolean matches(PulseConfig.Webhook w, Alert a) {
        boolean kind = w.kinds().isEmpty() || w.kinds().contains(a.getKind().name());
        boolean owner =
                w.owners().isEmpty() || (a.getOwner() != null && w.owners().contains(a.getOwner()));
        boolean severe = a.getSeverity() != Severity.UNKNOWN
                && a.getSeverity().ordinal()
                        >= Severity.valueOf(w.minSeverity()).ordinal();
        return kind && owner && severe;
    }

    @Override
    public void flatMap(Alert alert, Collector<WebhookCall> out) {
        for (PulseConfig.Webhook w : webhooks) {
            if (matches(w, alert)) {
                out.collect(new WebhookCall(w.name(), alert));
            }
        }
    }
}
