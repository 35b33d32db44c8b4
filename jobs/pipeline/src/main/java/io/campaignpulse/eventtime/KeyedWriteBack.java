package io.campaignpulse.eventtime;

import org.apache.flink.streaming.api.operators.KeyContext;

/**
 * A keyed step that keeps some of its keyed state on the heap and writes it to the state backend
 * later, under keys other than the current one (at a checkpoint, or when it evicts an entry): its
 * {@link InMemoryTimersOperator} hands it the operator's key context before the step is opened.
 */
public interface KeyedWriteBack {

    /** The operator's key context: setting its key sets the key of the step's keyed state. */
    void useKeys(KeyContext keys);
}
