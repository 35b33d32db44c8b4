package io.campaignpulse.tools;

import io.campaignpulse.cli.ConfigOptions;
import io.campaignpulse.demo.Demo;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The embedded default. Only option fields here: the demo's broker and database are not in the
 * job jar, so their classes are touched only when the demo actually runs.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Run Campaign Pulse end to end on this machine, with nothing to install.",
            "Starts a real Kafka broker and PostgreSQL on loopback, plays a generated day of campaign traffic with "
                    + "planted misfires, runs the job in a local Flink MiniCluster, shows the alert feed as it fires, "
                    + "and ends with a summary checked against the generator's ground truth."
        })
public final class DemoCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions configOptions = new ConfigOptions();

    @Mixin
    GeneratorOptions generator = new GeneratorOptions();

    @Option(
            names = "--follow",
            description = "After the first day, keep playing the following days (same customers) until Ctrl-C.")
    boolean follow;

    @Option(
            names = "--backlog",
            description = {
                "Publish the whole generated day first, then start the job: the catch-up case "
                        + "(a job started on a topic with history, or restarted after an outage)."
            })
    boolean backlog;

    @Option(
            names = "--work-dir",
            paramLabel = "DIR",
            description =
                    "Keep the broker's, database's and checkpoints' files here (default: a temporary folder, deleted at the end).")
    Path workDir;

    @Option(names = "--keep", description = "Do not delete the temporary work folder at the end.")
    boolean keep;

    @Override
    public Integer call() throws Exception {
        generator.validate();
        return Demo.run(
                new Demo.Settings(
                        generator.customers,
                        generator.daySeconds,
                        generator.seed,
                        follow,
                        backlog,
                        workDir,
                        keep,
                        configOptions.file,
                        configOptions.overrides),
                System.out);
    }
}
