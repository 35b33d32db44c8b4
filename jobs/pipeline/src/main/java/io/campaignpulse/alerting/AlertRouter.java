package io.campaignpulse.alerting;

import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.contract.Alert;
import io.campaignpulse.contract.AlertKind;
import io.campaignpulse.contract.Severity;
import java.io.Serializable;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/**
 * Routing rules: which webhooks an alert message goes to, by its kind, its campaign's owner and
 * its severity (routing.webhooks in conf/pulse.yaml; an empty list matches everything). The
 * alerts topic gets every message regardless. Stateless.
 */
public final class AlertRouter implements FlatMapFunction<Alert, WebhookCall> {

    /** A webhook's rule, with its kinds and severity parsed once, not for every alert. */
    record Route(String webhook, Set<AlertKind> kinds, Set<String> owners, Severity minSeverity)
            implements Serializable {

        static Route of(PulseConfig.Webhook w) {
            Set<AlertKind> kinds = EnumSet.noneOf(AlertKind.class);
            w.kinds().forEach(k -> kinds.add(AlertKind.valueOf(k)));
            return new Route(w.name(), kinds, Set.copyOf(w.owners()), Severity.valueOf(w.minSeverity()));
        }

        /** Whether the webhook wants the message (an empty list of kinds or owners matches all). */
        boolean matches(Alert a) {
            boolean kind = kinds.isEmpty() || kinds.contains(a.getKind());
            boolean owner = owners.isEmpty() || (a.getOwner() != null && owners.contains(a.getOwner()));
            boolean severe =
                    a.getSeverity() != Severity.UNKNOWN && a.getSeverity().ordinal() >= minSeverity.ordinal();
            return kind && owner && severe;
        }
    }

    private final List<Route> routes;

    public AlertRouter(PulseConfig.Routing routing) {
        this.routes = routing.webhooks().stream().map(Route::of).toList();
    }

    @Override
    public void flatMap(Alert alert, Collector<WebhookCall> out) {
        for (Route route : routes) {
            if (route.matches(alert)) {
                out.collect(new WebhookCall(route.webhook(), alert));
            }
        }
    }
}
