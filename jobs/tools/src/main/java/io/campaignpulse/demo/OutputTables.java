package io.campaignpulse.demo;

import io.campaignpulse.contract.MisfireRule;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** What the end-to-end tests and the fault suite read back from the pipeline's PostgreSQL tables. */
public final class OutputTables {

    private final String jdbcUrl;

    public OutputTables(String jdbcUrl) {
        this.jdbcUrl = jdbcUrl;
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl, LocalInfrastructure.POSTGRES_USER, "");
    }

    public int count(String tableAndCondition) throws SQLException {
        try (Connection c = connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM " + tableAndCondition)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** The first column of every row. */
    public Set<String> set(String sql) throws SQLException {
        Set<String> rows = new HashSet<>();
        try (Connection c = connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        }
        return rows;
    }

    public Map<String, Integer> deadLettersByReason() throws SQLException {
        Map<String, Integer> byReason = new HashMap<>();
        try (Connection c = connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT reason, count(*) FROM dead_letters GROUP BY reason")) {
            while (rs.next()) {
                byReason.put(rs.getString(1), rs.getInt(2));
            }
        }
        return byReason;
    }

    /** "send_id/RULE" for every misfire, as the tables' rows are compared. */
    public static Set<String> keys(Map<String, Set<MisfireRule>> misfires) {
        Set<String> keys = new HashSet<>();
        misfires.forEach((send, rules) -> rules.forEach(r -> keys.add(send + "/" + r)));
        return keys;
    }
}
