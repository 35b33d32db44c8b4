package io.campaignpulse.cli;

import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.sink.PostgresRetention;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Deletes rows of the append-only output tables that are older than postgres.retention. */
@Command(
        name = "prune",
        mixinStandardHelpOptions = true,
        description = {
            "Delete the rows of the append-only PostgreSQL tables (misfires, dead_letters, feedback_scores,"
                    + " campaign_stats) older than postgres.retention says.",
            "Run it daily (cron, a Kubernetes CronJob); it deletes in batches while the job keeps writing."
        })
public final class PruneCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions configOptions = new ConfigOptions();

    @Override
    public Integer call() throws Exception {
        PulseConfig config = configOptions.load();
        Map<String, Long> deleted = PostgresRetention.prune(config.postgres(), Instant.now());
        System.out.println(
                deleted.isEmpty()
                        ? "prune: every table is kept forever (postgres.retention)"
                        : "prune: deleted " + deleted);
        return 0;
    }
}
