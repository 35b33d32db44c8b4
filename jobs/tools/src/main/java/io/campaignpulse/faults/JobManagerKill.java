package io.campaignpulse.faults;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * kill -9 of the JobManager (no high availability: the job is gone with it), a new JobManager
 * started, and the job resubmitted as an operator would: from its newest retained checkpoint, at
 * another parallelism (1 instead of 2). The resumed job must abort what the lost one left open
 * and still give exactly the ground truth.
 */
final class JobManagerKill implements FaultSuite.Fault {

    @Override
    public double inject(FaultSuite.Run run) throws Exception {
        run.awaitNewCheckpoint(Duration.ofMinutes(2));
        run.awaitNewCheckpoint(Duration.ofMinutes(2));
        String lost = run.jobId();
        long at = System.nanoTime();
        run.cluster().killJobManager();
        run.cluster().startJobManager();
        run.cluster().awaitTaskManagers(1, Duration.ofMinutes(2));
        Path checkpoint = newestCheckpoint(run.checkpoints().resolve(lost));
        String jarId = run.cluster().uploadJar(run.options().jobJar());
        String resumed = run.cluster()
                .run(
                        jarId,
                        "io.campaignpulse.cli.PulseCli",
                        run.jobArgs(),
                        1,
                        checkpoint.toUri().toString());
        run.job().set(resumed);
        double recovery = run.awaitRunning(at, Duration.ofMinutes(3));
        run.out()
                .printf(
                        "faults: JobManager killed; job resubmitted from %s at parallelism 1, running after %.1f s%n",
                        checkpoint.getFileName(), recovery);
        return recovery;
    }

    /** The newest complete checkpoint (chk-N with its _metadata) of a job. */
    static Path newestCheckpoint(Path jobDir) throws Exception {
        try (Stream<Path> dirs = Files.list(jobDir)) {
            return dirs.filter(d -> d.getFileName().toString().startsWith("chk-"))
                    .filter(d -> Files.exists(d.resolve("_metadata")))
                    .max(Comparator.comparingLong(
                            d -> Long.parseLong(d.getFileName().toString().substring(4))))
                    .orElseThrow(() -> new IllegalStateException("no retained checkpoint in " + jobDir));
        }
    }
}
