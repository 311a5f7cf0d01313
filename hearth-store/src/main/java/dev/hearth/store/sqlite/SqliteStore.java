package dev.hearth.store.sqlite;

import dev.hearth.store.StoreException;
import dev.hearth.store.jdbc.GroupCommitWriter;
import dev.hearth.store.jdbc.JdbcStore;
import dev.hearth.store.jdbc.Schema;
import dev.hearth.store.jdbc.Session;
import dev.hearth.store.jdbc.SessionPool;
import dev.hearth.store.jdbc.Work;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;

/**
 * The embedded default store: one SQLite file, {@code hearth.db}, in the data directory.
 *
 * <p>All writes go through one writer thread that commits whatever is queued in one transaction (group commit), so
 * many concurrent callers share each commit. Reads use a small pool of their own connections; in WAL mode they run
 * alongside the writer and see every write that has returned. A write is durable when its method returns, to the
 * degree {@link Durability} says. Only one process may use a data directory at a time.
 */
public final class SqliteStore extends JdbcStore {

    private static final String DB_FILE = "hearth.db";
    private static final String LOCK_FILE = "hearth.db.lock";
    private static final int MAX_BATCH = 512;
    private static final int QUEUE_CAPACITY = 4 * MAX_BATCH;
    private static final int READERS = 4;
    private static final int BUSY_TIMEOUT_MS = 10_000;
    private static final int SQLITE_FULL = 13;
    private static final Set<Path> LOCKED_DIRS = ConcurrentHashMap.newKeySet();

    private final DirLock lock;
    private final GroupCommitWriter writer;
    private final SessionPool readers;
    /*
     * Listings and counts from virtual threads run here instead: a JNI call pins its virtual thread's carrier, and a
     * long query would stall every virtual thread sharing that carrier. Point lookups stay on the caller's thread:
     * they take microseconds, and the hand-off measured 40% fewer lookups/s.
     */
    private final ExecutorService readThreads;

    private SqliteStore(Path db, DirLock lock, GroupCommitWriter writer) {
        super("SQLite store " + db);
        this.lock = lock;
        this.writer = writer;
        this.readers = new SessionPool(READERS, () -> openReader(db));
        this.readThreads = Executors.newFixedThreadPool(READERS,
                Thread.ofPlatform().name("hearth-sqlite-reader-", 1).daemon().factory());
    }

    /** Opens (creating if needed) {@code dataDir/hearth.db} with {@link Durability#NORMAL}. */
    public static SqliteStore open(Path dataDir) {
        return open(dataDir, Durability.NORMAL);
    }

    /**
     * Opens (creating if needed) {@code dataDir/hearth.db} and brings its schema up to date.
     *
     * @throws StoreException if the directory cannot be used, another process has it open, or the database was
     *                        written by a newer Hearth
     */
    public static SqliteStore open(Path dataDir, Durability durability) {
        Objects.requireNonNull(durability, "durability");
        DirLock lock = lock(dataDir);
        Path db = lock.dir().resolve(DB_FILE);
        Session session = null;
        try {
            session = openWriter(db, durability);
            migrate(session, db);
            GroupCommitWriter writer = new GroupCommitWriter(session, "BEGIN IMMEDIATE", "PRAGMA optimize", MAX_BATCH,
                    QUEUE_CAPACITY, "hearth-sqlite-writer").reconnectWith(() -> openWriter(db, durability))
                    .failFastWhen(SqliteStore::isFull);
            SqliteStore store = new SqliteStore(db, lock, writer);
            writer.start();
            return store;
        } catch (SQLException | RuntimeException e) {
            if (session != null) {
                session.close();
            }
            lock.release();
            if (e instanceof StoreException se) {
                throw se;
            }
            throw new StoreException("could not open SQLite store " + db + ": " + e.getMessage(), e);
        }
    }

    /** The mean number of writes per commit so far, to see group commit at work. */
    double meanBatchSize() {
        long commits = writer.commits();
        return commits == 0 ? 0 : (double) writer.committedWrites() / commits;
    }

    @Override
    protected <T> T runRead(Work<T> work, boolean pointLookup) throws SQLException {
        if (pointLookup || !Thread.currentThread().isVirtual()) {
            return readers.run(work);
        }
        Future<T> result;
        try {
            result = readThreads.submit(() -> readers.run(work));
        } catch (RejectedExecutionException e) {
            throw new SQLException("the store is closed", e);
        }
        try {
            return result.get();
        } catch (InterruptedException e) {
            result.cancel(false);
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while reading", e);
        } catch (ExecutionException e) {
            switch (e.getCause()) {
                case SQLException sql -> throw sql;
                case RuntimeException re -> throw re;
                case Error error -> throw error;
                default -> throw new SQLException(e.getCause());
            }
        }
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
        return isFull(e);
    }

