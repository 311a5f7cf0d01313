package dev.hearth.server.jobs;

import dev.hearth.time.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** The chunks a generator handler has yielded for one job, and how many the client has already read. */
final class StreamBuffer {

    private static final int MAX_CHUNKS = 100_000;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition grown = lock.newCondition();
    private final List<String> chunks = new ArrayList<>();
    private int delivered;
    private boolean closed;
    private volatile long closedAtNanos;
    private final Ticker clock;

    StreamBuffer(Ticker clock) {
        this.clock = clock;
    }

    void add(String chunkJson) {
        lock.lock();
        try {
            if (chunks.size() < MAX_CHUNKS) {
                chunks.add(chunkJson);
            }
            grown.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void close() {
        lock.lock();
        try {
            closed = true;
            closedAtNanos = clock.nanoTime();
            grown.signalAll();
        } finally {
            lock.unlock();
        }
    }

    List<String> all() {
        lock.lock();
        try {
            return List.copyOf(chunks);
        } finally {
            lock.unlock();
        }
    }

    /** Closed, and every chunk handed to the client: the buffer can go. */
    boolean drained() {
        lock.lock();
        try {
            return closed && delivered == chunks.size();
        } finally {
            lock.unlock();
        }
    }

    /** Closed longer ago than {@code age}: a client that never read the rest is not coming back. */
    boolean closedLongerThan(Duration age) {
        long at = closedAtNanos;
        return at != 0 && clock.nanoTime() - at > age.toNanos();
    }

    /** Chunks not yet handed to the client, waiting up to {@code wait} for one while the job runs. */
    List<String> readNew(Duration wait) throws InterruptedException {
        long deadline = clock.nanoTime() + wait.toNanos();
        lock.lock();
        try {
            while (delivered == chunks.size() && !closed) {
                long left = deadline - clock.nanoTime();
                if (left <= 0) {
                    break;
                }
                grown.await(left, TimeUnit.NANOSECONDS);
            }
            List<String> out = List.copyOf(chunks.subList(delivered, chunks.size()));
            delivered = chunks.size();
            return out;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The chunks from index {@code from} on, waiting up to {@code wait} for one while the job runs; for a reader that
     * keeps its own place, so the client's {@link #readNew} reads are not disturbed.
     */
    List<String> readFrom(int from, Duration wait) throws InterruptedException {
        long deadline = clock.nanoTime() + wait.toNanos();
        lock.lock();
        try {
            while (chunks.size() <= from && !closed) {
                long left = deadline - clock.nanoTime();
                if (left <= 0) {
                    break;
                }
                grown.await(left, TimeUnit.NANOSECONDS);
            }
            return from >= chunks.size() ? List.of() : List.copyOf(chunks.subList(from, chunks.size()));
        } finally {
            lock.unlock();
        }
    }
}
