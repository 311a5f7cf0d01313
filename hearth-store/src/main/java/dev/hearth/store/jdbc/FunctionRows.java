package dev.hearth.store.jdbc;

import dev.hearth.errors.HearthException;
import dev.hearth.functions.FunctionVersion;
import dev.hearth.functions.ManifestException;
import dev.hearth.functions.ManifestParser;
import dev.hearth.store.StoreException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * SQL for the function_versions table. Only the manifest's YAML is stored; the manifest is parsed again on read, so
 * the YAML stays the single source of truth.
 */
final class FunctionRows {

    private static final String COLUMNS = "name, version, manifest_yaml, bundle_sha256, deployed_at";
    /*
     * Inserts only if the new version directly follows the latest, in one statement, so that two racing deploys
     * cannot both claim the same number or leave a gap. The primary key catches the race that slips through
     * on PostgreSQL (both see the same latest under READ COMMITTED).
     */
    private static final String SAVE = "INSERT INTO function_versions (" + COLUMNS + ") SELECT ?, ?, ?, ?, ? "
            + "WHERE (SELECT COALESCE(MAX(version), 0) FROM function_versions WHERE name = ?) = ?";
    private static final String LATEST_VERSION =
            "SELECT COALESCE(MAX(version), 0) FROM function_versions WHERE name = ?";
    private static final String LATEST = "SELECT " + COLUMNS + " FROM function_versions WHERE name = ? "
            + "ORDER BY version DESC LIMIT 1";
    private static final String FIND = "SELECT " + COLUMNS + " FROM function_versions WHERE name = ? AND version = ?";
    private static final String LIST_LATEST = "SELECT " + COLUMNS + " FROM function_versions f "
            + "WHERE version = (SELECT MAX(version) FROM function_versions g WHERE g.name = f.name) ORDER BY name";
    private static final String ALL_VERSIONS = "SELECT " + COLUMNS + " FROM function_versions WHERE name = ? "
            + "ORDER BY version";
    private static final String DELETE = "DELETE FROM function_versions WHERE name = ?";
    private static final String UNIQUE_VIOLATION = "23505";

    private FunctionRows() {
    }

    static void save(Session s, FunctionVersion fv) throws SQLException {
        PreparedStatement ps = s.prepare(SAVE);
        ps.setString(1, fv.name());
        ps.setInt(2, fv.version());
        ps.setString(3, fv.manifestYaml());
        if (fv.bundleSha256() == null) {
            ps.setNull(4, Types.VARCHAR);
        } else {
            ps.setString(4, fv.bundleSha256());
        }
        ps.setLong(5, fv.deployedAt().toEpochMilli());
        ps.setString(6, fv.name());
        ps.setInt(7, fv.version() - 1);
        int inserted;
        try {
            inserted = ps.executeUpdate();
        } catch (SQLException e) {
            if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                // PostgreSQL has aborted the transaction: no further query to learn the latest version
                throw conflict(fv, "version " + fv.version() + " was just stored by another deploy");
            }
            throw e;
        }
        if (inserted == 0) {
            throw conflict(fv, "the latest stored version is " + latestVersion(s, fv.name())
                    + " and versions must follow one another");
        }
    }

    static Optional<FunctionVersion> latest(Session s, String name) throws SQLException {
        PreparedStatement ps = s.prepare(LATEST);
        ps.setString(1, name);
        List<FunctionVersion> found = readAll(ps);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.getFirst());
    }

    static Optional<FunctionVersion> find(Session s, String name, int version) throws SQLException {
        PreparedStatement ps = s.prepare(FIND);
        ps.setString(1, name);
        ps.setInt(2, version);
        List<FunctionVersion> found = readAll(ps);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.getFirst());
    }

    static List<FunctionVersion> listLatest(Session s) throws SQLException {
        return readAll(s.prepare(LIST_LATEST));
    }

    static List<FunctionVersion> versions(Session s, String name) throws SQLException {
        PreparedStatement ps = s.prepare(ALL_VERSIONS);
        ps.setString(1, name);
        return readAll(ps);
    }

    static boolean delete(Session s, String name) throws SQLException {
        PreparedStatement ps = s.prepare(DELETE);
        ps.setString(1, name);
        return ps.executeUpdate() > 0;
    }

    private static int latestVersion(Session s, String name) throws SQLException {
        PreparedStatement ps = s.prepare(LATEST_VERSION);
        ps.setString(1, name);
        try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static HearthException.Conflict conflict(FunctionVersion fv, String why) {
        return new HearthException.Conflict("cannot store version " + fv.version() + " of function '" + fv.name()
                + "': " + why + " (another deploy of the same function may have just finished; deploy again)");
    }

    private static List<FunctionVersion> readAll(PreparedStatement ps) throws SQLException {
        List<FunctionVersion> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(read(rs));
            }
        }
        return out;
    }

    private static FunctionVersion read(ResultSet rs) throws SQLException {
        String name = rs.getString(1);
        int version = rs.getInt(2);
        String yaml = rs.getString(3);
        try {
            return new FunctionVersion(name, version, ManifestParser.parse(yaml), yaml, rs.getString(4),
                    Instant.ofEpochMilli(rs.getLong(5)));
        } catch (ManifestException e) {
            throw new StoreException("the stored manifest of function '" + name + "' version " + version
                    + " no longer parses: " + e.getMessage(), e);
        }
    }
}