    /** SQLite's {@code SQLITE_FULL}: the disk (or the file system's quota) has no room for the write. */
    private static boolean isFull(SQLException e) {
        return e.getErrorCode() == SQLITE_FULL || e instanceof org.sqlite.SQLiteException se
                && se.getResultCode() == org.sqlite.SQLiteErrorCode.SQLITE_FULL;
    }

    @Override
    protected void shutdown() {
        try {
            writer.close();
            readThreads.shutdown();
            readers.close();
        } finally {
            lock.release();
        }
    }

    /** Keeps a second Hearth from writing the same database: two writers would only fight over SQLite's lock. */
    private static DirLock lock(Path dataDir) {
        Path dir;
        try {
            Files.createDirectories(dataDir);
            dir = dataDir.toRealPath();
        } catch (IOException e) {
            throw new StoreException("cannot use data directory " + dataDir + ": " + e.getMessage(), e);
        }
        // Checked before touching the lock file: closing a second channel on it would drop this process's OS lock.
        if (!LOCKED_DIRS.add(dir)) {
            throw inUse(dir, "by another store of this process");
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            if (channel.tryLock() != null) {
                return new DirLock(dir, channel);
            }
            throw inUse(dir, "by another process");
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            LOCKED_DIRS.remove(dir);
            if (e instanceof StoreException se) {
                throw se;
            }
            throw new StoreException("cannot lock data directory " + dir + ": " + e.getMessage(), e);
        }
    }

    private static StoreException inUse(Path dir, String byWhom) {
        return new StoreException("data directory " + dir + " is in use " + byWhom + " (" + dir.resolve(LOCK_FILE)
                + " is locked); stop that Hearth first or choose another directory");
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing releases the lock; nothing more to do
            }
        }
    }

    /** The OS lock on a data directory's lock file, held for the life of the store. */
    private record DirLock(Path dir, FileChannel channel) {
        void release() {
            closeQuietly(channel);
            LOCKED_DIRS.remove(dir);
        }
    }

    private static Session openWriter(Path db, Durability durability) throws SQLException {
        Session session = new Session(connect(db));
        try {
            String mode = pragma(session.connection(), "PRAGMA journal_mode = WAL");
            if (!"wal".equalsIgnoreCase(mode)) {
                throw new StoreException("SQLite store " + db + " could not switch to WAL mode (it reports '" + mode
                        + "'); is the data directory on a network file system?");
            }
            session.execute("PRAGMA synchronous = " + durability.name());
            // bounds the WAL file that a burst of writes leaves behind after the next checkpoint
            session.execute("PRAGMA journal_size_limit = " + (64L << 20));
            session.execute("PRAGMA cache_size = -16000");
            // Checkpoints run on the writer thread and fsync; every 16 MB of WAL instead of SQLite's 4 MB measured
            // 15-25% more writes/s, and hot pages are copied back once instead of several times.
            session.execute("PRAGMA wal_autocheckpoint = 4000");
            return session;
        } catch (SQLException | RuntimeException e) {
            session.close();
            throw e;
        }
    }

    private static Session openReader(Path db) throws SQLException {
        Session session = new Session(connect(db));
        try {
            session.execute("PRAGMA query_only = 1");
            return session;
        } catch (SQLException e) {
            session.close();
            throw e;
        }
    }

    private static Connection connect(Path db) throws SQLException {
        java.util.Properties props = new java.util.Properties();
        // No generated keys are ever read; asking for them makes the driver match each statement with a regex.
        props.setProperty("jdbc.get_generated_keys", "false");
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + db, props);
        try (Statement st = c.createStatement()) {
            st.execute("PRAGMA busy_timeout = " + BUSY_TIMEOUT_MS);
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return c;
    }

    private static void migrate(Session session, Path db) throws SQLException {
        session.execute("BEGIN IMMEDIATE");
        try {
            Schema.migrate(session, "SQLite store " + db);
            session.execute("COMMIT");
        } catch (SQLException | RuntimeException e) {
            session.execute("ROLLBACK");
            throw e;
        }
    }

    private static String pragma(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
