package io.campaignpulse.tools;

import io.campaignpulse.cli.ConfigOptions;
import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.demo.DemoWorld;
import io.campaignpulse.demo.PacedPublisher;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The demo's traffic generator against any Kafka (kafka.bootstrap-servers from the config):
 * campaigns, sends, holdings, consent, tickets and reviews of a simulated bank, day after day.
 * Needs only the Kafka client, so it also runs from the job jar next to Flink's lib/.
 */
@Command(
        name = "generate",
        mixinStandardHelpOptions = true,
        description = {
            "Publish generated campaign traffic (with planted misfires) to your Kafka topics.",
            "Plays simulated days from 06:00 UTC, each in --day-seconds, until --days are done (0 = forever)."
        })
public final class GenerateCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions configOptions = new ConfigOptions();

    @Mixin
    GeneratorOptions generator = new GeneratorOptions();

    @Option(
            names = "--days",
            defaultValue = "1",
            description = "Days to play; 0 = until stopped (default: ${DEFAULT-VALUE}).")
    int days;

    @Override
    public Integer call() throws Exception {
        generator.validate();
        PulseConfig config = configOptions.load();
        Instant day = LocalDate.now(ZoneOffset.UTC)
                .minusDays(1)
                .atStartOfDay(ZoneOffset.UTC)
                .toInstant();
        try (PacedPublisher publisher = new PacedPublisher(
                config.kafka().bootstrapServers(), config.kafka().properties())) {
            for (int n = 0; days == 0 || n < days; n++) {
                DemoWorld world = DemoWorld.generate(
                        config,
                        new DemoWorld.Options(
                                generator.customers, generator.seed + n, day.plus(Duration.ofDays(n)), n == 0));
                System.out.printf(
                        "generate: day %s, %,d sends, %,d events to %s%n",
                        LocalDate.ofInstant(Instant.ofEpochMilli(world.day()), ZoneOffset.UTC),
                        world.sends(),
                        world.events().size(),
                        config.kafka().bootstrapServers());
                publisher.publish(world.events(), world.playFrom(), world.speedFor(generator.daySeconds));
            }
        }
        return 0;
    }
}
