package io.campaignpulse.tools;

import io.campaignpulse.cli.PulseCli;
import picocli.CommandLine;

/**
 * Entry point of the local launcher (jobs/bin/pulse): the job jar's commands plus the tools that
 * stay off the cluster (demo, generate, bench, faults); the command's exit code becomes the process's.
 */
public final class LocalMain {

    private LocalMain() {}

    public static void main(String[] args) {
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
