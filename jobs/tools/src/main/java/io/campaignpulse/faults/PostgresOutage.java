package io.campaignpulse.faults;

import java.time.Duration;

/**
 * The PostgreSQL server stopped mid-stream and started again after a while: the JDBC sinks fail
 * their writes, the job restarts until the database is back, and the tables converge to the
 * ground truth (upserts on primary keys).
 */
final class PostgresOutage implements FaultSuite.Fault {

    private final Duration outage;

    PostgresOutage(Duration outage) {
        this.outage = outage;
    }

    @Override
    public double inject(FaultSuite.Run run) throws Exception {
        run.awaitNewCheckpoint(Duration.ofMinutes(2));
        run.infra().stopPostgres();
        run.out().printf("faults: PostgreSQL stopped for %d s%n", outage.toSeconds());
        Thread.sleep(outage.toMillis());
        run.infra().restartPostgres();
        long at = System.nanoTime();
        // Running again, and a checkpoint completed: the sinks have flushed to the database again.
        run.await("a checkpoint after PostgreSQL came back", Duration.ofMinutes(3), run::allRunning);
        run.awaitNewCheckpoint(Duration.ofMinutes(3));
        double recovery = (System.nanoTime() - at) / 1e9;
        run.out().printf("faults: PostgreSQL back; a checkpoint completed %.1f s later%n", recovery);
        return recovery;
    }
}
