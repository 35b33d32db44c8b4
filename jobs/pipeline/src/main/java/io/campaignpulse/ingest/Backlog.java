package io.campaignpulse.ingest;

import java.io.Serializable;

/**
 * Whether an input partition still has records the job has not read. This is what lets a quiet
 * partition be declared idle without ever releasing one that is merely behind: wall-clock
 * silence alone cannot tell "nothing more was written" from "the reader has not got to it yet".
 */
public interface Backlog extends Serializable {

    /** A bounded input: files read to their end, where idleness has no place. */
    Backlog BOUNDED = new Backlog() {
        @Override
        public Boolean caughtUp(String topic, int partition, long nextOffset) {
            return Boolean.FALSE;
        }

        @Override
        public boolean unbounded() {
            return false;
        }
    };

    /**
     * @param nextOffset the offset after the last record read from the partition
     * @return TRUE when nothing committed is left to read there, FALSE when something is, null
     *     while the answer is not known yet (it is being looked up; ask again)
     */
    Boolean caughtUp(String topic, int partition, long nextOffset);

    /**
     * For a partition whose producers keep {@code event-time.max-publication-delay}: asks again
     * (asynchronously, off the record path) and returns the previous answer.
     *
     * @param nextOffset the offset after the last record read from the partition
     * @return the wall-clock time (epoch milliseconds) at which the broker was last asked and said
     *     that nothing committed lies at or after {@code nextOffset}: a record that becomes
     *     readable later was not readable then. {@link Long#MIN_VALUE} while no such answer is
     *     known for this offset.
     */
    default long caughtUpAsOf(String topic, int partition, long nextOffset) {
        return Long.MIN_VALUE;
    }

    /**
     * @return TRUE when no partition of the topic holds a committed record, FALSE when one does,
     *     null while not known yet. (A source that reads one topic uses it for a partition that has
     *     delivered nothing: an empty topic need not be waited for.)
     */
    default Boolean empty(String topic) {
        return null;
    }

    /** False for a bounded input (a replay), which is never idle: it holds event time until it ends. */
    default boolean unbounded() {
        return true;
    }
}
