package dev.hearth.store.jdbc;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one writer of a store. Callers queue writes and wait; the writer thread takes whatever is queued (up to a
 * batch), runs it in one transaction and commits once, so the cost of a commit (an fsync) is shared by every write in
 * the batch. SQLite allows one writer at a time anyway, so a single thread loses nothing and saves lock hand-offs;
 * PostgreSQL would flush its log once per transaction, which a connection per write made the bottleneck.
 *
 * <p>A write that fails must not take the others of its batch down with it, nor leave half of itself behind: the
 * writer rolls the batch back and runs it again without the failed write. Writes are pure database work, so running
 * one again gives the same result.
 *
 * <p>A full disk is not one write's fault: when a write fails because the database's storage is full (see
 * {@link #failFastWhen}), the whole batch fails at once, the connection is opened again (SQLite leaves its prepared
 * statements unusable after {@code SQLITE_FULL}, so that every later batch failed until a restart), and the next
 * batch is tried as usual: once space is back, writes succeed again by themselves.
 */
public final class GroupCommitWriter {

    /** Opens the writer's connection again after it broke (a database restart); see {@link #reconnectWith}. */
    @FunctionalInterface
    public interface Connector {
        Session open() throws SQLException;
    }

    private static final Logger LOG = Logger.getLogger(GroupCommitWriter.class.getName());
    private static final Pending<?> STOP = new Pending<>(s -> null);

    private Session session;
    private final String begin;
    private final String onClose;
    private Connector connector;
    private Predicate<SQLException> storageFull = e -> false;
    // written by the writer thread only: whether the last batch failed for want of space (logged once per episode)
    private volatile boolean full;
    // the connection must be opened again before the next batch (its reopening failed last time)
    private boolean stale;
    private volatile Work<?> fence;
    private final int maxBatch;
    private final BlockingQueue<Pending<?>> queue;
    private final Thread thread;
    private volatile boolean closing;
    private volatile Throwable died;
    // written by the writer thread only; read by benchmarks and tests
    private volatile long commits;
    private volatile long committedWrites;

    /**
     * @param begin   the statement that opens a write transaction ({@code BEGIN IMMEDIATE} for SQLite), or null for
     *                the driver's own transactions (auto-commit off: PostgreSQL's driver sends its BEGIN along with
     *                the first statement, a round trip less per batch)
     * @param onClose a statement run once at close before the connection is closed (a planner hint), or null
     */
    public GroupCommitWriter(Session session, String begin, String onClose, int maxBatch, int queueCapacity,
                             String threadName) {
        this.session = session;
        this.begin = begin;
        this.onClose = onClose;
        this.maxBatch = maxBatch;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        // a platform thread: it lives in JNI calls, which would pin a virtual thread's carrier anyway
        this.thread = Thread.ofPlatform().name(threadName).daemon().unstarted(this::loop);
    }

    /** Opens a new connection with {@code connector} when a commit fails on one that no longer works. */
    public GroupCommitWriter reconnectWith(Connector connector) {
        this.connector = connector;
        return this;
    }

    /**
     * Says which failures mean that the storage is full: such a failure fails the whole batch at once rather than
     * the one write that met it, and the connection is opened again (with {@link #reconnectWith}) before the next.
     */
    public GroupCommitWriter failFastWhen(Predicate<SQLException> storageIsFull) {
        this.storageFull = storageIsFull;
        return this;
    }

    /** Whether the last batch failed because the storage was full (until a batch commits again). */
    public boolean storageFull() {
        return full;
    }

    /**
     * Runs {@code check} first in every transaction; when it throws, the whole batch fails and nothing of it is
     * written. A leader's store checks there that its term is still current (see {@code LeaderLease}).
     */
    public GroupCommitWriter fence(Work<?> check) {
        this.fence = check;
        return this;
    }

    public void start() {
        thread.start();
    }

    /** Queues {@code work} and waits until the batch holding it is committed (or it failed). */
    public <T> T submit(Work<T> work) throws SQLException {
        return enqueue(work).await();
    }

    /**
     * Queues {@code work} and returns at once; the future completes (on the writer thread: keep what it triggers
     * short) when the batch holding it is committed, or fails.
     */
    public <T> CompletableFuture<T> submitLater(Work<T> work) {
        try {
            return enqueue(work).done;
        } catch (SQLException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private <T> Pending<T> enqueue(Work<T> work) throws SQLException {
        Pending<T> pending = new Pending<>(work);
        try {
            queue.put(pending);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted before the write was queued; nothing was written", e);
        }
        // If close() began meanwhile the writer may already be gone; whoever removes the write from the queue first,
        // the writer or this thread, decides its fate, so it is never left waiting.
        if ((closing || died != null) && queue.remove(pending)) {
            throw died != null ? new SQLException("the store's writer thread has died: " + died, died)
                    : new SQLException("the store is closed");
        }
        return pending;
    }

    /** Transactions committed so far. */
    public long commits() {
        return commits;
    }

    /** Writes committed so far; divided by {@link #commits()} gives the mean batch size. */
    public long committedWrites() {
        return committedWrites;
    }

    /** Commits everything queued so far, then stops the writer thread and closes its connection. */
    public void close() {
        closing = true;
        boolean interrupted = false;
        while (true) {
            try {
                queue.put(STOP);
                thread.join();
                break;
            } catch (InterruptedException e) {
                // the writes already queued are promised; finish them
                interrupted = true;
            }
        }
        if (onClose != null) {
            try {
                session.execute(onClose);
            } catch (SQLException ignored) {
                // only a planner hint for next time
            }
        }
        session.close();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void loop() {
        List<Pending<?>> batch = new ArrayList<>(maxBatch);
        try {
            serve(batch);
        } catch (Throwable e) {
            // commit() handles every failure of a write; this is the last line of defence (say, OutOfMemoryError
            // while queueing), so that no caller waits for a writer that is gone
            died = e;
            batch.remove(STOP);
            queue.drainTo(batch);
            batch.remove(STOP);
            for (Pending<?> p : batch) {
                p.fail(e);
            }
        }
    }

    private void serve(List<Pending<?>> batch) {
        boolean stopping = false;
        int lastBatch = 0;
        while (true) {
            if (!stopping) {
                batch.add(takeUninterruptibly());
            }
            queue.drainTo(batch, maxBatch - batch.size());
            if (batch.size() < maxBatch && lastBatch > 1) {
                // Let the threads that are about to queue writes do so, and commit them together: on a busy machine
                // this took commits per job from 1.4 to 0.9 (and a commit costs as much as a few writes). Only while
                // writes come in a stream (the last commit held several): a lone write, as a caller waiting for its
                // one job makes, would only hand the core away, and on a machine busy with other processes a yield
                // can cost a whole time slice of theirs, in the middle of that caller's round trip.
                Thread.yield();
                queue.drainTo(batch, maxBatch - batch.size());
            }
            lastBatch = batch.size();
            if (batch.remove(STOP)) {
                stopping = true;
            }
            if (batch.isEmpty()) {
                if (stopping) {
                    return;
                }
                continue;
            }
            commit(batch);
            batch.clear();
        }
    }

    private void commit(List<Pending<?>> batch) {
        List<Pending<?>> live = new ArrayList<>(batch);
        Object[] results = new Object[live.size()];
        try {
            if (stale) {
                reconnect();
            }
            while (!live.isEmpty()) {
                int failed = runAll(live, results);
                if (failed < 0) {
                    if (begin == null) {
                        session.connection().commit();
                    } else {
                        exec("COMMIT");
                    }
                    commits++;
                    committedWrites += live.size();
                    if (full) {
                        full = false;
                        LOG.info(threadName() + ": writes succeed again; the storage has room");
                    }
                    for (int i = 0; i < live.size(); i++) {
                        live.get(i).succeed(results[i]);
                    }
                    return;
                }
                if (results[failed] instanceof SQLException se && storageFull.test(se)) {
                    // every other write of the batch would meet the same wall, one retry of the batch each
                    throw se;
                }
                rollbackQuietly();
                live.remove(failed).fail(results[failed] instanceof Throwable t ? t : new IllegalStateException());
            }
        } catch (Throwable e) {
            // BEGIN or COMMIT failed, or the storage is full: nothing of the batch is durable
            rollbackQuietly();
            for (Pending<?> p : live) {
                p.fail(e);
            }
            boolean noRoom = e instanceof SQLException se && storageFull.test(se);
            if (noRoom && !full) {
                LOG.warning(threadName() + ": the storage is full (" + e.getMessage() + "); writes fail until "
                        + "space is freed, then succeed again without a restart");
            }
            full = noRoom;
            reconnectIfBroken(noRoom);
        }
    }

    private String threadName() {
        return thread.getName();
    }

    /**
     * After a failed BEGIN or COMMIT, or a full disk: a broken connection is replaced, so that the next batch can
     * succeed. After a full disk it is replaced even if it answers: SQLite's statements on it are unusable.
     */
    private void reconnectIfBroken(boolean always) {
        if (connector == null || !always && session.isUsable()) {
            return;
        }
        stale = true;
        try {
            reconnect();
        } catch (SQLException | RuntimeException e) {
            // still unreachable (or no room to open it): the next batch tries again first
        }
    }

    private void reconnect() throws SQLException {
        Session fresh = connector.open();
        session.close();
        session = fresh;
        stale = false;
    }

    /** Runs the writes in a new transaction; returns the index of the first that failed (its error in results) or -1. */
    private int runAll(List<Pending<?>> live, Object[] results) throws SQLException {
        if (begin == null) {
            if (session.connection().getAutoCommit()) {
                session.connection().setAutoCommit(false);
            }
        } else {
            exec(begin);
        }
        Work<?> check = fence;
        if (check != null) {
            check.run(session); // throws out of the batch: every write of it fails
        }
        for (int i = 0; i < live.size(); i++) {
            try {
                results[i] = live.get(i).work.run(session);
            } catch (SQLException | RuntimeException e) {
                results[i] = e;
                return i;
            }
        }
        return -1;
    }

    private void exec(String sql) throws SQLException {
        PreparedStatement ps = session.prepare(sql);
        ps.execute();
    }

    private void rollbackQuietly() {
        try {
            if (begin == null) {
                session.connection().rollback();
            } else {
                exec("ROLLBACK");
            }
        } catch (SQLException ignored) {
            // SQLite may already have rolled back on its own (SQLITE_FULL, SQLITE_IOERR); then BEGIN works again;
            // a broken connection is replaced after the batch
        }
    }

    private Pending<?> takeUninterruptibly() {
        while (true) {
            try {
                return queue.take();
            } catch (InterruptedException ignored) {
                // only close() stops the writer, by queueing STOP
            }
        }
    }

    /** A queued write and the caller waiting for it. */
    private static final class Pending<T> {

        private final Work<T> work;
        private final CompletableFuture<T> done = new CompletableFuture<>();

        Pending(Work<T> work) {
            this.work = work;
        }

        @SuppressWarnings("unchecked")
        void succeed(Object result) {
            done.complete((T) result);
        }

        void fail(Throwable error) {
            done.completeExceptionally(error);
        }

        /**
         * Waits for the outcome even if interrupted: the write is queued and will happen, so giving up early would
         * leave the caller not knowing whether it did. The interrupt is kept for the caller to see.
         */
        T await() throws SQLException {
            boolean interrupted = false;
            try {
                while (true) {
                    try {
                        return done.get();
                    } catch (InterruptedException e) {
                        interrupted = true;
                    } catch (ExecutionException e) {
                        throw rethrow(e.getCause());
                    }
                }
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        private static SQLException rethrow(Throwable cause) {
            if (cause instanceof SQLException e) {
                return e;
            }
            if (cause instanceof RuntimeException e) {
                throw e;
            }
            if (cause instanceof Error e) {
                throw e;
            }
            return new SQLException(cause);
        }
    }
}
