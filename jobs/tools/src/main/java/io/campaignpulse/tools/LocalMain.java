package io.campaignpulse.tools;

import io.campaignpulse.JobEnvironment;
import io.campaignpulse.cli.PulseCli;
import java.io.IOException;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * Entry point of the local launcher (jobs/bin/pulse): the job jar's commands plus the tools that
 * stay off the cluster (demo, generate, bench, faults); the command's exit code becomes the process's.
 */
public final class LocalMain {

    private static final Logger LOG = LoggerFactory.getLogger(LocalMain.class);

    private LocalMain() {}

    public static void main(String[] args) {
        // The command only: its options can carry secrets (--set postgres.password=...).
        LOG.info(
                "pulse {} started (pid {})",
                Arrays.stream(args).filter(a -> !a.startsWith("-")).findFirst().orElse("(no command)"),
                ProcessHandle.current().pid());
        try {
            int port = LocalMetrics.port(System.getenv(LocalMetrics.PORT_VARIABLE));
            JobEnvironment.forLocalRuns(
                    LocalMetrics.prometheus(port),
                    "metrics: Prometheus endpoint http://localhost:" + port + "/metrics");
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("pulse: " + e.getMessage());
            System.exit(2);
        }
        System.exit(commandLine().execute(args));
    }

    /** The whole command line of this machine's launcher. */
    public static CommandLine commandLine() {
        CommandLine cli = PulseCli.commandLine();
        cli.addSubcommand(new DemoCommand());
        cli.addSubcommand(new GenerateCommand());
        cli.addSubcommand(new BenchCommand());
        cli.addSubcommand(new FaultsCommand());
        return cli;
    }
}
