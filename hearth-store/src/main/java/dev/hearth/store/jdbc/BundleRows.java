package dev.hearth.store.jdbc;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/** SQL for the bundles table: code bundles as zip bytes by content hash, written once, never changed. */
final class BundleRows {

    private static final String SAVE = "INSERT INTO bundles (sha256, zip) VALUES (?, ?) ON CONFLICT (sha256) DO NOTHING";
    private static final String FIND = "SELECT zip FROM bundles WHERE sha256 = ?";

    private BundleRows() {
    }

    static void save(Session s, String sha256, byte[] zip) throws SQLException {
        PreparedStatement ps = s.prepare(SAVE);
        ps.setString(1, sha256);
        ps.setBytes(2, zip);
        ps.executeUpdate();
    }

    static Optional<byte[]> find(Session s, String sha256) throws SQLException {
        PreparedStatement ps = s.prepare(FIND);
        ps.setString(1, sha256);
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.of(rs.getBytes(1)) : Optional.empty();
        }
    }
}
