package dev.hearth.store.jdbc;

import java.sql.SQLException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;

/**
 * A small fixed-size pool of sessions, opened on first need. Waiting for a free session parks the caller (cheap for
 * virtual threads). A session whose work failed and whose connection no longer answers is dropped and replaced later.
 */
public final class SessionPool implements AutoCloseable {

    /** Opens and configures one new session. */
    @FunctionalInterface
    public interface Opener {
        Session open() throws SQLException;
    }

    private final Opener opener;
    private final Semaphore permits;
    private final ConcurrentLinkedQueue<Session> idle = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;

    public SessionPool(int size, Opener opener) {
        if (size < 1) {
            throw new IllegalArgumentException("pool size must be at least 1, got " + size);
        }
        this.opener = opener;
        this.permits = new Semaphore(size);
    }

    /** Runs {@code work} on a session of the pool, in auto-commit mode. */
    public <T> T run(Work<T> work) throws SQLException {
        try {
            permits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while waiting for a database connection; nothing was done", e);
        }
        Session session = null;
        boolean healthy = true;
        try {
            if (closed) {
                throw new SQLException("the connection pool is closed");
            }
            session = idle.poll();
            if (session == null) {
                session = opener.open();
            }
            return work.run(session);
        } catch (SQLException e) {
            healthy = session != null && session.isUsable();
            throw e;
        } finally {
            if (session != null) {
                giveBack(session, healthy);
            }
            permits.release();
        }
    }

    private void giveBack(Session session, boolean healthy) {
        if (!healthy || closed) {
            session.close();
            return;
        }
        idle.offer(session);
        if (closed) {
            // close() may have emptied the queue just before the offer
            closeIdle();
        }
    }

    @Override
    public void close() {
        closed = true;
        closeIdle();
    }

    private void closeIdle() {
        for (Session s = idle.poll(); s != null; s = idle.poll()) {
            s.close();
        }
    }
}
