package io.campaignpulse.cli;

import io.campaignpulse.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code pulse}: the Campaign Pulse command line. */
@Command(
        name = "pulse",
        mixinStandardHelpOptions = true,
        versionProvider = PulseCli.Version.class,
        description = "Campaign Pulse: catches campaign misfires in real time on Apache Flink.",
        subcommands = {
            RunCommand.class,
            ReplayCommand.class,
            CreateTopicsCommand.class,
            MigrateCommand.class,
            PruneCommand.class,
            ScoreCommand.class,
            ControlCommand.class,
            AlertsCommand.class,
            CommandLine.HelpCommand.class
        })
public final class PulseCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /**
     * The job jar's entry point, for `flink run`, REST submission and application mode. It never
     * calls System.exit: under REST submission main() runs inside the JobManager, and exiting
     * would take the cluster down. A failure is an exception, which Flink reports to the caller.
     * (The local launcher, jobs/bin/pulse, adds the demo, generator and benchmark to these commands, and
     * exits with the code.)
     */
    public static void main(String[] args) {
        int code = commandLine().execute(args);
        if (code != 0) {
            throw new IllegalStateException("pulse " + String.join(" ", args.length > 0 ? args[0] : "")
                    + " failed with exit code " + code + " (the reason is printed above)");
        }
    }

    /** The command line, with user errors (bad configuration, bad arguments) reported as one line, not a stack trace. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new PulseCli());
        ControlCommand.listSettings(cli.getSubcommands().get("control").getCommandSpec());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof ConfigException || e instanceof IllegalArgumentException) {
                commandLine.getErr().println("pulse " + commandLine.getCommandName() + ": " + e.getMessage());
                return 2;
            }
            throw e;
        });
        return cli;
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = PulseCli.class.getPackage().getImplementationVersion();
            return new String[] {"campaign-pulse " + (v == null ? "(development build)" : v)};
        }
    }
}
