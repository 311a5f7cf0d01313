package dev.hearth.store.jdbc;

import dev.hearth.store.StoreException;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Copies one Hearth database into another, table by table: every table the source has, whatever it is, so that a
 * table added by a later migration is copied without anyone remembering to. Both stores are opened (and so migrated
 * to the same schema version) before; the target must be empty, and the copy is one transaction on it, so a failed
 * copy leaves it empty.
 */
public final class StoreCopy {

    /** Rows sent to the target per batch. */
    private static final int BATCH = 500;

    /** A code bundle to put into the target's bundles table beside the rows copied (from files, for SQLite). */
    public record Bundle(String sha256, byte[] zip) {
    }

    /** Bundles that live outside the source database; read one at a time, so they need not all fit in memory. */
    @FunctionalInterface
    public interface BundleSource {
        void forEach(BundleSink sink) throws SQLException;
    }

    @FunctionalInterface
    public interface BundleSink {
        void accept(Bundle bundle) throws SQLException;
    }

    private StoreCopy() {
    }

    /**
     * Copies every row of every table of {@code from} into {@code to}, then the {@code extra} bundles not copied with
     * the rows.
     *
     * @return rows copied per table, in the order copied
     * @throws StoreException if {@code to} is not empty, lacks one of the source's tables, or a row cannot be copied
     */
    public static Map<String, Long> copy(JdbcStore from, JdbcStore to, BundleSource extra) {
        try {
            // a read transaction on the source: one snapshot of it, and PostgreSQL streams rows only inside one
            return to.runWrite(target -> from.runRead(s -> s.inTransaction(source -> copy(source, target, from, to,
                    extra)), false));
        } catch (SQLException e) {
            throw new StoreException("could not copy " + from + " to " + to + ": " + e.getMessage(), e);
        }
    }

    /** Rows per table of {@code store}, for every table it has (the settings' schema version not counted). */
    public static Map<String, Long> rowCounts(JdbcStore store) {
        try {
            return store.runRead(s -> {
                Map<String, Long> counts = new LinkedHashMap<>();
                for (String table : tables(s.connection())) {
                    counts.put(table, count(s, table));
                }
                return counts;
            }, false);
        } catch (SQLException e) {
            throw new StoreException("could not count the rows of " + store + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, Long> copy(Session source, Session target, JdbcStore from, JdbcStore to,
                                          BundleSource extra) throws SQLException {
        List<String> targetTables = tables(target.connection());
        for (String table : targetTables) {
            long rows = count(target, table);
            if (rows > 0) {
                throw new StoreException(to + " is not empty (its table " + table + " has " + rows + " rows); copy "
                        + "into a new database or schema only, so nothing there is overwritten or mixed up");
            }
        }
        Map<String, Long> copied = new LinkedHashMap<>();
        for (String table : tables(source.connection())) {
            if (!targetTables.contains(table)) {
                throw new StoreException(to + " has no table " + table + ", which " + from + " has");
            }
            copied.put(table, copyTable(source, target, table));
        }
        if (extra != null) {
            PreparedStatement save = target.prepare("INSERT INTO bundles (sha256, zip) VALUES (?, ?) "
                    + "ON CONFLICT (sha256) DO NOTHING");
            long[] added = {0};
            extra.forEach(bundle -> {
                save.setString(1, bundle.sha256());
                save.setBytes(2, bundle.zip());
                added[0] += save.executeUpdate();
            });
            copied.merge("bundles", added[0], Long::sum);
        }
        return copied;
    }

    private static long copyTable(Session source, Session target, String table) throws SQLException {
        Map<String, Integer> types = columnTypes(target.connection(), table);
        String columns = String.join(", ", types.keySet());
        String where = table.equals("settings") ? " WHERE name <> '" + Schema.VERSION_KEY + "'" : "";
        String insert = "INSERT INTO " + table + " (" + columns + ") VALUES ("
                + String.join(", ", types.keySet().stream().map(c -> "?").toList()) + ")";
        List<Integer> sqlTypes = List.copyOf(types.values());
        long rows = 0;
        try (var select = source.connection().prepareStatement("SELECT " + columns + " FROM " + table + where);
             PreparedStatement ps = target.connection().prepareStatement(insert)) {
            select.setFetchSize(BATCH); // PostgreSQL streams only with a fetch size (inside a transaction)
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    for (int i = 0; i < sqlTypes.size(); i++) {
                        bind(ps, i + 1, sqlTypes.get(i), rs.getObject(i + 1));
                    }
                    ps.addBatch();
                    if (++rows % BATCH == 0) {
                        ps.executeBatch();
                    }
                }
            }
            ps.executeBatch();
        }
        return rows;
    }

    /** Binds a value read from either database as the target column wants it (SQLite keeps booleans as 0 and 1). */
    private static void bind(PreparedStatement ps, int index, int type, Object value) throws SQLException {
        if (value == null) {
            ps.setNull(index, type);
            return;
        }
        switch (type) {
            case Types.BOOLEAN, Types.BIT -> ps.setBoolean(index, value instanceof Boolean b ? b
                    : ((Number) value).longValue() != 0);
            case Types.INTEGER, Types.SMALLINT -> ps.setInt(index, ((Number) value).intValue());
            case Types.BIGINT -> ps.setLong(index, ((Number) value).longValue());
            case Types.DOUBLE, Types.FLOAT, Types.REAL -> ps.setDouble(index, ((Number) value).doubleValue());
            case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB -> ps.setBytes(index, (byte[]) value);
            default -> ps.setString(index, value.toString());
        }
    }

    private static Map<String, Integer> columnTypes(Connection c, String table) throws SQLException {
        Map<String, Integer> types = new LinkedHashMap<>();
        try (var st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT * FROM " + table + " WHERE 1 = 0")) {
            ResultSetMetaData md = rs.getMetaData();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                types.put(md.getColumnName(i).toLowerCase(java.util.Locale.ROOT), md.getColumnType(i));
            }
        }
        return types;
    }

    /** The tables of the store's schema (PostgreSQL: the connection's current schema), by name. */
    static List<String> tables(Connection c) throws SQLException {
        DatabaseMetaData md = c.getMetaData();
        TreeSet<String> names = new TreeSet<>();
        try (ResultSet rs = md.getTables(null, c.getSchema(), "%", new String[] {"TABLE"})) {
            while (rs.next()) {
                String name = rs.getString("TABLE_NAME").toLowerCase(java.util.Locale.ROOT);
                if (!name.startsWith("sqlite_")) {
                    names.add(name);
                }
            }
        }
        return new ArrayList<>(names);
    }

    private static long count(Session s, String table) throws SQLException {
        String where = table.equals("settings") ? " WHERE name <> '" + Schema.VERSION_KEY + "'" : "";
        try (var st = s.connection().createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + table + where)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
