package io.campaignpulse.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.campaignpulse.Fixtures;
import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.demo.DemoWorld;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The latency runs give the job no out-of-orderness, so the CRM history they publish before the
 * feed must be in event-time order: in the generated order a few of its changes came after later
 * ones of the same topic and were refused as LATE_EVENTs.
 */
class LiveLatencyHistoryTest {

    @Test
    void theHistoryIsPublishedInEventTimeOrder() {
        PulseConfig config = Fixtures.config(Map.of("postgres.enabled", "false"));
        DemoWorld world = DemoWorld.generate(config, new DemoWorld.Options(10_000, 5, Fixtures.DAY));
        List<DemoWorld.Event> generated = world.customerEventsBeforePlayback();

        List<DemoWorld.Event> published = LiveLatency.historyInEventTimeOrder(world);

        // What the sort is for: the day's CRM changes before the feed's start (00:00-06:00) are
        // published with up to a minute's delivery jitter, so a topic's history goes back in time
        // (5 holding changes at this size, none at 2,000 customers).
        assertThat(generated.stream().map(DemoWorld.Event::topic).distinct())
                .anyMatch(topic -> backInTime(generated, topic) > 0);
        assertThat(published).containsExactlyInAnyOrderElementsOf(generated);
        assertThat(published.stream().map(DemoWorld.Event::topic).distinct())
                .allMatch(topic -> backInTime(published, topic) == 0);
    }

    /** How many of the topic's events come after a later one of the same topic. */
    private static long backInTime(List<DemoWorld.Event> events, String topic) {
        long latest = Long.MIN_VALUE;
        long back = 0;
        for (DemoWorld.Event e : events) {
            if (e.topic().equals(topic)) {
                back += e.eventTime() < latest ? 1 : 0;
                latest = Math.max(latest, e.eventTime());
            }
        }
        return back;
    }
}
