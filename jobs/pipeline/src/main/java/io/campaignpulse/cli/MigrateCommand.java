package io.campaignpulse.cli;

import io.campaignpulse.config.PulseConfig;
import io.campaignpulse.sink.PostgresMigrations;
import java.util.concurrent.Callable;
import org.flywaydb.core.api.output.MigrateResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Creates or upgrades the PostgreSQL output tables (idempotent); 'pulse run' does it too. */
@Command(
        name = "migrate",
        mixinStandardHelpOptions = true,
        description = {
            "Create or upgrade the PostgreSQL output tables with this release's versioned migrations.",
            "Idempotent; 'pulse run' applies them too unless --no-migrate."
        })
public final class MigrateCommand implements Callable<Integer> {

    @Mixin
    ConfigOptions configOptions = new ConfigOptions();

    @Override
    public Integer call() throws Exception {
        PulseConfig config = configOptions.load();
        MigrateResult result = PostgresMigrations.migrate(config.postgres());
        System.out.println(describe(result));
        return 0;
    }

    static String describe(MigrateResult result) {
        return result.migrationsExecuted == 0
                ? "migrate: the output tables are at version " + result.initialSchemaVersion + ", nothing to do"
                : "migrate: applied " + result.migrationsExecuted + " migration(s), from version "
                        + (result.initialSchemaVersion == null ? "(none)" : result.initialSchemaVersion)
                        + " to " + result.targetSchemaVersion;
    }
}
