package dev.hearth.store.jdbc;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/** SQL for the settings table. */
final class SettingRows {

    private static final String GET = "SELECT value FROM settings WHERE name = ?";
    // upsert syntax shared by SQLite (3.24+) and PostgreSQL (9.5+)
    private static final String PUT = "INSERT INTO settings (name, value) VALUES (?, ?) "
            + "ON CONFLICT (name) DO UPDATE SET value = excluded.value";

    private SettingRows() {
    }

    static Optional<String> get(Session s, String key) throws SQLException {
        PreparedStatement ps = s.prepare(GET);
        ps.setString(1, key);
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
        }
    }

    static void put(Session s, String key, String value) throws SQLException {
        PreparedStatement ps = s.prepare(PUT);
        ps.setString(1, key);
        ps.setString(2, value);
        ps.executeUpdate();
    }
}
