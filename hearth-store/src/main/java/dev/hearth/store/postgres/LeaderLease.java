package dev.hearth.store.postgres;

import dev.hearth.cluster.ClusterView;
import dev.hearth.store.StoreException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Properties;

/**
 * The leader lease of the control-plane nodes sharing one PostgreSQL store: one row ({@code leader_lease}) with the
 * term, the holder and when the lease runs out, and one row per node ({@code cluster_nodes}) for {@code GET
 * /v1/cluster}. A node takes the lease only once it has run out, raising the term by one; the holder renews it. Every
 * time is the database's clock ({@code clock_timestamp()}), so the nodes' clocks need not agree.
 *
 * <p>The term is what fences a deposed leader: its store, opened with {@link PostgresStore#openFenced}, checks in
 * every write transaction that the term is still current, holding the row (FOR SHARE) until it commits, so a
 * takeover waits for the old leader's transaction in flight and every later one fails.
 *
 * <p>One connection of its own, used by one thread at a time; a broken one is opened again at the next call.
 */
public final class LeaderLease implements AutoCloseable {

    /** The database's clock in milliseconds since the epoch. */
    private static final String NOW = "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT";
    /** How long a node that stopped renewing its presence is still listed. */
    private static final Duration FORGET_AFTER = Duration.ofSeconds(15);

    /** What the lease row says now. */
    public record Holder(long term, String node, String url, Instant since, boolean live) {
    }

    private final String jdbcUrl;
    private final Properties props;
    private final String schema;
    private final String node;
    private final String url;
    private final Instant joined;
    private Connection connection;

    private LeaderLease(String jdbcUrl, Properties props, String schema, String node, String url) {
        this.jdbcUrl = jdbcUrl;
        this.props = props;
        this.schema = schema;
        this.node = node;
        this.url = url;
        this.joined = Instant.now();
    }

