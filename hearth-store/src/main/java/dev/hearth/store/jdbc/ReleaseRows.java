package dev.hearth.store.jdbc;

import dev.hearth.releases.Release;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** SQL for the function_releases table: an append-only history per function, numbered by {@code seq}. */
final class ReleaseRows {

    private static final String APPEND = "INSERT INTO function_releases (name, seq, active_version, canary_version, "
            + "canary_percent, released_at) SELECT ?, COALESCE(MAX(seq), 0) + 1, ?, ?, ?, ? FROM function_releases "
            + "WHERE name = ?";
    private static final String HISTORY = "SELECT active_version, canary_version, canary_percent, released_at "
            + "FROM function_releases WHERE name = ? ORDER BY seq";
    private static final String DELETE = "DELETE FROM function_releases WHERE name = ?";

    private ReleaseRows() {
    }

    static void append(Session s, Release r) throws SQLException {
        PreparedStatement ps = s.prepare(APPEND);
        ps.setString(1, r.function());
        ps.setInt(2, r.active());
        if (r.canary() == null) {
            ps.setNull(3, Types.INTEGER);
            ps.setNull(4, Types.INTEGER);
        } else {
            ps.setInt(3, r.canary().version());
            ps.setInt(4, r.canary().percent());
        }
        ps.setLong(5, r.at().toEpochMilli());
        ps.setString(6, r.function());
        ps.executeUpdate();
    }

    static List<Release> history(Session s, String function) throws SQLException {
        PreparedStatement ps = s.prepare(HISTORY);
        ps.setString(1, function);
        List<Release> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                int canaryVersion = rs.getInt(2);
                Release.Canary canary = rs.wasNull() ? null : new Release.Canary(canaryVersion, rs.getInt(3));
                out.add(new Release(function, rs.getInt(1), canary, Instant.ofEpochMilli(rs.getLong(4))));
            }
        }
        return out;
    }

    static boolean delete(Session s, String function) throws SQLException {
        PreparedStatement ps = s.prepare(DELETE);
        ps.setString(1, function);
        return ps.executeUpdate() > 0;
    }
}
