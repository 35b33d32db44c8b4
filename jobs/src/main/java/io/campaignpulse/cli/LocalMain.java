package io.campaignpulse.cli;

/** Entry point of the local launcher (jobs/bin/pulse): the command's exit code becomes the process's. */
public final class LocalMain {

    private LocalMain() {}

    public static void main(String[] args) {
        System.exit(PulseCli.commandLine().execute(args));
    }
}
