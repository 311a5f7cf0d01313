package dev.hearth.store.jdbc;

import dev.hearth.secrets.SealedSecret;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** SQL for the secrets table. Keys are joined with ',', which no environment variable name holds. */
final class SecretRows {

    private static final String COLUMNS = "SELECT name, key_names, sealed, updated_at FROM secrets";
    private static final String SAVE = "INSERT INTO secrets (name, key_names, sealed, updated_at) VALUES (?, ?, ?, ?) "
            + "ON CONFLICT (name) DO UPDATE SET key_names = excluded.key_names, sealed = excluded.sealed, "
            + "updated_at = excluded.updated_at";

    private SecretRows() {
    }

    static List<SealedSecret> list(Session s) throws SQLException {
        List<SealedSecret> out = new ArrayList<>();
        try (ResultSet rs = s.prepare(COLUMNS + " ORDER BY name").executeQuery()) {
            while (rs.next()) {
                out.add(row(rs));
            }
        }
        return out;
    }

    static Optional<SealedSecret> find(Session s, String name) throws SQLException {
        PreparedStatement ps = s.prepare(COLUMNS + " WHERE name = ?");
        ps.setString(1, name);
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(row(rs)) : Optional.empty();
        }
    }

    static void save(Session s, SealedSecret secret) throws SQLException {
        PreparedStatement ps = s.prepare(SAVE);
        ps.setString(1, secret.name());
        ps.setString(2, String.join(",", secret.keys()));
        ps.setString(3, secret.sealed());
        ps.setLong(4, secret.updatedAt().toEpochMilli());
        ps.executeUpdate();
    }

    static boolean delete(Session s, String name) throws SQLException {
        PreparedStatement ps = s.prepare("DELETE FROM secrets WHERE name = ?");
        ps.setString(1, name);
        return ps.executeUpdate() > 0;
    }

    private static SealedSecret row(ResultSet rs) throws SQLException {
        String keys = rs.getString(2);
        return new SealedSecret(rs.getString(1), keys.isEmpty() ? List.of() : Arrays.asList(keys.split(",")),
                rs.getString(3), Instant.ofEpochMilli(rs.getLong(4)));
    }
}
