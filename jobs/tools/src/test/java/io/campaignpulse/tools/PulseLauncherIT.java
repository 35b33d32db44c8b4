package io.campaignpulse.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * jobs/bin/pulse as a user runs it (after `mvn package`, which this integration test follows):
 * two runs at once each log to their own file, named with the command, printed at start, and
 * the folder keeps the newest 20.
 */
class PulseLauncherIT {

    private static final Path LAUNCHER =
            Path.of("..", "bin", "pulse").toAbsolutePath().normalize();

    @Test
    void twoRunsAtOnceLogToTheirOwnFilesAndOnlyTheNewestAreKept(@TempDir Path logs) throws Exception {
        for (int i = 0; i < 25; i++) {
            Path old = logs.resolve("campaign-pulse-demo-2020010" + i % 10 + "-00000" + i + "-" + i + ".log");
            Files.writeString(old, "an old run\n");
            Files.setLastModifiedTime(
                    old, FileTime.from(Instant.parse("2020-01-01T00:00:00Z").plusSeconds(i)));
        }
        Process first = start(logs);
        Process second = start(logs);
        List<Path> files = new ArrayList<>();
        for (Process p : List.of(first, second)) {
            p.getOutputStream().write("Great service, thanks!\n".getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            assertThat(p.waitFor(2, TimeUnit.MINUTES))
                    .as("pulse score finished")
                    .isTrue();
            String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as(stderr).isZero();
            assertThat(stdout).startsWith("+");
            String line = stderr.lines()
                    .filter(l -> l.startsWith("pulse: log in "))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no log file printed: " + stderr));
            Path file = Path.of(line.substring("pulse: log in ".length()));
            assertThat(file.getParent()).isEqualTo(logs);
            assertThat(file.getFileName().toString())
                    .startsWith("campaign-pulse-score-")
                    .endsWith(".log");
            assertThat(Files.readString(file)).contains("pulse score started");
            files.add(file);
        }
        assertThat(files.get(0)).isNotEqualTo(files.get(1));
        try (Stream<Path> kept = Files.list(logs)) {
            List<Path> all = kept.toList();
            assertThat(all).hasSize(20).containsAll(files);
        }
    }

    private static Process start(Path logs) throws IOException {
        ProcessBuilder pb = new ProcessBuilder("bash", LAUNCHER.toString(), "score");
        pb.environment().put("PULSE_LOG_DIR", logs.toString());
        pb.environment().put("PULSE_NO_BUILD", "1");
        pb.environment().put("PULSE_JAVA_OPTS", "-Xmx256m");
        return pb.start();
    }
}
