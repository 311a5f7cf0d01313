package dev.hearth.store.jdbc;

import dev.hearth.audit.AuditEntry;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * SQL for the audit_log table. Filters are bound in one fixed statement (a null filter matches everything), so the
 * number of cached statements stays fixed; the log is small next to jobs and read rarely.
 */
final class AuditRows {

    private static final String COLUMNS = "id, at, key_name, action, function_name, target, change, address, status, "
            + "outcome";
    private static final String INSERT = "INSERT INTO audit_log (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String QUERY = "SELECT " + COLUMNS + " FROM audit_log WHERE at >= ? "
            + "AND (? = '' OR function_name = ?) AND (? = '' OR action = ?) AND (? = '' OR key_name = ?) "
            + "ORDER BY at DESC, id DESC LIMIT ?";
    private static final String DELETE_BEFORE = "DELETE FROM audit_log WHERE at < ?";

    private AuditRows() {
    }

    static void append(Session s, AuditEntry e) throws SQLException {
        PreparedStatement ps = s.prepare(INSERT);
        ps.setString(1, e.id());
        ps.setLong(2, e.at().toEpochMilli());
        ps.setString(3, e.key());
        ps.setString(4, e.action());
        text(ps, 5, e.function());
        text(ps, 6, e.target());
        text(ps, 7, e.change());
        text(ps, 8, e.address());
        ps.setInt(9, e.status());
        ps.setString(10, e.outcome());
        ps.executeUpdate();
    }

    static List<AuditEntry> entries(Session s, String function, String action, String key, Instant since, int limit)
            throws SQLException {
        PreparedStatement ps = s.prepare(QUERY);
        ps.setLong(1, since == null ? Long.MIN_VALUE : since.toEpochMilli());
        int i = 2;
        for (String filter : new String[]{function, action, key}) {
            ps.setString(i++, filter == null ? "" : filter);
            ps.setString(i++, filter == null ? "" : filter);
        }
        ps.setInt(i, limit);
        List<AuditEntry> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new AuditEntry(rs.getString(1), Instant.ofEpochMilli(rs.getLong(2)), rs.getString(3),
                        rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8),
                        rs.getInt(9), rs.getString(10)));
            }
        }
        return out;
    }

    static int deleteBefore(Session s, Instant cutoff) throws SQLException {
        PreparedStatement ps = s.prepare(DELETE_BEFORE);
        ps.setLong(1, cutoff.toEpochMilli());
        return ps.executeUpdate();
    }

    private static void text(PreparedStatement ps, int i, String v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.VARCHAR);
        } else {
            ps.setString(i, v);
        }
    }
}
