package dev.hearth.store;

import dev.hearth.store.postgres.LeaderLease;
import dev.hearth.store.postgres.PostgresStore;
import dev.hearth.store.sqlite.SqliteStore;
import java.nio.file.Path;

/** Opens the store a control plane is configured with; the one place that chooses between the adapters. */
public final class Stores {

    private Stores() {
    }

    /**
     * Opens and migrates the store: PostgreSQL at {@code url} when one is given, else SQLite in {@code dataDir}.
     *
     * @param url a {@link PostgresUrl}, or null for the embedded default
     * @throws IllegalArgumentException if {@code url} is not a PostgreSQL URL
     * @throws StoreException           if the store cannot be opened
     */
    public static HearthStore open(String url, Path dataDir) {
        if (url == null || url.isBlank()) {
            return SqliteStore.open(dataDir);
        }
        return open(PostgresUrl.parse(url.strip(), "the store URL"));
    }

    /**
     * Opens and migrates the PostgreSQL store at {@code url}, for this process alone: another server or store copy
     * on the same schema is refused until this one closes it.
     */
    public static PostgresStore open(PostgresUrl url) {
        return PostgresStore.openExclusive(url.jdbcUrl(), url.schema(), url.properties(),
                PostgresStore.DEFAULT_POOL_SIZE, url.flushEachCommit());
    }

    /**
     * The leader lease of the control-plane nodes sharing the PostgreSQL store at {@code url}, for node {@code node}
     * advertised at {@code advertiseUrl}.
     *
     * @throws IllegalArgumentException if {@code url} is not a PostgreSQL URL (several nodes need a shared store)
     */
    public static LeaderLease lease(String url, String node, String advertiseUrl) {
        PostgresUrl pg = PostgresUrl.parse(url == null ? "" : url.strip(), "the store URL");
        return LeaderLease.open(pg.jdbcUrl(), pg.schema(), pg.properties(), node, advertiseUrl);
    }

    /**
     * Opens the PostgreSQL store at {@code url} for the leader of {@code term}: shared with the other nodes, every
     * write fenced by the term (see {@link PostgresStore#openFenced}).
     */
    public static HearthStore openLeader(String url, long term) {
        PostgresUrl pg = PostgresUrl.parse(url.strip(), "the store URL");
        return PostgresStore.openFenced(pg.jdbcUrl(), pg.schema(), pg.properties(), PostgresStore.DEFAULT_POOL_SIZE,
                pg.flushEachCommit(), term);
    }

    /**
     * Opens the PostgreSQL store at {@code url} for one of several control-plane nodes, unfenced: what a standby
     * reads settings and keys from. While it is open, a server or store copy that wants the store to itself is
     * refused (see {@link PostgresStore#openMember}).
     */
    public static HearthStore openMember(String url) {
        PostgresUrl pg = PostgresUrl.parse(url.strip(), "the store URL");
        return PostgresStore.openMember(pg.jdbcUrl(), pg.schema(), pg.properties(), 2, pg.flushEachCommit());
    }
}
