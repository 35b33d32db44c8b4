package io.campaignpulse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.campaignpulse.config.AlertSetting;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** What a person sees when they get the command line wrong. */
class PulseCliTest {

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = PulseCli.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    @Test
    void aBadConfigurationValueIsOneLineNamingTheKey() {
        int code = run("run", "--set", "misfire.frequency-cap=0");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString().strip())
                .isEqualTo("pulse run: bad value for 'misfire.frequency-cap': must be at least 1, was 0");
    }

    @Test
    void theControlHelpListsEverySettingFromItsDeclaration() {
        assertThat(run("control", "--help")).isZero();
        assertThat(out.toString().replaceAll("\\s+", " ")).contains("Settings: " + AlertSetting.names() + ".");
        assertThat(AlertSetting.names()).contains("ticket-surge-min-sends");
    }

    @Test
    void aMissingReplayFolderIsNamed() {
        int code = run("replay", "--input", "no/such/folder", "--output", "target/never");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("no/such/folder/campaigns.jsonl is missing");
    }

    @Test
    void aControlMessageIsCheckedBeforeItIsSent() {
        assertThat(run("control", "--kind", "MISFIRE_RATE", "-s", "misfire-rate-share=5", "--dry-run"))
                .isEqualTo(2);
        assertThat(err.toString().strip())
                .isEqualTo(
                        "pulse control: control message rejected: bad value for 'misfire-rate-share': must be in (0, 1], was 5");
        assertThat(run("control", "--campaign", "C-PLAT", "--global", "--mute"))
                .as("one scope only")
                .isEqualTo(2);

        assertThat(run(
                        "control",
                        "--campaign",
                        "C-PLAT",
                        "--mute",
                        "-s",
                        "cooldown=30m",
                        "--reset",
                        "resolve-after",
                        "--dry-run"))
                .isZero();
        assertThat(out.toString())
                .contains(
                        "control: would send ctl-",
                        "(CAMPAIGN C-PLAT: {\"cooldown\":\"30m\",\"mute\":\"true\",\"resolve-after\":\"\"})");
    }

    @Test
    void everyCommandHasHelp() {
        for (String command : new String[] {"run", "replay", "create-topics", "score", "control", "alerts"}) {
            assertThat(run(command, "--help")).isZero();
        }
        assertThat(out.toString())
                .contains("Usage: pulse run", "Usage: pulse replay", "Usage: pulse create-topics", "--config", "--set");
        assertThat(run("demo"))
                .as("the demo is a local tool, not in the job jar")
                .isEqualTo(2);
    }

    @Test
    void scoreReadsOneTextPerLineAndExplains() {
        InputStream stdin = System.in;
        try {
            System.setIn(new ByteArrayInputStream(
                    "Thanks for nothing.\nsorted in minutes, thank you\n\n".getBytes(StandardCharsets.UTF_8)));
            assertThat(run("score")).isZero();
            String[] lines = out.toString().split("\\R");
            assertThat(lines).hasSize(3);
            assertThat(Double.parseDouble(lines[0])).isNegative();
            assertThat(Double.parseDouble(lines[1])).isPositive();
            assertThat(Double.parseDouble(lines[2])).isZero();

            out.getBuffer().setLength(0);
            System.setIn(new ByteArrayInputStream("Thanks for nothing.\n".getBytes(StandardCharsets.UTF_8)));
            assertThat(run("score", "--explain")).isZero();
            assertThat(out.toString()).contains("negative", "thanks for nothing -2.6");
        } finally {
            System.setIn(stdin);
        }
    }

    @Test
    void scoresArePrintedExactlyAsPercentPlusPointFourFWould() {
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 200_000; i++) {
            double v = switch (i % 4) {
                case 0 -> random.nextDouble() * 2 - 1;
                case 1 -> Math.round((random.nextDouble() * 2 - 1) * 100_000) / 100_000.0; // ties at the 5th digit
                case 2 -> (random.nextInt(20_001) - 10_000) / 10_000.0 + 0.00005 * (random.nextBoolean() ? 1 : -1);
                default -> random.nextGaussian() * 1e-4;
            };
            assertThat(ScoreCommand.format(v)).as("%s", v).isEqualTo(String.format(java.util.Locale.ROOT, "%+.4f", v));
        }
        for (double v : new double[] {0.0, -0.0, 1.0, -1.0, 0.00005, -0.00005, 0.99995, -0.99995}) {
            assertThat(ScoreCommand.format(v)).as("%s", v).isEqualTo(String.format(java.util.Locale.ROOT, "%+.4f", v));
        }
    }
}
