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
            )"""),
            List.of(
            // releases: one row per deploy, canary, promote or rollback; a function's current release is its last
            """
            CREATE TABLE function_releases (
              name TEXT NOT NULL,
              seq INTEGER NOT NULL,
              active_version INTEGER NOT NULL,
              canary_version INTEGER,
              canary_percent INTEGER,
              released_at BIGINT NOT NULL,
              PRIMARY KEY (name, seq)
            )"""),
            // metering and budgets
            List.of(
            """
            CREATE TABLE usage_intervals (
              worker_id TEXT NOT NULL,
              function_name TEXT NOT NULL,
              version INTEGER NOT NULL,
              node TEXT NOT NULL,
              gpu_type TEXT,
              gpu_count INTEGER NOT NULL,
              cpu_cores DOUBLE PRECISION NOT NULL,
              tier TEXT NOT NULL,
              kind TEXT NOT NULL,
              started_at BIGINT NOT NULL,
              ended_at BIGINT NOT NULL,
              cost_nanos BIGINT NOT NULL
            )""",
            "CREATE INDEX usage_by_end ON usage_intervals (ended_at)",
            "CREATE INDEX usage_by_function ON usage_intervals (function_name, ended_at)",
            """
            CREATE TABLE job_costs (
              job_id TEXT NOT NULL,
              attempt INTEGER NOT NULL,
              function_name TEXT NOT NULL,
              version INTEGER NOT NULL,
              worker_id TEXT NOT NULL,
              gpu_type TEXT,
              gpu_count INTEGER NOT NULL,
              cpu_cores DOUBLE PRECISION NOT NULL,
              tier TEXT NOT NULL,
              started_at BIGINT NOT NULL,
              ended_at BIGINT NOT NULL,
              cost_nanos BIGINT NOT NULL,
              PRIMARY KEY (job_id, started_at)
            )""",
            "CREATE INDEX job_costs_by_end ON job_costs (ended_at)",
            "CREATE INDEX job_costs_by_function ON job_costs (function_name, ended_at)",
            """
            CREATE TABLE budgets (
              scope TEXT NOT NULL,
              period TEXT NOT NULL,
              limit_nanos BIGINT NOT NULL,
              soft_nanos BIGINT,
              webhook TEXT,
              PRIMARY KEY (scope, period)
            )"""),
            // job timelines (see JobEventRows)
            List.of("""
            CREATE TABLE job_events (
              job_id TEXT NOT NULL,
              seq BIGINT NOT NULL,
              at BIGINT NOT NULL,
              type TEXT NOT NULL,
              attempt INTEGER NOT NULL,
              worker_id TEXT,
              node TEXT,
              version INTEGER,
              cold_start BOOLEAN,
              init_time_ms BIGINT,
              log_offset BIGINT,
              detail TEXT
            )""",
            "CREATE INDEX job_events_by_job ON job_events (job_id, at, seq)"),
            // Partial: most jobs have no idempotency key, and each such job was one more index entry to write.
            List.of("DROP INDEX jobs_by_idempotency_key",
            "CREATE UNIQUE INDEX jobs_by_idempotency_key ON jobs (function_name, idempotency_key)"
                    + " WHERE idempotency_key IS NOT NULL"),
            // the audit log: every management action, append-only (see AuditRows)
            List.of("""
            CREATE TABLE audit_log (
              id TEXT PRIMARY KEY,
              at BIGINT NOT NULL,
              key_name TEXT NOT NULL,
              action TEXT NOT NULL,
              function_name TEXT,
              target TEXT,
              change TEXT,
              address TEXT,
              status INTEGER NOT NULL,
              outcome TEXT NOT NULL
            )""",
            "CREATE INDEX audit_log_by_time ON audit_log (at)"),
            // schema 8, secrets: values sealed by the server (AES-256-GCM), keys in the clear to be listed
            List.of("""
            CREATE TABLE secrets (
              name TEXT PRIMARY KEY,
              key_names TEXT NOT NULL,
              sealed TEXT NOT NULL,
              updated_at BIGINT NOT NULL
            )"""),
            // schema 9, alerts: rules (their condition as text, read back by AlertCondition.parse), and each firing
            // and resolution with where its notification stands (see AlertRows)
            List.of("""
            CREATE TABLE alert_rules (
              name TEXT PRIMARY KEY,
              function_name TEXT,
              condition TEXT NOT NULL,
              webhook TEXT,
              format TEXT,
              routing_key TEXT,
              created_at BIGINT NOT NULL
            )""", """
            CREATE TABLE alert_events (
              id TEXT PRIMARY KEY,
              rule_name TEXT NOT NULL,
              function_name TEXT,
              at BIGINT NOT NULL,
              state TEXT NOT NULL,
              value DOUBLE PRECISION,
              summary TEXT NOT NULL,
              notification TEXT NOT NULL
            )""",
            "CREATE INDEX alert_events_by_rule ON alert_events (rule_name, at)"),
            // schema 10, bundles: code bundles in the database, so that every control-plane node sharing a
            // PostgreSQL store can unpack any version's code (SQLite keeps them in its data directory)
            List.of("""
            CREATE TABLE bundles (
              sha256 TEXT PRIMARY KEY,
              zip BYTEA NOT NULL
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
        return migrate(session, store, LATEST);
    }

    /** Brings the schema to {@code target}: {@link #LATEST}, or an older version to test migrations from it. */
    public static int migrate(Session session, String store, int target) throws SQLException {
        session.execute("CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)");
        int found = currentVersion(session, store);
        if (found > LATEST) {
            throw new StoreException(store + " has schema version " + found + " but this Hearth knows only up to "
                    + LATEST + "; it was written by a newer Hearth, run that one (or newer)");
        }
        for (int v = found; v < target; v++) {
            for (String ddl : MIGRATIONS.get(v)) {
                session.execute(ddl);
            }
        }
        if (found < target) {
            SettingRows.put(session, VERSION_KEY, Integer.toString(target));
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
