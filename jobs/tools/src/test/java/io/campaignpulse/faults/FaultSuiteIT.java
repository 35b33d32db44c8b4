package io.campaignpulse.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.campaignpulse.cluster.StandaloneFlinkCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The bounded part of the fault suite that runs in every build: the job jar on a real standalone
 * cluster, two kill -9 of the TaskManager while one webhook answers slowly and another always
 * fails, a 30-second PostgreSQL outage, a 30-second Kafka broker shutdown, and poison on every
 * input topic; each run against a real Kafka broker and PostgreSQL and checked against the
 * ground truth. `pulse faults` runs these with more kills and a larger day, plus the JobManager
 * kill with a resubmission at another parallelism, and the kills without webhooks; kept out of
 * the build for its length.
 */
class FaultSuiteIT {

    @Test
    void nothingLostNothingDoubledNoPoison() throws Exception {
        FaultSuite suite = new FaultSuite(
                new FaultSuite.Options(
                        300,
                        2,
                        Duration.ofSeconds(30),
                        Duration.ofSeconds(30),
                        Path.of("target", "faults-it").toAbsolutePath(),
                        Path.of("..", "pipeline", "target", "campaign-pulse.jar"),
                        StandaloneFlinkCluster.SHIPPED_CONFIG),
                System.out);
        List<String> scenarios = List.of("webhook-receivers", "postgres-outage", "broker-restart", "poison-records");
        List<FaultSuite.Result> results = suite.run(scenarios);

        assertThat(results).extracting(FaultSuite.Result::name).containsExactlyElementsOf(scenarios);
        assertThat(results).allSatisfy(r -> {
            assertThat(r.passed()).as(r.name() + ": " + r.detail()).isTrue();
            assertThat(r.expected()).as(r.name()).isPositive().isEqualTo(r.found());
            assertThat(r.missing() + r.invented() + r.duplicates()).as(r.name()).isZero();
            assertThat(r.deadLettersFound()).as(r.name()).isEqualTo(r.deadLettersExpected());
        });
        FaultSuite.Result kills = named(results, "webhook-receivers");
        assertThat(kills.restarts()).as("each kill restarts the job").isGreaterThanOrEqualTo(2);
        assertThat(kills.deadLettersExpected())
                .as("every alert message to the failing webhook is a dead letter, on top of the planted ones")
                .isGreaterThan(named(results, "postgres-outage").deadLettersExpected());
        FaultSuite.Result poison = named(results, "poison-records");
        assertThat(poison.restarts()).as("poison never restarts the job").isZero();
        assertThat(poison.deadLettersExpected())
                .as("poison on top of the day's planted bad records")
                .isGreaterThan(30);
    }

    private static FaultSuite.Result named(List<FaultSuite.Result> results, String name) {
        return results.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }
}
