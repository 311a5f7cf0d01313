package dev.hearth.server.jobs;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * The in-memory queue of one function's waiting jobs, in front of the durable store: submit appends after the job is
 * stored, workers' long-polls take from the head. Only ids travel here; the job itself lives in the store and the
 * job service's live map.
 */
final class FunctionQueue {

    record Entry(String jobId, boolean lowPriority) {
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition available = lock.newCondition();
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private int lowPriority;

    void add(Entry entry) {
        lock.lock();
        try {
            entries.addLast(entry);
            lowPriority += entry.lowPriority() ? 1 : 0;
            available.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Back to the head: the job has waited longest (a lost lease, a worker that started draining). */
    void addFirst(Entry entry) {
        lock.lock();
        try {
            entries.addFirst(entry);
            lowPriority += entry.lowPriority() ? 1 : 0;
            available.signal();
        } finally {
            lock.unlock();
        }
    }

    boolean remove(String jobId) {
        lock.lock();
        try {
            for (Iterator<Entry> it = entries.iterator(); it.hasNext(); ) {
                Entry e = it.next();
                if (e.jobId().equals(jobId)) {
                    it.remove();
                    lowPriority -= e.lowPriority() ? 1 : 0;
                    return true;
                }
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes up to {@code max} entries, waiting up to {@code wait} for the first one while {@code keepWaiting} holds.
     */
    List<Entry> poll(int max, Duration wait, BooleanSupplier keepWaiting) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        lock.lock();
        try {
            while (entries.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !keepWaiting.getAsBoolean()) {
                    return List.of();
                }
                available.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(500)));
            }
            List<Entry> out = new ArrayList<>(Math.min(max, entries.size()));
            while (out.size() < max && !entries.isEmpty()) {
                Entry e = entries.pollFirst();
                lowPriority -= e.lowPriority() ? 1 : 0;
                out.add(e);
            }
            if (!entries.isEmpty()) {
                available.signal();
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** Wakes every waiting long-poll so that it re-checks whether it should keep waiting. */
    void wakeAll() {
        lock.lock();
        try {
            available.signalAll();
        } finally {
            lock.unlock();
        }
    }

    List<Entry> removeAll() {
        lock.lock();
        try {
            List<Entry> out = new ArrayList<>(entries);
            entries.clear();
            lowPriority = 0;
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** The job at the head, the one that has waited longest, or null. */
    String peekFirst() {
        lock.lock();
        try {
            Entry e = entries.peekFirst();
            return e == null ? null : e.jobId();
        } finally {
            lock.unlock();
        }
    }

    int size() {
        lock.lock();
        try {
            return entries.size();
        } finally {
            lock.unlock();
        }
    }

    int lowPrioritySize() {
        lock.lock();
        try {
            return lowPriority;
        } finally {
            lock.unlock();
        }
    }
}
