package io.campaignpulse.ingest;

import org.apache.flink.util.clock.RelativeClock;

/**
 * Tells, for one input partition (one split's watermark generator), whether it may be treated as
 * idle: no record for the quiet period on the input-activity clock (which pauses while the split
 * is paused for alignment or backpressure), and its backlog read to the end. A split that has not
 * delivered a single record cannot be looked up (a generator does not know its partition until a
 * record names it): it is taken to be empty after the quiet period, and at least
 * {@link #UNSEEN_MIN_MS}, of its start, which no first fetch takes, even on a loaded machine;
 * at once after the quiet period when its source reads a single topic that the broker says is
 * empty (a control log nobody has written to yet).
 */
final class QuietPartition {

    static final long UNSEEN_MIN_MS = 30_000;

    /**
     * A partition that wakes from idle holds its old watermark this long: others that were idle
     * too get new records in the same burst, and their lookups (answers at most half a second
     * old) must see them before event time moves on.
     */
    static final long WAKE_HOLD_MS = 2_000;

    private final long quietMs;
    private final Backlog backlog;
    private final RelativeClock clock;
    private final String onlyTopic;
    private long lastRecordAt;
    private String topic;
    private int partition;
    private long nextOffset;
    private long reads;

    QuietPartition(long quietMs, Backlog backlog, RelativeClock clock) {
        this(quietMs, backlog, clock, null);
    }

    /** @param onlyTopic the topic, when the source reads just one; else null */
    QuietPartition(long quietMs, Backlog backlog, RelativeClock clock, String onlyTopic) {
        this.quietMs = quietMs;
        this.backlog = backlog;
        this.clock = clock;
        this.onlyTopic = onlyTopic;
        this.lastRecordAt = clock.relativeTimeMillis();
    }

    /** A record (valid or dead letter) was read from the partition. */
    void recordRead(Envelope envelope) {
        lastRecordAt = clock.relativeTimeMillis();
        reads++;
        topic = envelope.getSourceTopic();
        partition = envelope.getSourcePartition();
        nextOffset = envelope.getSourceOffset() + 1;
    }

    long now() {
        return clock.relativeTimeMillis();
    }

    /** Whether a record has been read from the partition; until then it cannot be looked up. */
    boolean delivered() {
        return topic != null;
    }

    /** How many records (valid or dead letters) have been read from the partition. */
    long reads() {
        return reads;
    }

    /** See {@link Backlog#caughtUpAsOf}: when the broker last said the partition was read to its end. */
    long caughtUpAsOf() {
        return topic == null ? Long.MIN_VALUE : backlog.caughtUpAsOf(topic, partition, nextOffset);
    }

    /**
     * While idle: false once the broker has records for the partition again, so it holds event
     * time back until they are read. A partition that never delivered cannot be looked up.
     */
    boolean stillCaughtUp() {
        return topic == null || !Boolean.FALSE.equals(backlog.caughtUp(topic, partition, nextOffset));
    }

    /** Whether the partition is quiet and caught up; asks the backlog only once the quiet period has passed. */
    boolean idle() {
        long quietFor = clock.relativeTimeMillis() - lastRecordAt;
        if (!backlog.unbounded() || quietFor < quietMs) {
            return false;
        }
        if (topic == null) {
            return quietFor >= UNSEEN_MIN_MS || (onlyTopic != null && Boolean.TRUE.equals(backlog.empty(onlyTopic)));
        }
        return Boolean.TRUE.equals(backlog.caughtUp(topic, partition, nextOffset));
    }
}
