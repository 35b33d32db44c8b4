package io.campaignpulse.sink;

import io.campaignpulse.config.PulseConfig;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Brings the output tables to this release's shape with the versioned migrations in {@code
 * db/migration} (Flyway): {@code pulse run} and {@code pulse migrate} apply them before the job
 * starts, the Docker stack and the cluster test apply the same ones. A database that already has
 * tables from a release before versioned migrations is baselined at version 0, so every migration
 * runs on it; V1 is idempotent and adds what those releases lacked.
 */
public final class PostgresMigrations {

    /** Where the migrations are, in the job jar. */
    public static final String LOCATION = "classpath:campaign-pulse/db/migration";
    /** Our own history table, so a database shared with another Flyway user keeps both apart. */
    public static final String HISTORY_TABLE = "campaign_pulse_schema_history";

    private PostgresMigrations() {}

    /**
     * Migrates, then writes the settings the database's views read ({@code scorecard_settings}).
     *
     * @return the migrations applied now (none when the database was already current)
     */
    public static MigrateResult migrate(PulseConfig.Postgres config) throws SQLException {
        MigrateResult result = migrate(config.url(), config.username(), config.password());
        try (Connection c = dataSource(config.url(), config.username(), config.password())
                        .getConnection();
                PreparedStatement s = c.prepareStatement("UPDATE scorecard_settings SET min_feedback = ?")) {
            s.setInt(1, config.scorecardMinFeedback());
            s.executeUpdate();
        }
        return result;
    }

    /** @return the migrations applied now (none when the database was already current) */
    public static MigrateResult migrate(String url, String user, String password) {
        return Flyway.configure(PostgresMigrations.class.getClassLoader())
                .dataSource(dataSource(url, user, password))
                .locations(LOCATION)
                .table(HISTORY_TABLE)
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .baselineDescription("tables of a release before versioned migrations")
                .load()
                .migrate();
    }

    /**
     * The driver's own data source, not DriverManager: DriverManager registers drivers once per JVM,
     * from the first job's class loader, so a second job submitted to the same JobManager would find
     * "no suitable driver".
     */
    static PGSimpleDataSource dataSource(String url, String user, String password) {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setURL(url);
        dataSource.setUser(user);
        dataSource.setPassword(password == null ? "" : password);
        return dataSource;
    }
}
