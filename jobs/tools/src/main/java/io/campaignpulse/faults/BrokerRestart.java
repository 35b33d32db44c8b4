package io.campaignpulse.faults;

import java.time.Duration;

/**
 * The Kafka broker shut down mid-stream and started again after a while, with its data: sources,
 * sinks and the transactions of the checkpoint in flight lose their connections. The job rides
 * it out or restarts from its last checkpoint, and the committed outputs must still be exactly
 * the ground truth (no transaction committed twice, none lost).
 */
final class BrokerRestart implements FaultSuite.Fault {

    private final Duration down;

    BrokerRestart(Duration down) {
        this.down = down;
    }

    @Override
    public double inject(FaultSuite.Run run) throws Exception {
        run.awaitNewCheckpoint(Duration.ofMinutes(2));
        run.out().printf("faults: Kafka broker shut down for %d s%n", down.toSeconds());
        run.infra().restartBroker(down);
        long at = System.nanoTime();
        // Running, and a checkpoint completed after the broker came back: its transactions commit again.
        run.await("the job running after the broker came back", Duration.ofMinutes(3), run::allRunning);
        run.awaitNewCheckpoint(Duration.ofMinutes(3));
        double recovery = (System.nanoTime() - at) / 1e9;
        run.out().printf("faults: Kafka broker back; a checkpoint completed %.1f s later%n", recovery);
        return recovery;
    }
}
