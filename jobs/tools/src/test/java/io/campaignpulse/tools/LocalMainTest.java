package io.campaignpulse.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The local launcher offers the job's commands and the tools that stay off the cluster. */
class LocalMainTest {

    @Test
    void theLauncherHasTheJobsCommandsAndTheTools() {
        StringWriter out = new StringWriter();
        CommandLine cli = LocalMain.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(new StringWriter()));
        for (String command : new String[] {"demo", "generate", "bench", "run", "replay"}) {
            assertThat(cli.execute(command, "--help")).as(command).isZero();
        }
        assertThat(out.toString())
                .contains(
                        "Usage: pulse demo",
                        "Usage: pulse generate",
                        "Usage: pulse bench",
                        "Usage: pulse run",
                        "--customers",
                        "--json");
    }

    @Test
    void aBadBenchSizeIsOneLine() {
        StringWriter err = new StringWriter();
        CommandLine cli = LocalMain.commandLine();
        cli.setOut(new PrintWriter(new StringWriter()));
        cli.setErr(new PrintWriter(err));
        assertThat(cli.execute("bench", "--customers", "10")).isEqualTo(2);
        assertThat(err.toString().strip()).isEqualTo("pulse bench: --customers must be at least 1000");
    }
}
