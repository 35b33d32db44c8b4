package io.campaignpulse.demo;

import io.campaignpulse.alerting.IncidentTracker;
import io.campaignpulse.config.ConfigLoader;
import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.contract.MisfireRule;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code pulse demo}: a real Kafka broker and PostgreSQL on loopback, a generated day of
 * campaign traffic published at an accelerated pace, the live job in a local MiniCluster
 * (RocksDB, checkpoints, exactly-once sinks), the alert feed as it fires, and a summary
 * checked against the generator's ground truth.
 */
public final class Demo {

    /** What the user chose on the command line. */
    public record Settings(
            int customers,
            double daySeconds,
            long seed,
            boolean follow,
            boolean backlog,
            Path workDir,
            boolean keep,
            Path configFile,
            Map<String, String> overrides) {}

    private static final DateTimeFormatter CLOCK =
            DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);

    private final Settings settings;
    private final PrintStream out;

    private Demo(Settings settings, PrintStream out) {
        this.settings = settings;
        this.out = out;
    }

    public static int run(Settings settings, PrintStream out) throws Exception {
        return new Demo(settings, out).run();
    }

    private int run() throws Exception {
        long t0 = System.nanoTime();
        Path work = settings.workDir() != null ? settings.workDir() : Files.createTempDirectory("campaign-pulse-demo-");
        out.println("Campaign Pulse demo");
        out.println("  starting a Kafka broker (KRaft) and PostgreSQL on loopback; work folder " + work);
        try (LocalInfrastructure infra = LocalInfrastructure.start(work.resolve("infra"))) {
            Map<String, String> overrides = new HashMap<>();
            overrides.put("checkpoints.interval", "2s");
            overrides.put("event-time.idleness", "5s");
            overrides.put("event-time.campaigns-settle", "2s");
            overrides.put("parallelism", "2");
            if (settings.follow()) {
                // --follow plays the days after yesterday, ahead of the wall clock on purpose.
                overrides.put("event-time.max-future-skew", "36500d");
            }
            overrides.putAll(settings.overrides());
            overrides.putAll(infra.configOverrides());
            PulseConfig config = new ConfigLoader().load(settings.configFile(), overrides);
            infra.createTopics(config.topics(), 2);
            infra.migrate();
            out.printf(
                    "  Kafka at %s, PostgreSQL at 127.0.0.1:%d (user postgres, database postgres) - up in %.1f s%n",
                    infra.bootstrapServers(), infra.postgresPort(), seconds(t0));
            out.printf(
                    "  query it while the demo runs:  psql -h 127.0.0.1 -p %d -U postgres -c 'SELECT rule, count(*) FROM misfires GROUP BY rule'%n",
                    infra.postgresPort());

            Instant day = DemoWorld.latestPastDay(Instant.now());
            DemoWorld world =
                    DemoWorld.generate(config, new DemoWorld.Options(settings.customers(), settings.seed(), day));
            describe(world);

            try (PacedPublisher publisher = new PacedPublisher(infra.bootstrapServers())) {
                long publishStart = System.nanoTime();
                if (settings.backlog()) {
                    out.printf("  --backlog: publishing the whole day before the job starts (the catch-up case)%n");
                    publisher.publish(world.events(), world.playFrom(), 0);
                    out.printf("  %,d events published in %.1f s%n", publisher.published(), seconds(publishStart));
                    publishStart = System.nanoTime(); // from here the job's catch-up is timed
                }
                try (LocalJob job = LocalJob.start(config, work.resolve("job"))) {
                    out.printf(
                            "  job submitted to a local Flink MiniCluster (RocksDB, checkpoints every 2 s, exactly-once) at %.1f s%n",
                            seconds(t0));
                    AlertFeed feed = new AlertFeed(
                            infra.bootstrapServers(), config.topics().alerts(), out, t0);
                    Thread feedThread = new Thread(feed, "alert-feed");
                    feedThread.setDaemon(true);
                    feedThread.start();
                    Thread progress = progress(publisher, infra);
                    double speed = world.speedFor(settings.daySeconds());
                    if (!settings.backlog()) {
                        out.printf(
                                "  playing %s from 06:00 UTC %s%n",
                                LocalDate.ofInstant(day, ZoneOffset.UTC),
                                speed > 0
                                        ? String.format(
                                                "at %.0fx (a day in about %.0f s)", speed, settings.daySeconds())
                                        : "as fast as possible");
                        publisher.publish(world.events(), world.playFrom(), speed);
                    }
                    job.awaitCaughtUp(Duration.ofMinutes(10));
                    double pipelineSeconds = seconds(publishStart);
                    if (settings.follow()) {
                        follow(config, world, job, publisher, speed);
                    }
                    progress.interrupt();
                    out.printf(
                            "  all %,d events published and read; stopping the job with a savepoint and drain (flushes the last windows)%n",
                            publisher.published());
                    String savepoint = job.stopAndDrain();
                    Thread.sleep(1500); // let the feed print the alerts of the final commit
                    feed.stop();
                    summary(
                            world,
                            infra,
                            feed,
                            publisher.published(),
                            pipelineSeconds,
                            savepoint,
                            seconds(t0),
                            job.accumulator(IncidentTracker.SIGNALS_ACCUMULATOR),
                            job.accumulator(IncidentTracker.CONDITIONS_ACCUMULATOR));
                }
            }
        } finally {
            if (!settings.keep() && settings.workDir() == null) {
                deleteQuietly(work);
            }
        }
        return 0;
    }

    /**
     * --follow: the next days, one after another, with the same customers (their history is not
     * published again), until Ctrl-C; each day's misfires are checked against its ground truth.
     */
    private void follow(PulseConfig config, DemoWorld first, LocalJob job, PacedPublisher publisher, double speed)
            throws Exception {
        out.println("  --follow: playing the following days until you press Ctrl-C");
        Instant day = Instant.ofEpochMilli(first.day());
        for (int n = 1; ; n++) {
            day = day.plus(Duration.ofDays(1));
            DemoWorld next = DemoWorld.generate(
                    config, new DemoWorld.Options(settings.customers(), settings.seed() + n, day, false));
            out.printf("  day %d (%s): %,d sends%n", n + 1, LocalDate.ofInstant(day, ZoneOffset.UTC), next.sends());
            publisher.publish(next.events(), next.playFrom(), speed);
            job.awaitCaughtUp(Duration.ofMinutes(5));
        }
    }

    private void describe(DemoWorld world) {
        out.printf(
                "  generated a day: %,d customers, %,d sends over %d campaigns, %,d events in all "
                        + "(%,d producer redeliveries, %d tickets, %d reviews)%n",
                settings.customers(),
                world.sends(),
                world.campaigns().size(),
                world.events().size(),
                world.redeliveries(),
                world.tickets(),
                world.reviews());
        StringBuilder planted = new StringBuilder();
        world.planted().forEach((rule, ids) -> planted.append(String.format("%s %,d, ", rule, ids.size())));
        out.println("  planted misfires: " + planted.substring(0, planted.length() - 2));
        out.println("  planted bad records: " + world.plantedDeadLetters());
    }

    private Thread progress(PacedPublisher publisher, LocalInfrastructure infra) {
        Thread t = new Thread(
                () -> {
                    try {
                        while (true) {
                            Thread.sleep(5000);
                            long sim = publisher.simulatedNow();
                            out.printf(
                                    "  [%s UTC simulated] %,d events published, %,d misfires in PostgreSQL so far%n",
                                    sim > 0 ? CLOCK.format(Instant.ofEpochMilli(sim)) : "--:--",
                                    publisher.published(),
                                    count(infra, "misfires"));
                        }
                    } catch (InterruptedException e) {
                        // done
                    }
                },
                "demo-progress");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private void summary(
            DemoWorld world,
            LocalInfrastructure infra,
            AlertFeed feed,
            long events,
            double pipelineSeconds,
            String savepoint,
            double totalSeconds,
            long signals,
            long conditions)
            throws SQLException {
        Map<String, Set<MisfireRule>> expected = world.expectedMisfires();
        int expectedCount = expected.values().stream().mapToInt(Set::size).sum();
        int plantedCount = world.planted().values().stream().mapToInt(Set::size).sum();
        out.println();
        out.println("Summary");
        out.printf(
                "  pipeline: %,d events published and processed in %.1f s = %.0f events/s%s%n",
                events,
                pipelineSeconds,
                events / pipelineSeconds,
                settings.daySeconds() > 0 ? " (paced by the generator; --day-seconds 0 for the maximum)" : "");
        out.println("  misfires by campaign and rule (PostgreSQL table misfires):");
        query(infra, """
                SELECT campaign_id, rule, count(*) FROM misfires GROUP BY campaign_id, rule ORDER BY campaign_id, rule""", rs -> out.printf("    %-12s %-34s %,6d%n", rs.getString(1), rs.getString(2), rs.getInt(3)));
        int found = count(infra, "misfires");
        int matching = 0;
        List<String> invented = new ArrayList<>();
        try (Connection c = connect(infra);
                Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery("SELECT send_id, rule, customer_id, detail FROM misfires ORDER BY sent_at")) {
            while (rs.next()) {
                if (expected.getOrDefault(rs.getString(1), Set.of()).contains(MisfireRule.valueOf(rs.getString(2)))) {
                    matching++;
                } else {
                    invented.add(
                            rs.getString(1) + " " + rs.getString(2) + " (" + rs.getString(3) + "): " + rs.getString(4));
                }
            }
        }
        out.printf(
                "  ground truth: %,d misfires expected (%,d planted, the rest accidental), %,d found, %,d of them expected, %,d invented%n",
                expectedCount, plantedCount, found, matching, found - matching);
        invented.stream().limit(5).forEach(m -> out.println("    not in the ground truth: " + m));
        out.printf(
                "  alerts: %,d windows judged by the detectors, %,d of them where an alert condition held, became %d incidents"
                        + " in %d messages on the alerts topic (opened, updated, resolved; PostgreSQL table alerts has one row per incident)%n",
                signals, conditions, count(infra, "alerts"), feed.received());
        query(
                infra,
                "SELECT kind, severity, count(*) FROM alerts GROUP BY kind, severity ORDER BY kind, severity",
                rs -> out.printf("    %-15s %-9s %d%n", rs.getString(1), rs.getString(2), rs.getInt(3)));
        out.printf(
                "    %d resolved, %d still open: their quiet period runs past the end of the input, so the end does not resolve them%n",
                countWhere(infra, "alerts", "state = 'RESOLVED'"), countWhere(infra, "alerts", "state <> 'RESOLVED'"));
        out.println(
                "  campaign scorecard (PostgreSQL view campaign_scorecard: each campaign's latest complete 24 h window,"
                        + " its sentiment -1..1 only with enough feedback, the trend and whether it is against the previous"
                        + " window or the baseline; lifetime totals):");
        out.printf(
                "    %-10s %-11s %8s %9s %8s %-22s %9s %9s %8s %14s%n",
                "campaign",
                "window end",
                "feedback",
                "sentiment",
                "baseline",
                "trend",
                "sends",
                "misfire%",
                "tickets",
                "lifetime sent.");
        query(
                infra,
                """
                SELECT campaign_id, to_char(window_end AT TIME ZONE 'UTC', 'MM-DD HH24:MI'), feedback, avg_sentiment,
                       baseline_avg_sentiment, sentiment_direction, trend_basis, lifetime_sends, lifetime_misfire_rate,
                       lifetime_tickets, lifetime_avg_sentiment, lifetime_scored_feedback
                FROM campaign_scorecard ORDER BY campaign_id""",
                rs -> out.printf(
                        "    %-10s %-11s %,8d %9s %8s %-22s %,9d %8.1f%% %,8d %14s%n",
                        rs.getString(1),
                        rs.getString(2),
                        rs.getLong(3),
                        rs.getObject(4) == null ? "n/a" : signed(rs, 4),
                        signed(rs, 5),
                        rs.getString(6) + (rs.getString(7) == null ? "" : " vs " + rs.getString(7)),
                        rs.getLong(8),
                        100 * rs.getDouble(9),
                        rs.getLong(10),
                        signed(rs, 11) + " (" + rs.getLong(12) + ")"));
        out.println("  incidents, each with its latest message (PostgreSQL table alerts):");
        query(
                infra,
                "SELECT state, title FROM alerts ORDER BY kind, window_end, title",
                rs -> out.printf("    %-8s %s%n", rs.getString(1), rs.getString(2)));
        out.println(
                "  suppression list (topic suppressions, table suppressions): entries by reason, active / retracted");
        query(
                infra,
                "SELECT reason, count(*) FILTER (WHERE active), count(*) FILTER (WHERE NOT active) FROM suppressions GROUP BY reason ORDER BY reason",
                rs -> out.printf("    %-34s %,6d / %,d%n", rs.getString(1), rs.getInt(2), rs.getInt(3)));
        out.printf(
                "  late events (LATE_EVENT dead letters): %,d%n",
                countWhere(infra, "dead_letters", "reason = 'LATE_EVENT'"));
        out.println("  dead letters by reason (table dead_letters):");
        query(
                infra,
                "SELECT reason, count(*) FROM dead_letters GROUP BY reason ORDER BY reason",
                rs -> out.printf("    %-18s %d%n", rs.getString(1), rs.getInt(2)));
        out.println("  final savepoint: " + savepoint);
        out.printf(
                "  demo took %.0f s. Queries to try against your own PostgreSQL: see README.md, 'Output tables'.%n",
                totalSeconds);
    }

    private static String signed(ResultSet rs, int column) throws SQLException {
        double v = rs.getDouble(column);
        return rs.wasNull() ? "-" : String.format(Locale.ROOT, "%+.2f", v);
    }

    private interface Row {
        void print(ResultSet rs) throws SQLException;
    }

    private static void query(LocalInfrastructure infra, String sql, Row row) throws SQLException {
        try (Connection c = connect(infra);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                row.print(rs);
            }
        }
    }

    private static int count(LocalInfrastructure infra, String table) {
        return countWhere(infra, table, "true");
    }

    private static int countWhere(LocalInfrastructure infra, String table, String condition) {
        try (Connection c = connect(infra);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table + " WHERE " + condition)) {
            rs.next();
            return rs.getInt(1);
        } catch (SQLException e) {
            return -1;
        }
    }

    private static Connection connect(LocalInfrastructure infra) throws SQLException {
        return DriverManager.getConnection(infra.jdbcUrl(), LocalInfrastructure.POSTGRES_USER, "");
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort
        }
    }
}
