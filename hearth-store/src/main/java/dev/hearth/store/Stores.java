package dev.hearth.store;

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
}
