package io.campaignpulse.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * jobs/bin/submit-to-cluster, the compose stack's setup step, run against stand-ins for the
 * `flink` and `java` commands that record what they were asked: it must never submit a second
 * job, and must resume a job that ran before from its newest checkpoint or savepoint.
 */
class SubmitToClusterTest {

    private static final Path SCRIPT = Path.of("..", "..", "jobs", "bin", "submit-to-cluster")
            .toAbsolutePath()
            .normalize();

    @TempDir
    Path dir;

    private Path bin;
    private Path calls;
    private Path state;

    @BeforeEach
    void standIns() throws Exception {
        bin = Files.createDirectories(dir.resolve("bin"));
        calls = dir.resolve("calls");
        state = Files.createDirectories(dir.resolve("flink-data"));
        // `flink list -r` answers with $RUNNING_JOBS; every call is recorded.
        stub(
                "flink",
                "echo \"flink $*\" >> " + calls + "\nif [ \"$1\" = list ]; then printf '%b' \"${RUNNING_JOBS:-}\"; fi");
        stub("java", "echo \"java $*\" >> " + calls);
    }

    private void stub(String name, String body) throws Exception {
        Path file = bin.resolve(name);
        Files.writeString(file, "#!/usr/bin/env bash\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private List<String> run(String runningJobs) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(
                        "bash", SCRIPT.toString(), "/jobs/campaign-pulse.jar", state.toString(), "--set", "a=b")
                .redirectErrorStream(true);
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        pb.environment().put("RUNNING_JOBS", runningJobs);
        pb.environment().put("FLINK_OPTS", "-m jobmanager:8081");
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        return Files.readAllLines(calls);
    }

    private void metadata(String path, String modified) throws Exception {
        Path file = state.resolve(path).resolve("_metadata");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "x");
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse(modified)));
    }

    @Test
    void aFirstStartCreatesTheTopicsAndSubmitsTheJob() throws Exception {
        List<String> calls = run("");
        assertThat(calls.get(0)).startsWith("java ").contains("create-topics");
        assertThat(calls.get(1)).isEqualTo("flink list -r -m jobmanager:8081");
        assertThat(calls.get(2)).isEqualTo("flink run -d -m jobmanager:8081 /jobs/campaign-pulse.jar run --set a=b");
        assertThat(calls).hasSize(3);
    }

    @Test
    void aRunningJobIsNeverSubmittedAgain() throws Exception {
        List<String> calls = run("26.11.2026 10:00:00 : 5f3c : other-job (RUNNING)\n"
                + "26.11.2026 10:00:00 : 9a1b : campaign-pulse (RUNNING)\n");
        assertThat(calls).noneMatch(c -> c.startsWith("flink run"));
    }

    @Test
    void anotherRunningJobDoesNotCount() throws Exception {
        List<String> calls = run("26.11.2026 10:00:00 : 5f3c : campaign-pulse-replay (RUNNING)\n");
        assertThat(calls).anyMatch(c -> c.startsWith("flink run"));
    }

    @Test
    void aJobThatRanBeforeResumesFromItsNewestCheckpointOrSavepoint() throws Exception {
        metadata("checkpoints/aaaa/chk-7", "2026-11-26T10:00:00Z");
        metadata("checkpoints/bbbb/chk-12", "2026-11-26T11:00:00Z");
        metadata("savepoints/savepoint-bbbb-1", "2026-11-26T10:30:00Z");
        Files.createDirectories(state.resolve("checkpoints/bbbb/chk-13")); // incomplete: no _metadata
        assertThat(run(""))
                .last()
                .isEqualTo("flink run -d -m jobmanager:8081 -s " + state.resolve("checkpoints/bbbb/chk-12")
                        + " /jobs/campaign-pulse.jar run --set a=b");

        Files.delete(calls);
        metadata("savepoints/savepoint-bbbb-2", "2026-11-26T12:00:00Z");
        assertThat(run(""))
                .last()
                .isEqualTo("flink run -d -m jobmanager:8081 -s " + state.resolve("savepoints/savepoint-bbbb-2")
                        + " /jobs/campaign-pulse.jar run --set a=b");
    }
}
