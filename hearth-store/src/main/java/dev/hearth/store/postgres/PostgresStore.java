package dev.hearth.store.postgres;

import dev.hearth.functions.BundleBlobStore;
import dev.hearth.store.StoreException;
import dev.hearth.store.jdbc.GroupCommitWriter;
import dev.hearth.store.jdbc.JdbcStore;
import dev.hearth.store.jdbc.Schema;
import dev.hearth.store.jdbc.Session;
import dev.hearth.store.jdbc.SessionPool;
import dev.hearth.store.jdbc.Work;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * The store in a PostgreSQL database. Writes go through one connection that commits whatever is queued together
 * (group commit, as in the SQLite store); reads use a pool of their own. Updates are compare-and-set on the job's
 * revision, so writers never overwrite each other's changes. The tables live in a schema of their own, created at open
 * if missing. A control plane opens it {@link #openExclusive exclusively}: its queues and leases live in its memory, so
 * a second control plane on the same schema would hand out and requeue the first one's jobs.
 */
public final class PostgresStore extends JdbcStore {

    /** Connections per store; each node needs few, the database is shared by all nodes. */
    public static final int DEFAULT_POOL_SIZE = 8;

    private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    /** Writes per commit at most, and writes that may wait for one: as in the SQLite store. */
    private static final int MAX_BATCH = 512;
    private static final int QUEUE_CAPACITY = 4 * MAX_BATCH;

    private final SessionPool pool;
    private final GroupCommitWriter writer;
    /** Holds the advisory lock of an exclusive store for its life; null when shared. */
    private volatile Session owner;

    private PostgresStore(String description, SessionPool pool, GroupCommitWriter writer) {
        super(description);
        this.pool = pool;
        this.writer = writer;
    }

    /**
     * Opens the store as {@link #open(String, String, Properties, int)} does, and holds a session-level advisory lock
     * on the schema until closed: a second exclusive open of the same schema, by this process or another, is refused.
     *
     * @throws StoreException if another holds the schema, naming what to do
     */
    public static PostgresStore openExclusive(String jdbcUrl, String schema, Properties connectionProperties,
                                              int poolSize, boolean flushEachCommit) {
        return own(open(jdbcUrl, schema, connectionProperties, poolSize, flushEachCommit), jdbcUrl, schema,
                connectionProperties, false);
    }

    /**
     * Opens the store as one of several control-plane nodes sharing it ({@link LeaderLease}): shared, and holding
     * the schema's advisory lock in shared mode until closed, so that an {@link #openExclusive exclusive} owner (a
     * server that is not one of the nodes, a store copy) is refused while any node runs, and a node is refused while
     * such an owner runs.
     */
    public static PostgresStore openMember(String jdbcUrl, String schema, Properties connectionProperties,
                                           int poolSize, boolean flushEachCommit) {
        return own(open(jdbcUrl, schema, connectionProperties, poolSize, flushEachCommit), jdbcUrl, schema,
                connectionProperties, true);
    }

    private static PostgresStore own(PostgresStore store, String jdbcUrl, String schema,
                                     Properties connectionProperties, boolean shared) {
        Session session = null;
        try {
            Properties props = new Properties();
            props.putAll(connectionProperties);
            props.putIfAbsent("ApplicationName", "hearth");
            props.putIfAbsent("tcpKeepAlive", "true");
            session = new Session(DriverManager.getConnection(jdbcUrl, props));
            PreparedStatement lock = session.prepare(shared ? "SELECT pg_try_advisory_lock_shared(?)"
                    : "SELECT pg_try_advisory_lock(?)");
            lock.setLong(1, ("hearth-owner:" + schema).hashCode());
            boolean got;
            try (var rs = lock.executeQuery()) {
                got = rs.next() && rs.getBoolean(1);
            }
            if (!got) {
                throw new StoreException(store + (shared
                        ? " is in use by a Hearth that is not one of several nodes (a server without --advertise-url,"
                                + " or a store copy); stop it first"
                        : " is in use by another Hearth (a running server, or a store copy); stop it first: one"
                                + " control plane per store, or several started with --advertise-url"));
            }
            store.owner = session;
            return store;
        } catch (SQLException | RuntimeException e) {
            if (session != null) {
                session.close();
            }
            store.close();
            if (e instanceof StoreException se) {
                throw se;
            }
            throw new StoreException("could not lock " + store + ": " + e.getMessage(), e);
        }
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
        return open(jdbcUrl, schema, connectionProperties, poolSize, true);
    }

    /**
     * The same, choosing whether a commit waits for PostgreSQL's log to be flushed ({@code synchronous_commit}):
     * without, as with the SQLite store's default durability, a commit survives a crash of Hearth but the last ones
     * may be lost if the database host crashes; a commit then costs no fsync.
     */
    public static PostgresStore open(String jdbcUrl, String schema, Properties connectionProperties, int poolSize,
                                     boolean flushEachCommit) {
        return open(jdbcUrl, schema, connectionProperties, poolSize, flushEachCommit, 0);
    }

    /**
     * Opens the store of the leader of term {@code term} (see {@link LeaderLease}): shared with the other nodes, and
     * fenced: every write transaction first checks, holding the lease row until it commits, that the term is still
     * the current one, and fails with {@link Deposed} if another node has taken the lead since. So a deposed leader
     * (paused, cut off) can write nothing, not a lease, not a result, once a new one leads.
     */
    public static PostgresStore openFenced(String jdbcUrl, String schema, Properties connectionProperties,
                                           int poolSize, boolean flushEachCommit, long term) {
        if (term <= 0) {
            throw new IllegalArgumentException("term must be positive, got " + term);
        }
        return open(jdbcUrl, schema, connectionProperties, poolSize, flushEachCommit, term);
    }

    /** A write refused because the term it was fenced with is no longer the current one. */
    public static final class Deposed extends SQLException {
        Deposed(long term) {
            super("this node's leadership (term " + term + ") has ended: another node leads now; nothing was written");
        }
    }

    private static PostgresStore open(String jdbcUrl, String schema, Properties connectionProperties, int poolSize,
                                      boolean flushEachCommit, long term) {
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
        // a batch of inserts (job events, usage) as one multi-row INSERT: one statement for the server instead of many
        props.putIfAbsent("reWriteBatchedInserts", "true");
        GroupCommitWriter.Connector connect = () -> new Session(DriverManager.getConnection(jdbcUrl, props));
        SessionPool pool = new SessionPool(poolSize, connect::open);
        GroupCommitWriter.Connector connectWriter = () -> {
            Session s = connect.open();
            s.execute("SET synchronous_commit = " + (flushEachCommit ? "on" : "off"));
            if (term > 0) {
                // a leader paused in the middle of a write transaction holds the lease row: PostgreSQL ends that
                // session after 2 s, so that a standby can take over
                s.execute("SET idle_in_transaction_session_timeout = '2s'");
            }
            return s;
        };
        GroupCommitWriter writer;
        try {
            pool.run(s -> s.inTransaction(tx -> migrate(tx, schema, description)));
            // Writes share commits as in the SQLite store: a transaction per write flushed PostgreSQL's log per write,
            // and job throughput measured 340 jobs/s with it.
            writer = new GroupCommitWriter(connectWriter.open(), null, null, MAX_BATCH, QUEUE_CAPACITY,
                    "hearth-postgres-writer").reconnectWith(connectWriter).failFastWhen(PostgresStore::isDiskFull);
            if (term > 0) {
                writer.fence(tx -> {
                    PreparedStatement check = tx.prepare("SELECT term FROM leader_lease WHERE id = 1 AND term = ? "
                            + "FOR SHARE");
                    check.setLong(1, term);
                    try (var rs = check.executeQuery()) {
                        if (!rs.next()) {
                            throw new Deposed(term);
                        }
                    }
                    return null;
                });
            }
        } catch (SQLException | RuntimeException e) {
            pool.close();
            if (e instanceof StoreException se) {
                throw se;
            }
            throw new StoreException("could not open " + description + ": " + e.getMessage(), e);
        }
        writer.start();
        return new PostgresStore(description, pool, writer);
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
        return writer.submit(work);
    }

    @Override
    protected <T> CompletableFuture<T> runWriteLater(Work<T> work) {
        return writer.submitLater(work);
    }

    @Override
    protected boolean storageFull(SQLException e) {
        return isDiskFull(e);
    }

    /** PostgreSQL's {@code disk_full} (SQLSTATE 53100): the database server's disk has no room for the write. */
    private static boolean isDiskFull(SQLException e) {
        return "53100".equals(e.getSQLState());
    }

    @Override
    protected void shutdown() {
        writer.close();
        pool.close();
        Session held = owner;
        if (held != null) {
            held.close(); // ends the session, and with it the advisory lock
        }
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
