package io.campaignpulse.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.campaignpulse.Fixtures;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Queries for BI", run as written against a migrated database holding a few rows of
 * each kind: each must run and answer. A column renamed in a migration, or a query edited into
 * invalid SQL, fails here.
 */
class BiQueriesTest {

    private static final Path README = Path.of("../../README.md");
    private static final Pattern SQL_BLOCK = Pattern.compile("```sql\\n(.*?)```", Pattern.DOTALL);

    @TempDir
    Path work;

    @Test
    void everyQueryOfTheReadmesBiSectionRunsAndAnswers() throws Exception {
        List<String> queries = queries();
        assertThat(queries).hasSize(3);
        try (EmbeddedPostgres postgres = Fixtures.embeddedPostgres(work);
                Connection c = postgres.getPostgresDatabase().getConnection();
                Statement s = c.createStatement()) {
            PostgresMigrations.migrate(postgres.getJdbcUrl("postgres", "postgres"), "postgres", null);
            s.execute("""
                    INSERT INTO campaigns VALUES
                      ('C-PLAT', 'Platinum card', 'CROSS_SELL', 'CARD-PLAT', 'EMAIL', 'cards-team',
                       now() - interval '3 days', now() + interval '3 days', now() - interval '3 days'),
                      ('C-OLD', 'Last spring', 'UPSELL', NULL, 'SMS', 'savings-team',
                       now() - interval '300 days', now() - interval '200 days', now() - interval '300 days');
                    INSERT INTO misfires VALUES
                      ('s1', 'ALREADY_HOLDS_PRODUCT', 'C-PLAT', 'cust-1', 'holds CARD-PLAT', now() - interval '1 day', now()),
                      ('s2', 'NO_CONSENT', 'C-PLAT', 'cust-2', 'opted out', now() - interval '1 day', now()),
                      ('s9', 'NO_CONSENT', 'C-OLD', 'cust-9', 'opted out', now() - interval '250 days', now());
                    INSERT INTO suppressions VALUES
                      ('C-PLAT', 'cust-1', 'ALREADY_HOLDS_PRODUCT', true, now() - interval '1 day', 's1', now(), NULL, 'holds'),
                      ('C-OLD', 'cust-9', 'NO_CONSENT', true, now() - interval '250 days', 's9', now(), NULL, 'opted out');
                    INSERT INTO alerts VALUES
                      ('a1', 'MISFIRE_RATE', 'CRITICAL', 'C-PLAT', 'Platinum card', 'Platinum card is mailed to holders',
                       'detail', '{"share": 0.4}', now() - interval '1 day', now(), now(), 'OPENED', 1, 'cards-team',
                       'ALREADY_HOLDS_PRODUCT', 40, 40, '["s1"]', '["cust-1"]', 'Exclude holders'),
                      ('a2', 'TICKET_SURGE', 'WARNING', 'C-OLD', 'Last spring', 'resolved one', 'detail', '{}',
                       now() - interval '250 days', now(), now(), 'RESOLVED', 3, 'savings-team', NULL, 5, 0,
                       '[]', '[]', '');
                    """);
            for (String query : queries) {
                List<String> firstColumn = new ArrayList<>();
                try (ResultSet r = s.executeQuery(query)) {
                    while (r.next()) {
                        firstColumn.add(r.getString(1));
                    }
                }
                assertThat(firstColumn).as(query).isNotEmpty();
                // Each filters as it says: nothing of the campaign that ended 200 days ago.
                assertThat(String.join(",", firstColumn)).as(query).doesNotContain("savings-team", "Last spring");
            }
        }
    }

    /** The statements of the SQL blocks between "### Queries for BI" and the next heading. */
    private static List<String> queries() throws Exception {
        String readme = Files.readString(README);
        int start = readme.indexOf("### Queries for BI");
        assertThat(start).as("the README's BI query section").isPositive();
        int end = readme.indexOf("\n#", start + 1);
        Matcher blocks = SQL_BLOCK.matcher(readme.substring(start, end));
        List<String> queries = new ArrayList<>();
        while (blocks.find()) {
            for (String statement : blocks.group(1).split(";\\s*\\n")) {
                String sql = statement
                        .lines()
                        .filter(l -> !l.strip().startsWith("--"))
                        .reduce("", (a, b) -> a + b + "\n")
                        .strip();
                if (!sql.isEmpty()) {
                    queries.add(sql);
                }
            }
        }
        return queries;
    }
}
