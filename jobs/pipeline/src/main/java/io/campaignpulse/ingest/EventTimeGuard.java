package io.campaignpulse.ingest;

import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.contract.Campaign;
import io.campaignpulse.contract.DeadLetterReason;
import java.io.Serializable;
import java.time.Instant;
import java.util.function.LongSupplier;

/**
 * Bad clocks cannot move event time: a record whose event time is further ahead of the wall
 * clock than {@code event-time.max-future-skew}, or before {@code event-time.earliest}, is an
 * INVALID_TIMESTAMP dead letter, decided before any watermark generator sees it. One producer
 * whose clock says 2099 would otherwise move its partition's watermark to 2099 and make every
 * later record late. Other timestamps (a campaign's start and end) only need to be storable.
 */
public final class EventTimeGuard implements Serializable {

    /** A wall clock that can be handed to a task (tests pass a fixed one). */
    public interface Clock extends LongSupplier, Serializable {}

    private final long maxFutureSkewMs;
    private final long earliestMs;
    private final Clock clock;

    public EventTimeGuard(PulseConfig.EventTime config) {
        this(config, System::currentTimeMillis);
    }

    public EventTimeGuard(PulseConfig.EventTime config, Clock clock) {
        this.maxFutureSkewMs = config.maxFutureSkew().toMillis();
        this.earliestMs = config.earliestMillis();
        this.clock = clock;
    }

    /** @return why the record's timestamps are unusable, or null when they are fine. */
    ContractCheck.Violation check(Object record) {
        long t = EventTimes.ofRecord(record);
        if (t == Long.MIN_VALUE) {
            return null; // not a record with an event time
        }
        if (t < earliestMs) {
            return invalid("the event time is before event-time.earliest (" + Instant.ofEpochMilli(earliestMs) + ")");
        }
        long now = clock.getAsLong();
        if (t > now + maxFutureSkewMs) {
            return invalid(
                    "the event time is more than event-time.max-future-skew ahead of the wall clock (the producer's clock?)");
        }
        if (record instanceof Campaign c) {
            if (!storable(c.getStartsAt()) || (c.getEndsAt() != null && !storable(c.getEndsAt()))) {
                return invalid("starts_at or ends_at is outside what the sinks can store");
            }
        }
        return null;
    }

    private static boolean storable(Instant i) {
        return !i.isBefore(PulseConfig.EventTime.STORABLE_FROM) && !i.isAfter(PulseConfig.EventTime.STORABLE_UNTIL);
    }

    private static ContractCheck.Violation invalid(String detail) {
        return new ContractCheck.Violation(DeadLetterReason.INVALID_TIMESTAMP, detail);
    }
}
