package dev.hearth.bench;

import java.util.concurrent.Callable;

/**
 * Holds submissions back while {@code limit} submitted jobs are not yet completed, so that a load generator keeps the
 * system saturated (the queue never runs dry) without spending the machine's CPU on submitting far ahead of what it
 * completes. Completions are polled from the server every 20 ms (at 5,000 jobs/s, 100 jobs:
 * far fewer than are kept waiting); polling every 5 ms took a third of the throughput it measured.
 */
final class Backlog implements AutoCloseable {

    private final int limit;
    private final Callable<Long> completed;
    private final Thread poller;
    private long done;
    private Exception failure;
    private volatile boolean closed;

    /** @param completed how many of the jobs submitted through this backlog have completed (read from the server) */
    Backlog(int limit, Callable<Long> completed) {
        this.limit = limit;
        this.completed = completed;
        this.poller = Thread.ofVirtual().name("backlog-poller").start(this::poll);
    }

    /** Waits until job {@code index} (counted from 0) may be submitted; fails if the count cannot be read. */
    void awaitRoom(int index) throws InterruptedException {
        synchronized (this) {
            while (index - done >= limit && failure == null) {
                wait();
            }
            if (failure != null) {
                throw new IllegalStateException("could not read the completed count", failure);
            }
        }
    }

    private void poll() {
        while (!closed) {
            try {
                long c = completed.call();
                synchronized (this) {
                    done = c;
                    notifyAll();
                }
                Thread.sleep(20);
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                // the submitters would otherwise wait for a count that never comes
                synchronized (this) {
                    failure = e;
                    notifyAll();
                }
                return;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        poller.interrupt();
    }
}
