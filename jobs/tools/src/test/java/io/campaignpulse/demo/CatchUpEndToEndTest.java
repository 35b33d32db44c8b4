package io.campaignpulse.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.campaignpulse.CpuLoad;
import io.campaignpulse.Fixtures;
import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.contract.DeadLetterReason;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Catch-up equals live: a whole day published before the job starts, on three partitions per
 * topic with 70/20/10 % of the keys, read at parallelism 2 with a short idleness timeout, while
 * busy threads saturate every core. The misfires must equal the brute-force ground truth and no
 * record may be a LATE_EVENT: reading a backlog on a loaded machine is not lateness. Then the
 * same with a stop in the middle of the backlog (savepoint, the rest published while the job is
 * down) and a resumed job.
 */
class CatchUpEndToEndTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .build());

    @TempDir
    Path work;

    private LocalInfrastructure infra;
    private PulseConfig config;
    private DemoWorld world;
    private int publishedUpTo;

    @BeforeEach
    void startInfrastructure() throws Exception {
        infra = LocalInfrastructure.start(work.resolve("infra"));
    }

    /** Publishes the first {@code share} of the day's events (in publishing order) before the job starts. */
    private void publishADayBeforeTheJobStarts(int customers, Map<String, String> more) throws Exception {
        publishBeforeTheJobStarts(customers, more, 1.0);
    }

    private void publishBeforeTheJobStarts(int customers, Map<String, String> more, double share) throws Exception {
        Map<String, String> overrides = new HashMap<>(infra.configOverrides());
        overrides.put("checkpoints.interval", "1s");
        // Short on purpose: a partition that is merely behind must never be taken for idle.
        overrides.put("event-time.idleness", "1s");
        overrides.put("event-time.campaigns-settle", "1s");
        overrides.put("parallelism", "2");
        // Small fetches, so a partition's backlog takes many fetches and alignment has work to do.
        overrides.put("kafka.properties.max.partition.fetch.bytes", "8192");
        overrides.putAll(more);
        config = Fixtures.config(overrides);
        infra.createTopics(config.topics(), 3);
        infra.migrate();
        world = DemoWorld.generate(config, new DemoWorld.Options(customers, 7, Fixtures.DAY));
        publishedUpTo = (int) (world.events().size() * share);
        publish(world.events().subList(0, publishedUpTo));
    }

    private void publishTheRest() throws Exception {
        publish(world.events().subList(publishedUpTo, world.events().size()));
        publishedUpTo = world.events().size();
    }

    private void publish(List<DemoWorld.Event> events) throws Exception {
        try (PacedPublisher publisher = new PacedPublisher(
                infra.bootstrapServers(), Map.of("partitioner.class", SkewedPartitioner.class.getName()))) {
            publisher.publish(events, 0, 0);
        }
    }

    @AfterEach
    void stopInfrastructure() throws Exception {
        if (infra != null) {
            infra.close();
        }
    }

    @Test
    void aBacklogReadOnABusyMachineIsJudgedExactly() throws Exception {
        publishADayBeforeTheJobStarts(6000, Map.of());
        long started = System.nanoTime();
        try (CpuLoad ignored = CpuLoad.saturatingAllCores();
                LocalJob job = LocalJob.start(config, work.resolve("job"))) {
            job.awaitCaughtUp(Duration.ofMinutes(8));
            System.out.printf(
                    "catch-up: %,d events read under full CPU load in %.1f s%n",
                    world.events().size(), (System.nanoTime() - started) / 1e9);
            job.stopAndDrain();
        }
        assertExactlyTheGroundTruth();
    }

    @Test
    void aStopInTheMiddleOfTheBacklogAndAResumeAreExact() throws Exception {
        // The stop must fall in the middle of the backlog whatever the machine's speed: the job
        // starts on the first 60 % of the day and is stopped (savepoint, no drain) once its first
        // misfires are committed, whether or not it has read all of that yet; the last 40 % is
        // published while it is down, so the resumed job reads a backlog too.
        publishBeforeTheJobStarts(20000, Map.of(), 0.6);
        String savepoint;
        int judgedBeforeTheStop;
        try (CpuLoad ignored = CpuLoad.saturatingAllCores();
                LocalJob job = LocalJob.start(config, work.resolve("first"))) {
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            while (tables().count("misfires") == 0) {
                assertThat(System.nanoTime())
                        .as("first misfires within 3 minutes")
                        .isLessThan(deadline);
                Thread.sleep(100);
            }
            savepoint = job.stopWithSavepoint();
            judgedBeforeTheStop = tables().count("misfires");
        }
        publishTheRest();
        int expected = OutputTables.keys(world.expectedMisfires()).size();
        System.out.printf(
                "catch-up with a restart: stopped after %,d of %,d misfires; savepoint %s%n",
                judgedBeforeTheStop, expected, savepoint);
        assertThat(judgedBeforeTheStop)
                .as("stopped in the middle of the backlog, with misfires still to come")
                .isPositive()
                .isLessThan(expected);
        try (CpuLoad ignored = CpuLoad.saturatingAllCores();
                LocalJob resumed = LocalJob.start(config, work.resolve("resumed"), savepoint)) {
            resumed.awaitCaughtUp(Duration.ofMinutes(8));
            resumed.stopAndDrain();
        }
        assertExactlyTheGroundTruth();
    }

    private void assertExactlyTheGroundTruth() throws SQLException {
        Set<String> expected = OutputTables.keys(world.expectedMisfires());
        assertThat(tables().set("SELECT send_id || '/' || rule FROM misfires"))
                .as("misfires in PostgreSQL")
                .containsExactlyInAnyOrderElementsOf(expected);
        Map<String, Integer> deadLetters = tables().deadLettersByReason();
        Map<String, Integer> planted = new HashMap<>();
        world.plantedDeadLetters().forEach((r, n) -> planted.put(r.name(), n));
        assertThat(deadLetters)
                .as("dead letters by reason: the planted ones, no LATE_EVENT")
                .isEqualTo(planted)
                .doesNotContainKey(DeadLetterReason.LATE_EVENT.name());
        assertThat(planted).containsKey(DeadLetterReason.INVALID_TIMESTAMP.name());
    }

    private OutputTables tables() {
        return new OutputTables(infra.jdbcUrl());
    }
}
