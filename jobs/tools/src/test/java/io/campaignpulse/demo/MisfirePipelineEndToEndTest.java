package io.campaignpulse.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.campaignpulse.Fixtures;
import io.campaignpulse.cli.ControlCommand;
import io.campaignpulse.cli.PulseCli;
import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.contract.ControlMessage;
import io.campaignpulse.contract.ControlScope;
import io.campaignpulse.contract.DeadLetterReason;
import io.campaignpulse.contract.MisfireRule;
import io.campaignpulse.ingest.AvroJson;
import io.campaignpulse.sentiment.SentimentScorer;
import io.campaignpulse.sink.PostgresMigrations;
import io.campaignpulse.tools.LocalMetrics;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The live job end to end on a real Kafka broker, a real PostgreSQL and a Flink MiniCluster
 * (RocksDB, exactly-once checkpoints), checked against the generator's ground truth: every
 * expected misfire found (the planted ones among them), none invented, the right alerts, the
 * planted bad records as dead letters; then the same input processed again from the start
 * leaves every table unchanged (idempotent upserts).
 */
class MisfirePipelineEndToEndTest {

    private static final String ALERT_ROWS =
            "SELECT alert_id || ' ' || kind || ' ' || campaign_id || ' ' || severity || ' ' || window_end FROM alerts";

