package io.campaignpulse.faults;

import java.time.Duration;

/**
 * A service the job depends on goes away mid-stream and comes back with its data, after a
 * completed checkpoint: PostgreSQL stopped and started again (the JDBC sinks fail their writes,
 * the job restarts until the database is back, and the tables converge by upsert), or the Kafka
 * broker shut down and started again (sources, sinks and the open transactions lose their
 * connections; the job rides it out or restarts from its last checkpoint). Either way the outputs
 * must still be exactly the ground truth. Recovery: from the service's return to a running job
 * with a new completed checkpoint (its sinks have flushed and committed again).
 */
final class Outage implements FaultSuite.Fault {

    /** Takes the service away for the given time and brings it back. */
    @FunctionalInterface
    interface Interruption {
        void interrupt(FaultSuite.Run run, Duration down) throws Exception;
    }

    private final String service;
    private final Duration down;
    private final Interruption interruption;

    Outage(String service, Duration down, Interruption interruption) {
        this.service = service;
        this.down = down;
        this.interruption = interruption;
    }

    static Outage postgres(Duration down) {
        return new Outage("PostgreSQL", down, (run, d) -> {
            run.infra().stopPostgres();
            Thread.sleep(d.toMillis());
            run.infra().restartPostgres();
        });
    }

    static Outage kafkaBroker(Duration down) {
        return new Outage("Kafka broker", down, (run, d) -> run.infra().restartBroker(d));
    }

    @Override
    public double inject(FaultSuite.Run run) throws Exception {
        run.awaitNewCheckpoint(Duration.ofMinutes(2));
        run.out().printf("faults: %s down for %d s%n", service, down.toSeconds());
        interruption.interrupt(run, down);
        long at = System.nanoTime();
        run.await("the job running after " + service + " came back", Duration.ofMinutes(3), run::allRunning);
        run.awaitNewCheckpoint(Duration.ofMinutes(3));
        double recovery = (System.nanoTime() - at) / 1e9;
        run.out().printf("faults: %s back; a checkpoint completed %.1f s later%n", service, recovery);
        return recovery;
    }
}
