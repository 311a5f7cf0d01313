package dev.hearth.store.postgres;

import dev.hearth.functions.BundleBlobStore;
import dev.hearth.store.StoreException;
import dev.hearth.store.jdbc.JdbcStore;
import dev.hearth.store.jdbc.Schema;
import dev.hearth.store.jdbc.Session;
import dev.hearth.store.jdbc.SessionPool;
import dev.hearth.store.jdbc.Work;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * The store for several control-plane nodes sharing one PostgreSQL database. Every write is its own transaction;
 * updates are compare-and-set on the job's revision, so nodes never overwrite each other's changes. The tables live
 * in a schema of their own, created at open if missing.
 */
public final class PostgresStore extends JdbcStore {

    /** Connections per store; each node needs few, the database is shared by all nodes. */
    public static final int DEFAULT_POOL_SIZE = 8;

    private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private final SessionPool pool;

    private PostgresStore(String description, SessionPool pool) {
        super(description);
        this.pool = pool;
    }

    /**
     * Opens the store in {@code schema} of the database at {@code jdbcUrl} (credentials as URL parameters or
     * PostgreSQL's usual defaults), with {@link #DEFAULT_POOL_SIZE} connections.
     */
    public static PostgresStore open(String jdbcUrl, String schema) {
        return open(jdbcUrl, schema, new Properties(), DEFAULT_POOL_SIZE);
    }

    /**
     * Opens the store, creating the schema and its tables if missing and migrating them if older.
     *
     * @param schema               lowercase letters, digits and {@code _}
     * @param connectionProperties passed to the driver (user, password, ssl, ...)
     * @throws StoreException if the database cannot be reached or was migrated by a newer Hearth
     */
    public static PostgresStore open(String jdbcUrl, String schema, Properties connectionProperties, int poolSize) {
        if (!SCHEMA.matcher(schema).matches()) {
            throw new IllegalArgumentException("schema must be lowercase letters, digits and '_' (at most 63, not "
                    + "starting with a digit), got '" + schema + "'");
        }
        String description = "PostgreSQL store " + withoutParameters(jdbcUrl) + " (schema " + schema + ")";
        Properties props = new Properties();
        props.putAll(connectionProperties);
        // unqualified table names then resolve to the store's schema: the shared SQL needs no schema prefix
        props.setProperty("currentSchema", schema);
        props.putIfAbsent("ApplicationName", "hearth");
        props.putIfAbsent("tcpKeepAlive", "true");
        SessionPool pool = new SessionPool(poolSize, () -> new Session(DriverManager.getConnection(jdbcUrl, props)));
        try {
            pool.run(s -> s.inTransaction(tx -> migrate(tx, schema, description)));
        } catch (SQLException | RuntimeException e) {
            pool.close();
            if (e instanceof StoreException se) {
                throw se;
            }
            throw new StoreException("could not open " + description + ": " + e.getMessage(), e);
        }
        return new PostgresStore(description, pool);
    }

    /** {@inheritDoc} Here the bundles table: every node sharing the database can unpack every version's code. */
    @Override
    public Optional<BundleBlobStore> sharedBundles() {
        return Optional.of(bundles());
    }

    @Override
    protected <T> T runRead(Work<T> work, boolean pointLookup) throws SQLException {
        return pool.run(work);
    }

    @Override
    protected <T> T runWrite(Work<T> work) throws SQLException {
        return pool.run(s -> s.inTransaction(work));
    }

    @Override
    protected void shutdown() {
        pool.close();
    }

    private static Void migrate(Session s, String schema, String description) throws SQLException {
        // nodes starting together must not migrate at once; the lock ends with the transaction
        PreparedStatement lock = s.prepare("SELECT pg_advisory_xact_lock(?)");
        lock.setLong(1, ("hearth-schema:" + schema).hashCode());
        lock.execute();
        s.execute("CREATE SCHEMA IF NOT EXISTS \"" + schema + "\"");
        Schema.migrate(s, description);
        return null;
    }

    /** The URL without its parameters, which may hold a password. */
    private static String withoutParameters(String jdbcUrl) {
        int q = jdbcUrl.indexOf('?');
        return q < 0 ? jdbcUrl : jdbcUrl.substring(0, q);
    }
}
