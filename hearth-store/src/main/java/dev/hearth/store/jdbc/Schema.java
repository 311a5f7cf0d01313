package dev.hearth.store.jdbc;

import dev.hearth.store.StoreException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * The tables of a Hearth store and their migrations. The DDL is the common subset of SQLite and PostgreSQL, so both
 * stores run the very same statements. The version lives in the settings table as {@value #VERSION_KEY}.
 */
public final class Schema {

    public static final String VERSION_KEY = "schema_version";

    /** Migration {@code i} brings the schema from version {@code i} to {@code i + 1}. Append; never edit. */
    private static final List<List<String>> MIGRATIONS = List.of(List.of(
            """
            CREATE TABLE jobs (
              id TEXT PRIMARY KEY,
              function_name TEXT NOT NULL,
              version INTEGER NOT NULL,
              state TEXT NOT NULL,
              input TEXT NOT NULL,
              output TEXT,
              error TEXT,
              webhook TEXT,
              execution_timeout_ms BIGINT NOT NULL,
              ttl_ms BIGINT NOT NULL,
              low_priority BOOLEAN NOT NULL,
              attempts INTEGER NOT NULL,
              max_retries INTEGER NOT NULL,
              worker_id TEXT,
              lease_expires_at BIGINT,
              queued_at BIGINT NOT NULL,
              placed_at BIGINT,
              finished_at BIGINT,
              cold_start BOOLEAN NOT NULL,
              init_time_ms BIGINT NOT NULL,
              revision BIGINT NOT NULL
            )""",
            "CREATE INDEX jobs_by_state ON jobs (state, queued_at)",
            "CREATE INDEX jobs_by_function ON jobs (function_name, queued_at DESC)",
            // partial: running and queued jobs (the ones written most) never touch it
            "CREATE INDEX jobs_by_finish ON jobs (finished_at) WHERE finished_at IS NOT NULL",
            """
            CREATE TABLE function_versions (
              name TEXT NOT NULL,
              version INTEGER NOT NULL,
              manifest_yaml TEXT NOT NULL,
              bundle_sha256 TEXT,
              deployed_at BIGINT NOT NULL,
              PRIMARY KEY (name, version)
            )"""),
            // job features: retry backoff, idempotent submit, webhook delivery status
            List.of(
            "ALTER TABLE jobs ADD COLUMN run_after BIGINT",
            "ALTER TABLE jobs ADD COLUMN idempotency_key TEXT",
            "ALTER TABLE jobs ADD COLUMN request_sha256 TEXT",
            // NULLs are distinct in a unique index (SQLite and PostgreSQL): jobs without a key never collide
            "CREATE UNIQUE INDEX jobs_by_idempotency_key ON jobs (function_name, idempotency_key)",
            """
            CREATE TABLE webhook_deliveries (
              job_id TEXT PRIMARY KEY,
              webhook_id TEXT NOT NULL,
              url TEXT NOT NULL,
              state TEXT NOT NULL,
              attempts INTEGER NOT NULL,
              last_status INTEGER,
              last_error TEXT,
              next_attempt_at BIGINT,
              updated_at BIGINT NOT NULL
            )"""));

    /** The schema version this code writes. */
    public static final int LATEST = MIGRATIONS.size();

    private Schema() {
    }

    /**
     * Brings the schema to {@link #LATEST}. The caller runs this in a transaction that keeps other migrators out
     * (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory lock).
     *
     * @param store names the store in error messages
     * @return the version found before migrating (0 for a new database)
     */
    public static int migrate(Session session, String store) throws SQLException {
        session.execute("CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)");
        int found = currentVersion(session, store);
        if (found > LATEST) {
            throw new StoreException(store + " has schema version " + found + " but this Hearth knows only up to "
                    + LATEST + "; it was written by a newer Hearth, run that one (or newer)");
        }
        for (int v = found; v < LATEST; v++) {
            for (String ddl : MIGRATIONS.get(v)) {
                session.execute(ddl);
            }
        }
        if (found != LATEST) {
            SettingRows.put(session, VERSION_KEY, Integer.toString(LATEST));
        }
        return found;
    }

    private static int currentVersion(Session session, String store) throws SQLException {
        PreparedStatement ps = session.prepare("SELECT value FROM settings WHERE name = ?");
        ps.setString(1, VERSION_KEY);
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return 0;
            }
            String value = rs.getString(1);
            try {
                return Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new StoreException(store + " has a corrupt " + VERSION_KEY + " setting: '" + value + "'");
            }
        }
    }
}
