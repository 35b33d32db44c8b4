package io.campaignpulse.alerting;

import io.campaignpulse.contract.ControlAudit;
import io.campaignpulse.contract.ControlMessage;
import io.campaignpulse.contract.DeadLetter;
import io.campaignpulse.contract.DeadLetterReason;
import io.campaignpulse.ingest.DeadLetters;
import io.campaignpulse.ingest.Envelope;
import java.util.HashMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Checks each control message before it is broadcast ({@link AlertControls#validate}): an
 * accepted one goes on and is echoed to the audit; a rejected one is audited with the reason and
 * becomes an INVALID_VALUE dead letter, and the settings in force stay as they were. Stateless.
 */
public class ControlValidator extends ProcessFunction<Envelope, ControlMessage> {

    /** Every control message read, accepted or rejected. */
    public static final OutputTag<ControlAudit> AUDIT =
            new OutputTag<>("control-audit", new AvroTypeInfo<>(ControlAudit.class));

    /** Rejected control messages, with the reason. */
    public static final OutputTag<DeadLetter> REJECTED =
            new OutputTag<>("control-rejected", new AvroTypeInfo<>(DeadLetter.class));

    private transient Counter accepted;
    private transient Counter rejected;

    @Override
    public void open(OpenContext openContext) {
        accepted = getRuntimeContext().getMetricGroup().counter("controlMessagesAccepted");
        rejected = getRuntimeContext().getMetricGroup().counter("controlMessagesRejected");
    }

    @Override
    public void processElement(Envelope envelope, Context ctx, Collector<ControlMessage> out) {
        if (!(envelope.getPayload() instanceof ControlMessage m)) {
            ctx.output(REJECTED, DeadLetters.of(envelope, DeadLetterReason.INVALID_VALUE, "not a control message"));
            return;
        }
        String why = AlertControls.validate(m);
        ctx.output(
                AUDIT,
                ControlAudit.newBuilder()
                        .setControlId(m.getControlId())
                        .setScope(m.getScope().name())
                        .setTarget(m.getTarget())
                        .setSettings(new HashMap<>(m.getSettings()))
                        .setAuthor(m.getAuthor())
                        .setReason(m.getReason())
                        .setIssuedAt(m.getIssuedAt())
                        .setAccepted(why == null)
                        .setRejection(why)
                        .build());
        if (why == null) {
            accepted.inc();
            out.collect(m);
        } else {
            rejected.inc();
            ctx.output(
                    REJECTED,
                    DeadLetters.of(envelope, DeadLetterReason.INVALID_VALUE, "control message rejected: " + why));
        }
    }
}
