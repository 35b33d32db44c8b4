package io.campaignpulse.alerting;

import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.contract.Alert;
import io.campaignpulse.contract.AlertState;
import io.campaignpulse.contract.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Alert mail per campaign owner (the key): a mail at once when an incident is opened as, or
 * raised to, CRITICAL; and every {@code routing.email.digest-interval} of processing time a
 * digest of the owner's open incidents, each with its numbers, the suggested action, the link
 * and how to mute it. State: the owner's open incidents (latest message of each), removed when
 * resolved, with a 30-day TTL in case a resolution never comes; the next digest's timer.
 */
public class EmailDigest extends KeyedProcessFunction<String, Alert, EmailMessage> {

    /** No incident stays open this long without a message; its entry is dropped after that. */
    static final Duration OPEN_INCIDENT_TTL = Duration.ofDays(30);

    private static final int BODY_LIMIT = 100_000;

    private final PulseConfig.Email email;
    private final AlertMessages messages;
    private final long digestMs;

    private transient MapState<String, Alert> open;
    private transient ValueState<Long> nextDigest;
    private transient Counter unaddressed;

    public EmailDigest(PulseConfig.Routing routing) {
        this.email = routing.email();
        this.messages = new AlertMessages(routing.campaignUrl());
        this.digestMs = routing.email().digestInterval().toMillis();
    }

    /** The key: the campaign's owner, or "" for campaigns without one. */
    public static String ownerOf(Alert a) {
        return a.getOwner() == null ? "" : a.getOwner();
    }

    @Override
    public void open(OpenContext context) {
        MapStateDescriptor<String, Alert> openDescriptor =
                new MapStateDescriptor<>("open-incidents", Types.STRING, new AvroTypeInfo<>(Alert.class));
        openDescriptor.enableTimeToLive(StateTtlConfig.newBuilder(OPEN_INCIDENT_TTL)
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .build());
        open = getRuntimeContext().getMapState(openDescriptor);
        nextDigest = getRuntimeContext().getState(new ValueStateDescriptor<>("next-digest", Types.LONG));
        unaddressed = getRuntimeContext().getMetricGroup().counter("emailsWithoutRecipients");
    }

    @Override
    public void processElement(Alert a, Context ctx, Collector<EmailMessage> out) throws Exception {
        if (a.getState() == AlertState.RESOLVED) {
            open.remove(a.getAlertId());
            return;
        }
        Alert before = open.get(a.getAlertId());
        open.put(a.getAlertId(), a);
        boolean nowCritical =
                a.getSeverity() == Severity.CRITICAL && (before == null || before.getSeverity() != Severity.CRITICAL);
        if (nowCritical) {
            mail(
                    ctx.getCurrentKey(),
                    a.getAlertId() + "#" + a.getSequence(),
                    "[CRITICAL] " + a.getTitle(),
                    messages.plainText(a, BODY_LIMIT),
                    List.of(a.getAlertId()),
                    out);
        }
        if (digestMs > 0 && nextDigest.value() == null) {
            long at = ctx.timerService().currentProcessingTime() + digestMs;
            ctx.timerService().registerProcessingTimeTimer(at);
            nextDigest.update(at);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<EmailMessage> out) throws Exception {
        nextDigest.clear();
        List<Alert> incidents = new ArrayList<>();
        open.values().forEach(incidents::add);
        if (incidents.isEmpty()) {
            return; // the next alert starts the next digest period
        }
        incidents.sort(Comparator.comparing((Alert a) -> a.getSeverity().ordinal())
                .reversed()
                .thenComparing(Alert::getAlertId));
        String owner = ctx.getCurrentKey();
        StringBuilder body = new StringBuilder(String.format(
                Locale.ROOT,
                "%d open incident%s for %s as of %s:%n",
                incidents.size(),
                incidents.size() == 1 ? "" : "s",
                owner.isEmpty() ? "campaigns without an owner" : owner,
                Instant.ofEpochMilli(timestamp)));
        for (Alert a : incidents) {
            body.append("\n").append(messages.plainText(a, 4000)).append("\n");
        }
        mail(
                owner,
                "digest:" + owner + ":" + timestamp,
                String.format(
                        Locale.ROOT,
                        "Campaign Pulse: %d open incident%s for %s",
                        incidents.size(),
                        incidents.size() == 1 ? "" : "s",
                        owner.isEmpty() ? "campaigns without an owner" : owner),
                body.length() > BODY_LIMIT ? body.substring(0, BODY_LIMIT) : body.toString(),
                incidents.stream().map(Alert::getAlertId).toList(),
                out);
        long at = timestamp + digestMs;
        ctx.timerService().registerProcessingTimeTimer(at);
        nextDigest.update(at);
    }

    private void mail(
            String owner, String id, String subject, String body, List<String> alertIds, Collector<EmailMessage> out) {
        List<String> to = email.recipientsOf(owner);
        if (to.isEmpty()) {
            unaddressed.inc();
            return;
        }
        out.collect(new EmailMessage(id, owner, new ArrayList<>(to), subject, body, new ArrayList<>(alertIds)));
    }
}
