package io.campaignpulse.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code pulse}: the Campaign Pulse command line. */
@Command(
        name = "pulse",
        mixinStandardHelpOptions = true,
        versionProvider = PulseCli.Version.class,
        description = "Campaign Pulse: catches campaign misfires in real time on Apache Flink.",
        subcommands = {DemoCommand.class, RunCommand.class, ReplayCommand.class, CommandLine.HelpCommand.class})
public final class PulseCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        int code = new CommandLine(new PulseCli()).execute(args);
        // Under `flink run` a clean return is better than exit(0); failures must still show.
        if (code != 0) {
            System.exit(code);
        }
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