    /** The cluster's Prometheus endpoint, as `pulse run` and `pulse demo` serve it. */
    static final int METRICS_PORT = freePort();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(2)
            .setConfiguration(LocalMetrics.prometheus(METRICS_PORT))
            .build());

    @TempDir
    static Path work;

    static LocalInfrastructure infra;

    @BeforeAll
    static void startInfrastructure() throws Exception {
        infra = LocalInfrastructure.start(work.resolve("infra"));
    }

    @AfterAll
    static void stopInfrastructure() throws Exception {
        if (infra != null) {
            infra.close();
        }
    }

    private static PulseConfig config(String group) {
        return config(group, Map.of());
    }

    private static PulseConfig config(String group, Map<String, String> more) {
        Map<String, String> overrides = new HashMap<>(infra.configOverrides());
        overrides.put("kafka.group-id", group);
        overrides.put("kafka.transactional-id-prefix", group);
        overrides.put("checkpoints.interval", "1s");
        overrides.put("event-time.idleness", "10s");
        overrides.put("event-time.campaigns-settle", "2s");
        overrides.put("alerting.misfire-rate-min-count", "5");
        overrides.put("parallelism", "2");
        overrides.putAll(more);
        return Fixtures.config(overrides);
    }

    /** The cards team's chat (healthy), the savings team's (down) and the lending team's (too slow): webhooks on a local HTTP server. */
    private static PulseConfig withWebhooks(PulseConfig c, HttpServer server) {
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        PulseConfig.Routing routing = new PulseConfig.Routing(
                List.of(
                        new PulseConfig.Webhook(
                                "cards-chat", base + "/cards", null, List.of(), List.of("cards-team"), "WARNING"),
                        new PulseConfig.Webhook(
                                "savings-chat", base + "/savings", null, List.of(), List.of("savings-team"), "INFO"),
                        new PulseConfig.Webhook(
                                "lending-chat", base + "/lending", null, List.of(), List.of("lending-team"), "INFO")),
                Duration.ofSeconds(1),
                2,
                Duration.ofMillis(50),
                50);
        return new PulseConfig(
                c.kafka(),
                c.topics(),
                c.eventTime(),
                c.misfire(),
                c.attribution(),
                c.rollups(),
                c.alerting(),
                routing,
                c.postgres(),
                c.checkpoints(),
                c.parallelism(),
                c.contract());
    }

    /**
     * The scorecard BI reads and the alerts marketing ops read tell one story: every campaign has one
     * row; its lifetime sends are the world's; a SENTIMENT_DROP or TICKET_SURGE whose latest window is
     * the scorecard's window shows in the scorecard's figures, and a scorecard window that meets the
     * SENTIMENT_DROP condition with enough feedback lies inside such an incident, or after the start of
     * one still open when the input ended (muted campaigns aside).
     */
    private static void scorecardAndAlertsAgree(PulseConfig config, DemoWorld world, long day) throws Exception {
        PulseConfig.Alerting a = config.alerting();
        Map<String, ExpectedStats> lifetime = RollupTruth.forWindow(
                List.of(world),
                day - Duration.ofDays(1).toMillis(),
                day + Duration.ofDays(3).toMillis());
        Map<String, Long> lifetimeSends = new TreeMap<>();
        lifetime.forEach((campaign, stats) -> {
            if (!campaign.equals("*") && stats.sends() > 0) {
                lifetimeSends.put(campaign, stats.sends());
            }
        });
        Map<String, Long> scorecardSends = new TreeMap<>();
        try (Connection c = connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(
                        "SELECT campaign_id, lifetime_sends FROM campaign_scorecard WHERE lifetime_sends > 0")) {
            while (rs.next()) {
                scorecardSends.put(rs.getString(1), rs.getLong(2));
            }
        }
        assertThat(scorecardSends).as("lifetime sends per campaign").isEqualTo(lifetimeSends);
        assertThat(querySet("SELECT campaign_id FROM campaign_stats EXCEPT SELECT campaign_id FROM campaign_scorecard"))
                .as("campaigns without a scorecard row")
                .isEmpty();
        assertThat(querySet(
                        "SELECT campaign_id FROM campaign_scorecard WHERE misfire_rate > 1 OR lifetime_misfire_rate > 1"
                                + " OR misfired_sends > misfires OR lifetime_misfired_sends > lifetime_sends"))
                .isEmpty();
        System.out.println("e2e: scorecard "
                + querySet("SELECT campaign_id || ' ' || window_end || ' feedback ' || feedback"
                        + " || ' ' || sentiment_confidence || ' ' || sentiment_direction || ' vs ' || coalesce(trend_basis, '-')"
                        + " FROM campaign_scorecard"));

        String drop = String.format(
                Locale.ROOT,
                "(s.sentiment_vs_baseline <= -%f OR s.negative_share >= %f)",
                a.sentimentDropBelowBaseline(),
                a.sentimentNegativeShare());
        assertThat(querySet("SELECT s.campaign_id FROM alerts x JOIN campaign_scorecard s USING (campaign_id)"
                        + " WHERE x.kind = 'SENTIMENT_DROP' AND x.window_end = s.window_end"
                        + " AND s.sentiment_confidence = 'ok' AND NOT " + drop))
                .as("a sentiment drop on the scorecard's window that the scorecard does not show")
                .isEmpty();
        assertThat(querySet("SELECT s.campaign_id FROM alerts x JOIN campaign_scorecard s USING (campaign_id)"
                        + " WHERE x.kind = 'TICKET_SURGE' AND x.window_end = s.window_end"
                        + " AND NOT s.tickets_per_1000_sends >= " + a.ticketSurgePerThousandSends()))
                .as("a ticket surge on the scorecard's window that the scorecard does not show")
                .isEmpty();
        System.out.println(
                "e2e: sentiment incidents "
                        + querySet(
                                "SELECT campaign_id || ' ' || kind || ' ' || state || ' '"
                                        + " || window_start || ' .. ' || window_end || ': ' || title FROM alerts WHERE kind <> 'MISFIRE_RATE'"));
        System.out.println("e2e: scorecard windows "
                + querySet("SELECT campaign_id || ' ' || window_start || ' .. '"
                        + " || window_end || ' ' || coalesce(avg_sentiment::text, '-') || ' vs ' || coalesce(sentiment_vs_baseline::text, '-')"
                        + " || ' neg ' || coalesce(negative_share::text, '-') FROM campaign_scorecard"));
        assertThat(querySet("SELECT s.campaign_id FROM campaign_scorecard s WHERE s.sentiment_confidence = 'ok'"
                        + " AND " + drop + " AND s.campaign_id <> 'C-HOME' AND NOT EXISTS (SELECT 1 FROM alerts x"
                        + " WHERE x.campaign_id = s.campaign_id AND x.kind = 'SENTIMENT_DROP'"
                        + " AND x.window_start <= s.window_start"
                        + " AND (x.window_end >= s.window_end OR x.state <> 'RESOLVED'))")) // open: ongoing
                .as("a scorecard window in sentiment-drop territory that no SENTIMENT_DROP incident covers")
                .isEmpty();
        // And the other way round: an incident still open when the input ended is not contradicted
        // by the scorecard's window and those before it for resolve-after, all clearing the
        // condition by the tracker's margin (it would have resolved on them).
        long run = a.resolveAfter().dividedBy(config.rollups().slide());
        String clearly = String.format(
                Locale.ROOT,
                "(w.feedback >= %d AND w.avg_sentiment IS NOT NULL"
                        + " AND (w.baseline_avg_sentiment IS NULL OR w.avg_sentiment > w.baseline_avg_sentiment - %f)"
                        + " AND (w.negative_share IS NULL OR w.negative_share < %f))",
                a.sentimentMinFeedback(),
                a.sentimentDropBelowBaseline() / 2,
                a.sentimentNegativeShare() - 0.10);
        assertThat(querySet("SELECT x.campaign_id FROM alerts x JOIN campaign_scorecard s USING (campaign_id)"
                        + " WHERE x.kind = 'SENTIMENT_DROP' AND x.state <> 'RESOLVED' AND x.campaign_id <> 'C-HOME'"
                        + " AND s.window_end - make_interval(secs => "
                        + a.resolveAfter().toSeconds() + ") > x.window_end"
                        + " AND (SELECT count(*) FROM campaign_stats w WHERE w.campaign_id = s.campaign_id"
                        + " AND w.window_end BETWEEN s.window_end - make_interval(secs => "
                        + a.resolveAfter().toSeconds()
                        + ") AND s.window_end"
                        + " AND " + clearly + ") = " + (run + 1)))
                .as("an open SENTIMENT_DROP incident that the scorecard's latest windows clearly contradict")
                .isEmpty();
    }

    /**
     * Our metrics, with their values, on the Prometheus endpoint of the running job. Its input is
     * read, but a send is judged only once event time has passed it on every input, which can
     * come later: the scrape is repeated until the sends are judged (at most two minutes). A scrape
     * reads the counters one after the other, not as a snapshot, so one may show the first misfire
     * and another still no judged send: it waits for both.
     */
    private static void theJobsOwnMetricsAreScraped(DemoWorld world) throws Exception {
        String body = scrape();
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while ((sum(body, "flink_taskmanager_job_task_operator_rule_misfires", "rule=\"ALREADY_HOLDS_PRODUCT\"") == 0
                        || sum(body, "flink_taskmanager_job_task_operator_sendsEvaluated", "") == 0)
                && System.nanoTime() < deadline) {
            Thread.sleep(500);
            body = scrape();
        }
        assertThat(sum(body, "flink_taskmanager_job_task_operator_sendsEvaluated", ""))
                .as("sends judged")
                .isPositive()
                .isLessThanOrEqualTo(world.sends());
        assertThat(sum(body, "flink_taskmanager_job_task_operator_reason_deadLetters", ""))
                .as("dead letters by reason: the planted bad records at least")
                .isGreaterThanOrEqualTo(1);
        assertThat(sum(body, "flink_taskmanager_job_task_operator_rule_misfires", "rule=\"ALREADY_HOLDS_PRODUCT\""))
                .as("misfires by rule")
                .isPositive();
        assertThat(body).contains("flink_taskmanager_job_task_operator_kafkaCommitsFailed");
        assertThat(sum(body, "flink_taskmanager_job_task_operator_kafkaCommitsFailed", ""))
                .isZero();
    }

    private static String scrape() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + METRICS_PORT + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    /** The sum of a metric's samples whose labels contain {@code label}. */
    private static double sum(String body, String metric, String label) {
        return body.lines()
                .filter(l -> l.startsWith(metric + "{") && l.contains(label))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    @Test
    void everyExpectedMisfireIsFoundNoneInventedAndAReplayChangesNoRow() throws Exception {
        Set<String> delivered = ConcurrentHashMap.newKeySet();
        AtomicInteger refused = new AtomicInteger();
        HttpServer hooks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hooks.createContext("/cards", exchange -> {
            var body = AvroJson.MAPPER.readTree(exchange.getRequestBody().readAllBytes());
            delivered.add(
                    body.get("alert_id").asText() + "#" + body.get("sequence").asInt());
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        hooks.createContext("/savings", exchange -> {
            refused.incrementAndGet();
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(500, -1);
            exchange.close();
        });
        hooks.createContext("/lending", exchange -> {
            try {
                Thread.sleep(5000); // longer than the webhook timeout: every attempt times out
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        hooks.setExecutor(Executors.newCachedThreadPool()); // a slow endpoint must not hold up the others
        hooks.start();
        try {
            everyExpectedMisfireIsFoundNoneInventedAndAReplayChangesNoRow(hooks, delivered, refused);
        } finally {
            hooks.stop(0);
        }
    }

    private void everyExpectedMisfireIsFoundNoneInventedAndAReplayChangesNoRow(
            HttpServer hooks, Set<String> delivered, AtomicInteger refused) throws Exception {
        PulseConfig config = withWebhooks(config("pulse-e2e"), hooks);
        infra.createTopics(config.topics(), 2);
        infra.migrate();
        DemoWorld world = DemoWorld.generate(config, new DemoWorld.Options(800, 42, Fixtures.DAY));
        try (PacedPublisher publisher = new PacedPublisher(infra.bootstrapServers())) {
            publisher.publish(world.events(), 0, 0);
        }
        // Marketing ops mute the home insurance campaign before any data is judged, and someone
        // sends a bad threshold (the job must reject it, keep its settings, and say why).
        ControlCommand.send(
                config,
                ControlMessage.newBuilder()
                        .setControlId("ctl-mute-home")
                        .setScope(ControlScope.CAMPAIGN)
                        .setTarget("C-HOME")
                        .setSettings(Map.of("mute", "true"))
                        .setAuthor("maria")
                        .setReason("resending by hand")
                        .setIssuedAt(Fixtures.DAY)
                        .build());
        ControlCommand.send(
                config,
                ControlMessage.newBuilder()
                        .setControlId("ctl-typo")
                        .setScope(ControlScope.GLOBAL)
                        .setSettings(Map.of("misfire-rate-share", "5"))
                        .setAuthor("tom")
                        .setIssuedAt(Fixtures.DAY)
                        .build());

        long started = System.nanoTime();
        try (LocalJob job = LocalJob.start(config, work.resolve("run-1"))) {
            job.awaitCaughtUp(Duration.ofMinutes(3));
            double seconds = (System.nanoTime() - started) / 1e9;
            System.out.printf(
                    "e2e: %d events read in %.1f s (%.0f events/s, including job start)%n",
                    world.events().size(), seconds, world.events().size() / seconds);
            theJobsOwnMetricsAreScraped(world);
            assertThat(job.stopAndDrain()).isNotBlank();
        }

        Map<String, Set<MisfireRule>> expected = world.expectedMisfires();
        Set<String> expectedKeys = keys(expected);
        System.out.printf(
                "e2e: %d sends, %d expected misfires (%d planted), %d expected alerts%n",
                world.sends(),
                expectedKeys.size(),
                world.planted().values().stream().mapToInt(Set::size).sum(),
                GroundTruth.alerts(world, expected).size());
        for (var planted : world.planted().entrySet()) {
            assertThat(planted.getValue()).as("planted " + planted.getKey()).isNotEmpty();
            for (String sendId : planted.getValue()) {
                assertThat(expected.get(sendId))
                        .as("oracle knows planted %s %s", sendId, planted.getKey())
                        .contains(planted.getKey());
            }
        }

        // The campaigns dimension: every campaign of the world, as its last record described it, so
        // misfires can be read with their campaign's owner and offer without Kafka.
        assertThat(querySet("SELECT campaign_id || ':' || offer_type || ':' || coalesce(owner, '-') FROM campaigns"))
                .as("the campaigns table")
                .containsExactlyInAnyOrderElementsOf(world.campaigns().values().stream()
                        .map(c -> c.getCampaignId() + ":" + c.getOfferType() + ":"
                                + (c.getOwner() == null ? "-" : c.getOwner()))
                        .toList());
        assertThat(count("misfires m LEFT JOIN campaigns c USING (campaign_id) WHERE c.campaign_id IS NULL"))
                .as("misfires whose campaign is not in the campaigns table")
                .isZero();

        Set<String> inPostgres = querySet("SELECT send_id || '/' || rule FROM misfires");
        assertThat(inPostgres).as("misfires in PostgreSQL").containsExactlyInAnyOrderElementsOf(expectedKeys);
        assertThat(misfiresInKafka(config))
                .as("misfires in Kafka, read_committed")
                .containsExactlyInAnyOrderElementsOf(expectedKeys);

        Set<String> expectedAlerts = GroundTruth.alerts(world, expected).stream()
                .filter(a -> !a.campaignId().equals("C-HOME")) // muted
                .map(a -> a.campaignId() + "/" + a.rule() + "/" + a.windowStart())
                .collect(Collectors.toSet());
        assertThat(GroundTruth.alerts(world, expected))
                .as("the mute hides something")
                .anyMatch(a -> a.campaignId().equals("C-HOME"));
        assertThat(count("alerts WHERE campaign_id = 'C-HOME'")).isZero();
        assertThat(querySet(
                        "SELECT control_id || ':' || accepted || ':' || coalesce(rejection, '-') FROM control_audit"))
                .containsExactlyInAnyOrder(
                        "ctl-mute-home:true:-",
                        "ctl-typo:false:bad value for 'misfire-rate-share': must be in (0, 1], was 5");
        Set<String> alerts = alertKeys();
        assertThat(alerts).as("alerts").containsExactlyInAnyOrderElementsOf(expectedAlerts);
        assertThat(expectedAlerts)
                .as("the demo's problem campaigns raise alerts")
                .anyMatch(a -> a.startsWith("C-PLAT/ALREADY_HOLDS_PRODUCT"))
                .anyMatch(a -> a.startsWith("C-NEWS/NO_CONSENT"))
                .noneMatch(a -> a.startsWith("C-SECURITY") || a.startsWith("C-KEEP"));
        assertThat(querySet("SELECT DISTINCT severity FROM alerts WHERE title LIKE '%opted out%'"))
                .containsExactly("CRITICAL");
        // The input ends, and its final watermark fires every timer; but an incident is resolved only
        // when the input covered its quiet period. Those cut short by the end stay open.
        long newest = world.events().stream()
                .filter(e -> !e.topic().equals(config.topics().campaigns())
                        && !e.topic().equals(config.topics().control()))
                .mapToLong(DemoWorld.Event::eventTime)
                .max()
                .orElseThrow();
        String inputEnd = "to_timestamp(" + newest / 1000 + ")";
        long misfireQuiet = config.alerting()
                .resolveAfter()
                .plus(config.alerting().allowedLateness())
                .toSeconds();
        long rollingQuiet = Math.max(
                        config.alerting().resolveAfter().toSeconds(),
                        config.rollups().window().toSeconds())
                + config.alerting().allowedLateness().toSeconds();
        String resolvesBy = "window_end + make_interval(secs => CASE kind WHEN 'MISFIRE_RATE' THEN " + misfireQuiet
                + " ELSE " + rollingQuiet + " END)";
        assertThat(querySet(
                        "SELECT alert_id FROM alerts WHERE state = 'RESOLVED' AND " + resolvesBy + " > " + inputEnd))
                .as("resolved after the input ended")
                .isEmpty();
        assertThat(querySet(
                        "SELECT alert_id FROM alerts WHERE state <> 'RESOLVED' AND " + resolvesBy + " <= " + inputEnd))
                .as("left open although the input covered the quiet period")
                .isEmpty();
        assertThat(count("alerts WHERE state = 'RESOLVED'")).isPositive();
        // A RESOLVED message says what is true now, not the figures that opened the incident.
        assertThat(querySet("SELECT title FROM alerts WHERE state = 'RESOLVED'"))
                .allMatch(
                        t -> t.matches(
                                "Resolved: .*(is no longer|has recovered|is back to normal|to judge|nothing is left to judge).*"));
        assertThat(querySet("SELECT alert_id FROM alerts WHERE (state = 'RESOLVED' AND sequence < 2) OR count_total < 1"
                        + " OR example_ids = '[]'::jsonb"))
                .isEmpty();
        assertThat(querySet("SELECT owner FROM alerts WHERE campaign_id = 'C-PLAT'"))
                .containsExactly("cards-team");

        Map<String, Integer> deadLetters = new OutputTables(infra.jdbcUrl()).deadLettersByReason();
        Map<String, Integer> plantedDeadLetters = new HashMap<>();
        world.plantedDeadLetters().forEach((r, n) -> plantedDeadLetters.put(r.name(), n));
        plantedDeadLetters.merge(
                DeadLetterReason.INVALID_VALUE.name(), 1, Integer::sum); // the rejected control message
        // Webhooks: every message of the cards team's incidents reached its chat; the savings
        // team's chat refused every attempt, so each of its messages is a dead letter.
        Set<String> cardsMessages = new HashSet<>();
        int savingsMessages = 0;
        int lendingMessages = 0;
        try (Connection c = connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT alert_id, sequence, owner FROM alerts WHERE owner IN ('cards-team', 'savings-team', 'lending-team')")) {
            while (rs.next()) {
                for (int seq = 1; seq <= rs.getInt(2); seq++) {
                    switch (rs.getString(3)) {
                        case "cards-team" -> cardsMessages.add(rs.getString(1) + "#" + seq);
                        case "savings-team" -> savingsMessages++;
                        default -> lendingMessages++;
                    }
                }
            }
        }
        System.out.printf(
                "e2e: webhooks: %d messages delivered to the cards team, %d refused attempts for the savings team%n",
                delivered.size(), refused.get());
        assertThat(cardsMessages).isNotEmpty();
        assertThat(delivered).isEqualTo(cardsMessages);
        assertThat(savingsMessages).isPositive();
        assertThat(refused).as("two attempts per message").hasValue(2 * savingsMessages);
        assertThat(lendingMessages).isPositive();
        plantedDeadLetters.put(DeadLetterReason.DELIVERY_FAILED.name(), savingsMessages + lendingMessages);
        assertThat(
                        querySet(
                                "SELECT DISTINCT substring(detail from ': ([a-z]+ [a-z]+|HTTP [0-9]+) after') FROM dead_letters WHERE reason = 'DELIVERY_FAILED'"))
                .containsExactlyInAnyOrder("HTTP 500", "timed out");

        // 'pulse alerts' shows a person the same feed: the cards team's messages, read_committed.
        StringWriter feed = new StringWriter();
        CommandLine cli = PulseCli.commandLine();
        cli.setOut(new PrintWriter(feed));
        assertThat(cli.execute(
                        "alerts",
                        "--set",
                        "kafka.bootstrap-servers=" + infra.bootstrapServers(),
                        "--owner",
                        "cards-team",
                        "--since",
                        "1d",
                        "--no-follow",
                        "--json"))
                .isZero();
        Set<String> fed = new HashSet<>();
        for (String line : feed.toString().strip().split("\n")) {
            var alert = AvroJson.MAPPER.readTree(line);
            assertThat(alert.get("owner").asText()).isEqualTo("cards-team");
            fed.add(alert.get("alert_id").asText() + "#" + alert.get("sequence").asInt());
        }
        assertThat(fed).isEqualTo(cardsMessages);
        StringWriter lines = new StringWriter();
        cli.setOut(new PrintWriter(lines));
        assertThat(cli.execute(
                        "alerts",
                        "--set",
                        "kafka.bootstrap-servers=" + infra.bootstrapServers(),
                        "--campaign",
                        "C-PLAT",
                        "--kind",
                        "MISFIRE_RATE",
                        "--severity",
                        "CRITICAL",
                        "--since",
                        "1d",
                        "--no-follow"))
                .isZero();
        assertThat(lines.toString().strip().split("\n"))
                .isNotEmpty()
                .allMatch(
                        l -> l.matches(
                                "2026-11-2\\d \\d\\d:\\d\\d  CRITICAL (OPENED|UPDATED|RESOLVED) +MISFIRE_RATE +C-PLAT \\[cards-team\\] .+"));
        assertThat(deadLetters).as("dead letters by reason").isEqualTo(plantedDeadLetters);
        assertThat(querySet("SELECT source_topic || ':' || (payload IS NOT NULL) FROM dead_letters WHERE reason = '"
                        + DeadLetterReason.DECODE_ERROR + "'"))
                .containsExactly("campaign-sends:true");

        rollupsMatchTheGroundTruth(config, world);

        // The suppression list: an entry for every preventable misfire's (campaign, customer, reason),
        // active exactly when the brute-force walk through the customer's history says so.
        Map<String, Boolean> expectedSuppressions = GroundTruth.suppressions(List.of(world));
        Map<String, Boolean> suppressions = new HashMap<>();
        try (Connection c = connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT campaign_id, customer_id, reason, active FROM suppressions")) {
            while (rs.next()) {
                suppressions.put(rs.getString(1) + "/" + rs.getString(2) + "/" + rs.getString(3), rs.getBoolean(4));
            }
        }
        System.out.printf(
                "e2e: suppression list: %d entries, %d active%n",
                suppressions.size(),
                suppressions.values().stream().filter(b -> b).count());
        assertThat(suppressions).isEqualTo(expectedSuppressions);
        assertThat(suppressions).containsValue(false).containsValue(true);
        everyGrafanaDashboardQueryRuns();

        // The same input again, from the start, in a new consumer group: no row is added or changed in count.
        int misfireRows = count("misfires");
        Set<String> alertRows = querySet(ALERT_ROWS);
        int deadLetterRows = count("dead_letters");
        int statsRows = count("campaign_stats");
        Set<String> sentimentAlerts = querySet("SELECT alert_id FROM alerts WHERE kind <> 'MISFIRE_RATE'");
        try (LocalJob again = LocalJob.start(withWebhooks(config("pulse-e2e-replay"), hooks), work.resolve("run-2"))) {
            again.awaitCaughtUp(Duration.ofMinutes(3));
            again.stopAndDrain();
        }
        assertThat(count("misfires")).isEqualTo(misfireRows);
        assertThat(querySet(ALERT_ROWS)).isEqualTo(alertRows);
        assertThat(count("dead_letters")).isEqualTo(deadLetterRows);
        assertThat(count("campaign_stats")).isEqualTo(statsRows);
        assertThat(querySet("SELECT alert_id FROM alerts WHERE kind <> 'MISFIRE_RATE'"))
                .isEqualTo(sentimentAlerts);
        assertThat(alertKeys()).containsExactlyInAnyOrderElementsOf(expectedAlerts);
    }

    /**
     * The roll-ups against the generator's brute-force ground truth (attribution by scanning all
     * sends, conversions, scores), for the windows that cover the campaigns' day; then the
     * sentiment alerts: the over-promising cashback campaign raises both kinds, the well-received
     * home insurance offer neither; and the BI view answers.
     */
    private static void rollupsMatchTheGroundTruth(PulseConfig config, DemoWorld world) throws Exception {
        long day = world.day();
        int windows = 0;
        for (long end = day + Duration.ofHours(12).toMillis();
                end <= day + Duration.ofHours(25).toMillis();
                end += Duration.ofHours(1).toMillis()) {
            Map<String, ExpectedStats> expected = RollupTruth.forWindow(
                    List.of(world), end - Duration.ofHours(24).toMillis(), end);
            ExpectedStats baseline = expected.get("*");
            try (Connection c = connect();
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery(
                            "SELECT * FROM campaign_stats WHERE window_end = to_timestamp(" + end / 1000 + ")")) {
                Map<String, ExpectedStats> actual = new HashMap<>();
                while (rs.next()) {
                    String campaign = rs.getString("campaign_id");
                    Map<MisfireRule, Long> byRule = new EnumMap<>(MisfireRule.class);
                    AvroJson.MAPPER
                            .readTree(rs.getString("misfires_by_rule"))
                            .fields()
                            .forEachRemaining(e -> byRule.put(
                                    MisfireRule.valueOf(e.getKey()),
                                    e.getValue().asLong()));
                    actual.put(
                            campaign,
                            new ExpectedStats(
                                    rs.getLong("sends"),
                                    rs.getLong("misfires"),
                                    byRule,
                                    rs.getLong("conversions"),
                                    rs.getLong("feedback"),
                                    rs.getLong("tickets"),
                                    rs.getLong("reviews"),
                                    (Double) rs.getObject("avg_sentiment"),
                                    (Double) rs.getObject("negative_share")));
                    assertThat(rs.getLong("baseline_feedback"))
                            .as("baseline feedback, window ending " + end)
                            .isEqualTo(baseline.feedback());
                    assertThat(rs.getDouble("baseline_avg_sentiment"))
                            .isCloseTo(baseline.avgSentiment(), Offset.offset(1e-9));
                    assertThat(rs.getString("scorer_version")).isEqualTo(SentimentScorer.VERSION);
                }
                Map<String, ExpectedStats> expectedCampaigns = new HashMap<>(expected);
                expectedCampaigns.remove("*");
                assertThat(actual.keySet())
                        .as("campaigns with a window ending " + end)
                        .isEqualTo(expectedCampaigns.keySet());
                long windowEnd = end;
                expectedCampaigns.forEach((campaign, e) -> {
                    ExpectedStats a = actual.get(campaign);
                    String what = campaign + ", window ending " + Instant.ofEpochMilli(windowEnd);
                    assertThat(a)
                            .as(what)
                            .usingRecursiveComparison()
                            .ignoringFields("avgSentiment", "negativeShare")
                            .isEqualTo(e);
                    if (e.avgSentiment() == null) {
                        assertThat(a.avgSentiment()).as(what).isNull();
                    } else {
                        assertThat(a.avgSentiment()).as(what).isCloseTo(e.avgSentiment(), Offset.offset(1e-9));
                        assertThat(a.negativeShare()).as(what).isCloseTo(e.negativeShare(), Offset.offset(1e-9));
                    }
                });
                windows++;
            }
        }
        assertThat(windows).isEqualTo(14);
        ExpectedStats cash = RollupTruth.forWindow(
                        List.of(world), day, day + Duration.ofHours(24).toMillis())
                .get("C-CASH");
        assertThat(cash.conversions())
                .as("the cashback card converts some recipients")
                .isPositive();
        assertThat(cash.feedback()).isGreaterThan(20);

        Set<String> sentiment = querySet("SELECT campaign_id || '/' || kind FROM alerts WHERE kind <> 'MISFIRE_RATE'");
        System.out.println("e2e: sentiment alerts " + new TreeSet<>(sentiment));
        assertThat(sentiment)
                .contains("C-CASH/SENTIMENT_DROP", "C-CASH/TICKET_SURGE")
                .noneMatch(a -> a.startsWith("C-HOME/"));
        assertThat(querySet("SELECT detail FROM alerts WHERE campaign_id = 'C-CASH' AND kind = 'SENTIMENT_DROP'"))
                .allMatch(d -> d.contains("Suggested action") && d.contains("tkt-"));
        scorecardAndAlertsAgree(config, world, day);
        assertThat(count("feedback_scores")).isEqualTo(world.tickets() + world.ticketUpdates() + world.reviews());
    }

    /**
     * Every SQL query of the Grafana dashboard (conf/grafana/dashboards) runs against the tables the
     * pipeline filled and returns rows, so the dashboard cannot silently break. Grafana's time
     * macro is expanded to a range covering the generated days and now; any other macro fails the test.
     */
    private static void everyGrafanaDashboardQueryRuns() throws Exception {
        JsonNode dashboard =
                AvroJson.MAPPER.readTree(Path.of("..", "..", "conf", "grafana", "dashboards", "campaign-pulse.json")
                        .toFile());
        List<String> queries = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                queries.add(target.path("rawSql").asText());
            }
        }
        assertThat(queries).as("dashboard queries").hasSizeGreaterThanOrEqualTo(6);
        Pattern timeFilter = Pattern.compile("\\$__timeFilter\\(([^)]+)\\)");
        for (String query : queries) {
            String sql = timeFilter
                    .matcher(query)
                    .replaceAll(
                            // The generated days (event-time columns) and now (wall-clock columns such as dead letters'
                            // detected_at).
                            "$1 BETWEEN least(now(), '2026-11-19T00:00:00Z') - interval '1 day' AND greatest(now(), '2026-11-23T00:00:00Z') + interval '1 hour'");
            assertThat(sql).as("unexpanded Grafana macro in: " + query).doesNotContain("$__");
            try (Connection c = connect();
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery(sql)) {
                assertThat(rs.next()).as("rows for: " + query).isTrue();
            }
        }
    }

    /**
     * A night without traffic, longer than the idleness timeout, between two days: every input is
     * idle, and the next day, published in one burst, must still be on time (event time waits; it
     * must not run ahead on the campaigns input, nor on the first partition to wake). Own topics and database, so the other test's checks stay exact.
     */
    @Test
    void aQuietSpellLongerThanTheIdlenessTimeoutLeavesTheNextDayOnTime() throws Exception {
        try (Connection c = connect();
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE quiet");
        }
        String quietUrl = "jdbc:postgresql://127.0.0.1:" + infra.postgresPort() + "/quiet";
        // The default disorder bound (5 min): day 2 comes in one burst after the night, and no
        // partition may run ahead of one that is waking. With event time at +infinity every record would be late.
        Map<String, String> more = new HashMap<>(Map.of("postgres.url", quietUrl, "event-time.idleness", "2s"));
        for (String topic : List.of(
                "campaigns",
                "campaign-sends",
                "customer-holdings",
                "customer-consent",
                "tickets",
                "reviews",
                "misfires",
                "alerts",
                "dead-letters",
                "campaign-stats",
                "suppressions",
                "control")) {
            more.put("topics." + topic, "quiet-" + topic);
        }
        PulseConfig config = config("pulse-e2e-quiet", more);
        infra.createTopics(config.topics(), 2);
        PostgresMigrations.migrate(quietUrl, LocalInfrastructure.POSTGRES_USER, "");
        DemoWorld day1 = DemoWorld.generate(config, new DemoWorld.Options(400, 5, Fixtures.DAY));
        DemoWorld day2 =
                DemoWorld.generate(config, new DemoWorld.Options(400, 6, Fixtures.DAY.plus(Duration.ofDays(1)), false));

        try (PacedPublisher publisher = new PacedPublisher(infra.bootstrapServers())) {
            publisher.publish(
                    day1.events(), 0, 0); // before the job starts, so every partition has data from its first fetch
            try (LocalJob job = LocalJob.start(config, work.resolve("quiet"))) {
                job.awaitCaughtUp(Duration.ofMinutes(3));
                Thread.sleep(6000); // three idleness timeouts of silence
                // The next day in one burst, every partition idle until then: they must wake in step.
                publisher.publish(day2.events(), 0, 0);
                job.awaitCaughtUp(Duration.ofMinutes(3));
                Thread.sleep(6000); // idle again: the drain must still end event time
                job.stopAndDrain();
            }
        }

        try (Connection c = DriverManager.getConnection(quietUrl, LocalInfrastructure.POSTGRES_USER, "");
                Statement s = c.createStatement()) {
            ResultSet late = s.executeQuery("SELECT count(*) FROM dead_letters WHERE reason = 'LATE_EVENT'");
            late.next();
            assertThat(late.getInt(1)).as("late records after the quiet spell").isZero();
            ResultSet days = s.executeQuery("SELECT count(*) FROM misfires WHERE sent_at >= '"
                    + day2.campaigns().values().iterator().next().getStartsAt() + "'");
            days.next();
            assertThat(days.getInt(1)).as("misfires on the second day").isGreaterThan(0);
            ResultSet first = s.executeQuery("SELECT send_id || '/' || rule FROM misfires WHERE sent_at < '"
                    + day2.campaigns().values().iterator().next().getStartsAt() + "'");
            Set<String> firstDay = new HashSet<>();
            while (first.next()) {
                firstDay.add(first.getString(1));
            }
            assertThat(firstDay)
                    .as("the first day, exactly")
                    .containsExactlyInAnyOrderElementsOf(keys(day1.expectedMisfires()));
            // The drain closed every window that holds activity, the last one ending a window's
            // length (less a slide) after the last activity: not only those the idle watermark had passed.
            ResultSet ends = s.executeQuery("SELECT extract(epoch FROM max(window_end)) * 1000, extract(epoch FROM"
                    + " greatest((SELECT max(last_sent_at) FROM campaign_stats),"
                    + " (SELECT max(occurred_at) FROM feedback_scores))) * 1000 FROM campaign_stats");
            ends.next();
            long lastWindowEnd = ends.getLong(1);
            long lastActivity = ends.getLong(2);
            assertThat(lastWindowEnd)
                    .as("the last roll-up window's end after a drain of idle inputs")
                    .isGreaterThan(lastActivity
                            + config.rollups().window().toMillis()
                            - config.rollups().slide().toMillis());
        }
    }

    private static Set<String> keys(Map<String, Set<MisfireRule>> misfires) {
        return OutputTables.keys(misfires);
    }

    private static Set<String> alertKeys() throws Exception {
        // One row per incident: campaign, rule and the start of the window that opened it.
        Set<String> keys = new HashSet<>();
        try (Connection c = connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT campaign_id, rule, window_start FROM alerts WHERE kind = 'MISFIRE_RATE'")) {
            while (rs.next()) {
                keys.add(rs.getString(1) + "/" + rs.getString(2) + "/"
                        + rs.getTimestamp(3).toInstant());
            }
        }
        return keys;
    }

    private static Connection connect() throws Exception {
        return new OutputTables(infra.jdbcUrl()).connect();
    }

    private static int count(String table) throws Exception {
        return new OutputTables(infra.jdbcUrl()).count(table);
    }

    private static Set<String> querySet(String sql) throws Exception {
        return new OutputTables(infra.jdbcUrl()).set(sql);
    }

    private static List<String> misfiresInKafka(PulseConfig config) throws Exception {
        List<String> keys = new ArrayList<>();
        for (CommittedMisfires.Entry e :
                CommittedMisfires.read(infra.bootstrapServers(), config.topics().misfires())) {
            keys.add(e.id());
            assertThat(e.key()).isEqualTo(e.id());
        }
        // Exactly once: the first run wrote each misfire once; the replay run wrote each once more.
        Map<String, Long> perKey = keys.stream().collect(Collectors.groupingBy(k -> k, Collectors.counting()));
        assertThat(perKey.values()).as("no misfire written twice by one run").allMatch(n -> n == 1);
        return keys;
    }

    private static int freePort() {
        try {
            return LocalMetrics.port(null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
