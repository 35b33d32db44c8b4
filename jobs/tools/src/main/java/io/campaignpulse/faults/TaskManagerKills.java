package io.campaignpulse.faults;

import java.time.Duration;

/**
 * kill -9 of the TaskManager after a completed checkpoint, again and again, a new TaskManager
 * started each time: the job restarts from its last checkpoint, and the outputs must still be
 * exactly the ground truth (PostgreSQL upserts converge; Kafka transactions of the killed
 * attempt are never committed).
 */
final class TaskManagerKills implements FaultSuite.Fault {

    private final int kills;

    TaskManagerKills(int kills) {
        this.kills = kills;
    }

    @Override
    public double inject(FaultSuite.Run run) throws Exception {
        double slowest = 0;
        for (int kill = 1; kill <= kills; kill++) {
            run.awaitNewCheckpoint(Duration.ofMinutes(2));
            long killedAt = System.currentTimeMillis();
            long at = System.nanoTime();
            run.cluster().killTaskManager();
            run.cluster().startTaskManager();
            // First the JobManager must notice (missed heartbeats) and restart the job, then it runs again.
            run.await("the job restarted", Duration.ofMinutes(2), () -> run.lastRestart() >= killedAt);
            double recovery = run.awaitRunning(at, Duration.ofMinutes(3));
            run.out()
                    .printf(
                            "faults: TaskManager killed (%d of %d), job running again after %.1f s%n",
                            kill, kills, recovery);
            slowest = Math.max(slowest, recovery);
        }
        return slowest;
    }
}
