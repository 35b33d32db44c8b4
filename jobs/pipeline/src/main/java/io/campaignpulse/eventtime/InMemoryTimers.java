package io.campaignpulse.eventtime;

/**
 * A keyed step whose event-time timers are its {@link DueInstants}: it runs in an
 * {@link InMemoryTimersOperator}, which fires them as Flink would fire its timers.
 */
public interface InMemoryTimers {

    /** This parallel instance's instants, created when its state is initialized. */
    DueInstants dueInstants();
}
