package io.campaignpulse.restore;

import java.io.Serializable;
import java.util.List;

/**
 * For a step whose earlier releases kept data waiting for timers in keyed state and that now
 * keeps it in memory: until which timer time the keyed state of such a release may still hold
 * something due. A savepoint of an earlier release has no horizon of its own (nothing was
 * written); the first timer after restoring it fixes the horizon at its time plus a bound. Every
 * checkpoint carries the horizon, so a restore before that time still reads the keyed state. Part
 * of the step's function, so serializable; its state is what the step checkpoints.
 */
public final class EarlierReleaseHorizon implements Serializable {

    private static final long serialVersionUID = 1L;

    private final long boundMs;
    /**
     * Long.MIN_VALUE when the job did not start from such a savepoint, Long.MAX_VALUE until the
     * first timer after such a restore sets it.
     */
    private long horizon = Long.MIN_VALUE;

    /** @param boundMs how much later than the first timer after the restore the earlier release's data can be due */
    public EarlierReleaseHorizon(long boundMs) {
        this.boundMs = boundMs;
    }

    /** On restore, with the horizons the checkpoint carries (none: a savepoint of an earlier release). */
    public void restore(Iterable<Long> checkpointed) {
        boolean written = false;
        for (Long h : checkpointed) {
            written = true;
            horizon = Math.max(horizon, h);
        }
        if (!written) {
            horizon = Long.MAX_VALUE;
        }
    }

    /** What a checkpoint stores. */
    public List<Long> snapshot() {
        return List.of(horizon);
    }

    /** Whether the earlier release's keyed state may hold something due at this timer time. */
    public boolean covers(long timerTime) {
        if (horizon == Long.MAX_VALUE) {
            horizon = timerTime + boundMs;
        }
        return timerTime <= horizon;
    }
}
