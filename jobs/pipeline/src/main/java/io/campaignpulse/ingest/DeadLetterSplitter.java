package io.campaignpulse.ingest;

import io.campaignpulse.contract.DeadLetter;
import io.campaignpulse.contract.DeadLetterReason;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Right after a source: valid records go on (as {@code T}: the envelope itself, or its payload),
 * dead letters go to a side output. For the customer events it also reports how far the input has
 * reached ({@link #INPUT_HORIZON}): the newest event time seen, to the minute, whenever it moves
 * on; a side output, so the records themselves are neither copied nor handed to another operator.
 * Stateless: after a restore the horizon is reported again, and its reader keeps the maximum.
 */
public final class DeadLetterSplitter<T> extends ProcessFunction<Envelope, T> {

    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("decode-dead-letters", new AvroTypeInfo<>(DeadLetter.class));

    /** The newest event time of the valid records, to the minute (epoch millis). */
    public static final OutputTag<Long> INPUT_HORIZON = new OutputTag<>("input-horizon", Types.LONG);

    private static final long MINUTE_MS = 60_000;

    private final Class<T> outputType;
    private final boolean reportsHorizon;
    private transient Map<DeadLetterReason, Counter> byReason;
    private transient long horizonSent;

    public DeadLetterSplitter(Class<T> outputType) {
        this(outputType, false);
    }

    /** @param reportsHorizon whether to report the input horizon on {@link #INPUT_HORIZON} */
    public DeadLetterSplitter(Class<T> outputType, boolean reportsHorizon) {
        this.outputType = outputType;
        this.reportsHorizon = reportsHorizon;
    }

    @Override
    public void open(OpenContext openContext) {
        horizonSent = Long.MIN_VALUE;
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
            reportHorizon(ctx);
            out.collect(outputType.cast(envelope));
        } else if (outputType.isInstance(payload)) {
            reportHorizon(ctx);
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

    private void reportHorizon(Context ctx) {
        Long at = ctx.timestamp();
        if (!reportsHorizon || at == null) {
            return;
        }
        long minute = at - Math.floorMod(at, MINUTE_MS);
        if (minute > horizonSent) {
            horizonSent = minute;
            ctx.output(INPUT_HORIZON, minute);
        }
    }
}