    /**
     * Connects as node {@code node}, advertised at {@code url}, creating the lease tables in {@code schema} if missing.
     * They are not numbered migrations: only PostgreSQL stores have several nodes, and the tables hold nothing a
     * store copy should move.
     */
    public static LeaderLease open(String jdbcUrl, String schema, Properties connectionProperties, String node,
                                   String url) {
        Properties props = new Properties();
        props.putAll(connectionProperties);
        props.setProperty("currentSchema", schema);
        props.putIfAbsent("ApplicationName", "hearth-lease");
        props.putIfAbsent("tcpKeepAlive", "true");
        // a lease call never waits long: a database that does not answer is as good as a lost lease
        props.putIfAbsent("socketTimeout", "5");
        props.putIfAbsent("connectTimeout", "5");
        LeaderLease lease = new LeaderLease(jdbcUrl, props, schema, node, url);
        try {
            Connection c = lease.connection();
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("SELECT pg_advisory_xact_lock(" + ("hearth-schema:" + schema).hashCode() + ")");
                st.execute("CREATE SCHEMA IF NOT EXISTS \"" + schema + "\"");
                st.execute("""
                        CREATE TABLE IF NOT EXISTS leader_lease (
                          id INTEGER PRIMARY KEY CHECK (id = 1),
                          term BIGINT NOT NULL,
                          node TEXT,
                          url TEXT,
                          since BIGINT,
                          expires_at BIGINT NOT NULL
                        )""");
                st.execute("INSERT INTO leader_lease (id, term, expires_at) VALUES (1, 0, 0) ON CONFLICT DO NOTHING");
                st.execute("""
                        CREATE TABLE IF NOT EXISTS cluster_nodes (
                          node TEXT PRIMARY KEY,
                          url TEXT NOT NULL,
                          joined_at BIGINT NOT NULL,
                          last_seen BIGINT NOT NULL
                        )""");
            }
            c.commit();
            c.setAutoCommit(true);
            return lease;
        } catch (SQLException e) {
            lease.close();
            throw new StoreException("could not open the leader lease in schema " + schema + ": " + e.getMessage(), e);
        }
    }

    public String node() {
        return node;
    }

    /**
     * Takes the lease for {@code ttl} if it has run out (or was never held), as a new term.
     *
     * @return the new term, or empty while another node holds a live lease
     */
    public synchronized OptionalLong tryAcquire(Duration ttl) throws SQLException {
        return call(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE leader_lease SET term = term + 1, node = ?, "
                    + "url = ?, since = " + NOW + ", expires_at = " + NOW + " + ? WHERE id = 1 AND expires_at < " + NOW
                    + " RETURNING term")) {
                ps.setString(1, node);
                ps.setString(2, url);
                ps.setLong(3, ttl.toMillis());
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
                }
            }
        });
    }

    /**
     * Extends the lease of {@code term} by {@code ttl} from now. A lease that ran out but that nobody took since is
     * extended too: the term, not the clock, decides who may write.
     *
     * @return false if another node took the lease: this node is deposed
     */
    public synchronized boolean renew(long term, Duration ttl) throws SQLException {
        return update("UPDATE leader_lease SET expires_at = " + NOW + " + ? WHERE id = 1 AND term = ? AND node = ?",
                ttl.toMillis(), term, node) == 1;
    }

    /** Gives the lease of {@code term} up at once, so that a standby need not wait for it to run out. */
    public synchronized void release(long term) throws SQLException {
        update("UPDATE leader_lease SET expires_at = 0 WHERE id = 1 AND term = ? AND node = ?", term, node);
    }

    /** The lease as it stands. */
    public synchronized Holder holder() throws SQLException {
        return call(c -> {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT term, node, url, since, "
                    + "expires_at >= " + NOW + " FROM leader_lease WHERE id = 1")) {
                if (!rs.next()) {
                    return new Holder(0, null, null, null, false);
                }
                long since = rs.getLong(4);
                return new Holder(rs.getLong(1), rs.getString(2), rs.getString(3),
                        rs.wasNull() ? null : Instant.ofEpochMilli(since), rs.getBoolean(5));
            }
        });
    }

    /** Records that this node is alive; nodes gone for an hour are forgotten. */
    public synchronized void heartbeat() throws SQLException {
        update("INSERT INTO cluster_nodes (node, url, joined_at, last_seen) VALUES (?, ?, ?, " + NOW + ") "
                + "ON CONFLICT (node) DO UPDATE SET last_seen = EXCLUDED.last_seen, url = EXCLUDED.url",
                node, url, joined.toEpochMilli());
        update("DELETE FROM cluster_nodes WHERE last_seen < " + NOW + " - 3600000");
    }

    /** Leaves the list of nodes (a graceful stop). */
    public synchronized void leave() throws SQLException {
        update("DELETE FROM cluster_nodes WHERE node = ?", node);
    }

    /** The nodes heard of in the last {@link #FORGET_AFTER}, the leader first, and the term. */
    public synchronized ClusterView view() throws SQLException {
        long term = holder().term();
        return call(c -> {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT n.url, l.node = n.node AND l.expires_at >= " + NOW + ", l.since, n.joined_at, n.last_seen,"
                    + " l.term FROM leader_lease l CROSS JOIN cluster_nodes n WHERE l.id = 1 AND"
                    + " n.last_seen >= " + NOW + " - " + FORGET_AFTER.toMillis() + " ORDER BY 2 DESC, n.url")) {
                List<ClusterView.Node> nodes = new ArrayList<>();
                while (rs.next()) {
                    boolean leader = rs.getBoolean(2);
                    Instant since = Instant.ofEpochMilli(leader ? rs.getLong(3) : rs.getLong(4));
                    nodes.add(new ClusterView.Node(rs.getString(1), leader, since,
                            Instant.ofEpochMilli(rs.getLong(5))));
                }
                return new ClusterView(term, nodes);
            }
        });
    }

    @Override
    public synchronized void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // going away
            }
            connection = null;
        }
    }

    @Override
    public String toString() {
        return "leader lease of schema " + schema;
    }

    @FunctionalInterface
    private interface Call<T> {
        T run(Connection c) throws SQLException;
    }

    private int update(String sql, Object... params) throws SQLException {
        return call(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                for (int i = 0; i < params.length; i++) {
                    ps.setObject(i + 1, params[i]);
                }
                return ps.executeUpdate();
            }
        });
    }

    private <T> T call(Call<T> call) throws SQLException {
        try {
            return call.run(connection());
        } catch (SQLException e) {
            close(); // the next call connects afresh
            throw e;
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            connection = DriverManager.getConnection(jdbcUrl, props);
            try (Statement st = connection.createStatement()) {
                // behind a deposed leader's write transaction in flight, a takeover waits at most this long per try
                st.execute("SET lock_timeout = '1s'");
            }
        }
        return connection;
    }
}
