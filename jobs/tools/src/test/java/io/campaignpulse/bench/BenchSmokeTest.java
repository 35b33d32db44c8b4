package io.campaignpulse.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * pulse bench, small: it runs end to end on the embedded Kafka and PostgreSQL, checks its own run
 * against the ground truth and writes every figure the JSON promises. Never a speed: a test on a
 * shared machine cannot tell a slow pipeline from a busy neighbour.
 */
class BenchSmokeTest {

    @TempDir
    Path work;

    /** The latency runs' producers' promise: kept unless the machine stalls the broker for a second. */
    private static final Duration PUBLICATION_DELAY = Duration.ofSeconds(1);

    private static final Duration WARM_UP = Duration.ofSeconds(2);

    @Test
    void aSmallRunIsCorrectAndWritesEveryFigure() throws Exception {
        Path json = work.resolve("bench.json");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        Bench.run(
                new Bench.Settings(
                        2000,
                        2,
                        2,
                        11,
                        Duration.ofSeconds(2),
                        Duration.ofSeconds(5),
                        WARM_UP,
                        0,
                        Duration.ZERO,
                        PUBLICATION_DELAY,
                        json,
                        null,
                        Map.of()),
                new PrintStream(printed, true, StandardCharsets.UTF_8));

        JsonNode figures = new ObjectMapper().readTree(json.toFile());
        assertThat(figures.fieldNames())
                .toIterable()
                .contains(
                        "cores",
                        "jvm_options",
                        "events",
                        "customers",
                        "pipeline_events_per_s",
                        "pipeline_day_events_per_s",
                        "passthrough_events_per_s",
                        "latency_ms_at_least_once",
                        "latency_ms_exactly_once",
                        "checkpoint_ms",
                        "state_bytes_per_customer",
                        "scorer_texts_per_s",
                        "correct");
        assertThat(figures.get("correct").asBoolean())
                .as(printed.toString(StandardCharsets.UTF_8))
                .isTrue();
        assertThat(figures.get("customers").asInt()).isEqualTo(2000);
        assertThat(figures.get("events").asLong()).isGreaterThan(2000);
        assertThat(figures.get("pipeline_events_per_s").asLong()).isPositive();
        assertThat(figures.get("passthrough_events_per_s").asLong()).isPositive();
        assertThat(figures.get("checkpoint_ms").has("p50")).isTrue();
        assertThat(figures.get("checkpoint_ms").has("max")).isTrue();
        assertThat(figures.get("gc_pause_share").get("pipeline").asDouble()).isBetween(0.0, 1.0);
        for (String latency : new String[] {"latency_ms_at_least_once", "latency_ms_exactly_once"}) {
            JsonNode p = figures.get(latency);
            assertThat(p.get("count").asLong()).as(latency).isPositive();
            assertThat(p.get("p50").asLong()).as(latency).isNotNegative();
            assertThat(p.get("p99").asLong())
                    .as(latency)
                    .isGreaterThanOrEqualTo(p.get("p50").asLong());
            assertThat(p.get("max").asLong())
                    .as(latency)
                    .isGreaterThanOrEqualTo(p.get("p99").asLong());
        }
        JsonNode feed = figures.get("latency_feed");
        assertThat(feed.get("max_publication_delay_ms").asLong()).isEqualTo(PUBLICATION_DELAY.toMillis());
        assertThat(feed.get("warm_up_seconds").asLong()).isEqualTo(WARM_UP.toSeconds());
        for (String delivery : new String[] {"at_least_once", "exactly_once"}) {
            // The warm-up's sends are timed too, apart from the measured span's.
            assertThat(feed.get("latency_warm_up_ms_" + delivery).get("count").asLong())
                    .as(delivery)
                    .isPositive();
        }
        for (String delivery : new String[] {"at_least_once", "exactly_once"}) {
            // The same sends, each appended after it was handed over: never a longer wait from the append.
            JsonNode fromAppend = figures.get("latency_ms_" + delivery);
            JsonNode fromHandover = feed.get("latency_from_handover_ms_" + delivery);
            assertThat(fromHandover.get("count").asLong())
                    .isEqualTo(fromAppend.get("count").asLong());
            for (String p : new String[] {"p50", "p99", "max"}) {
                assertThat(fromAppend.get(p).asLong())
                        .as(delivery + " " + p)
                        .isLessThanOrEqualTo(fromHandover.get(p).asLong());
            }
        }
        for (String delivery : new String[] {"at_least_once", "exactly_once"}) {
            // The same sends again, by the second they were published in: together they are the whole.
            JsonNode whole = figures.get("latency_ms_" + delivery);
            long counted = 0;
            long worst = 0;
            long previous = -1;
            for (JsonNode second : figures.get("latency_by_second_ms").get(delivery)) {
                assertThat(second.get("second").asLong()).as(delivery).isGreaterThan(previous);
                previous = second.get("second").asLong();
                counted += second.get("count").asLong();
                worst = Math.max(worst, second.get("max").asLong());
            }
            assertThat(counted).as(delivery).isEqualTo(whole.get("count").asLong());
            assertThat(worst).as(delivery).isEqualTo(whole.get("max").asLong());
        }
        for (String delivery : new String[] {"at_least_once", "exactly_once"}) {
            JsonNode kept = feed.get("publication_delay_ms_" + delivery);
            assertThat(kept.get("count").asLong()).as(delivery).isPositive();
            if (kept.get("max").asLong() <= PUBLICATION_DELAY.toMillis()) {
                // A promise kept: a partition that follows the clock never makes an event late.
                assertThat(feed.get("late_events_" + delivery).asLong())
                        .as(delivery + ": " + printed.toString(StandardCharsets.UTF_8))
                        .isZero();
            }
        }
        assertThat(figures.get("ground_truth").get("missing").asLong()).isZero();
        assertThat(figures.get("ground_truth").get("invented").asLong()).isZero();
        assertThat(figures.get("ground_truth").get("expected_misfires").asLong())
                .isPositive();
    }
}
