package io.campaignpulse.ingest;

import io.campaignpulse.contract.DeadLetter;
import io.campaignpulse.contract.DeadLetterReason;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Right after a source: valid records go on (as {@code T}: the envelope itself, or its payload),
 * dead letters go to a side output. Stateless.
 */
public final class DeadLetterSplitter<T> extends ProcessFunction<Envelope, T> {

    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("decode-dead-letters", new AvroTypeInfo<>(DeadLetter.class));

    private final Class<T> outputType;
    private transient Map<DeadLetterReason, Counter> byReason;

    public DeadLetterSplitter(Class<T> outputType) {
        this.outputType = outputType;
    }

    @Override
    public void open(OpenContext openContext) {
        byReason = new EnumMap<>(DeadLetterReason.class);
        for (var reason : DeadLetterReason.values()) {
            byReason.put(
                    reason,
                    getRuntimeContext()
                            .getMetricGroup()
                            .addGroup("reason", reason.name())
                            .counter("deadLetters"));
        }
    }

    @Override
    public void processElement(Envelope envelope, Context ctx, Collector<T> out) {
        Object payload = envelope.getPayload();
        if (payload instanceof DeadLetter dl) {
            byReason.get(dl.getReason()).inc();
            ctx.output(DEAD_LETTERS, dl);
        } else if (outputType.isInstance(envelope)) {
            out.collect(outputType.cast(envelope));
        } else if (outputType.isInstance(payload)) {
            out.collect(outputType.cast(payload));
        } else {
            ctx.output(
                    DEAD_LETTERS,
                    DeadLetters.of(
                            envelope,
                            DeadLetterReason.INVALID_VALUE,
                            "a " + payload.getClass().getSimpleName() + " where a " + outputType.getSimpleName()
                                    + " was expected"));
        }
    }
}
