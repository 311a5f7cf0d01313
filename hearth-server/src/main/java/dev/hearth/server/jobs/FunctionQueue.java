package dev.hearth.server.jobs;

import java.time.Duration;
import java.util.ArrayDeque;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.PriorityQueue;
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
 *
 * <p>Jobs waiting out a retry backoff sit apart, ordered by the time they may run, and join the head of the queue
 * when that time comes; a long-poll sleeps until then rather than checking in a loop.
 */
final class FunctionQueue {

    record Entry(String jobId, boolean lowPriority) {
    }

    private record Delayed(Entry entry, Instant runAfter) {
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition available = lock.newCondition();
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private final PriorityQueue<Delayed> delayed = new PriorityQueue<>(Comparator.comparing(Delayed::runAfter));
    private final InstantSource clock;
    private int lowPriority;

    FunctionQueue(InstantSource clock) {
        this.clock = clock;
    }

    /** Waits in the queue, but is not handed out before {@code runAfter}. */
    void addDelayed(Entry entry, Instant runAfter) {
        lock.lock();
        try {
            delayed.add(new Delayed(entry, runAfter));
            lowPriority += entry.lowPriority() ? 1 : 0;
            // a long-poll may be sleeping longer than this entry's delay
            available.signalAll();
        } finally {
            lock.unlock();
        }
    }

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
            for (Iterator<Delayed> it = delayed.iterator(); it.hasNext(); ) {
                Entry e = it.next().entry();
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
        return poll(max, wait, Duration.ZERO, keepWaiting);
    }

    /**
     * Takes up to {@code max} entries, waiting up to {@code wait} for the first one while {@code keepWaiting} holds;
     * once there is one, waits up to {@code fill} more for {@code max} of them (dynamic batching).
     */
    List<Entry> poll(int max, Duration wait, Duration fill, BooleanSupplier keepWaiting) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        lock.lock();
        try {
            while (true) {
                promoteDue();
                while (entries.isEmpty()) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0 || !keepWaiting.getAsBoolean()) {
                        return List.of();
                    }
                    available.awaitNanos(Math.min(Math.min(left, TimeUnit.MILLISECONDS.toNanos(500)), untilDue()));
                    promoteDue();
                }
                if (!fill.isZero() && entries.size() < max) {
                    long fillUntil = System.nanoTime() + fill.toNanos();
                    while (entries.size() < max && keepWaiting.getAsBoolean()) {
                        long left = fillUntil - System.nanoTime();
                        if (left <= 0) {
                            break;
                        }
                        available.awaitNanos(Math.min(left, untilDue()));
                        promoteDue();
                    }
                    if (entries.isEmpty()) {
                        continue; // another long-poll took them meanwhile: wait for the next
                    }
                }
                break;
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

    /** Moves entries whose backoff is over to the head of the queue (they have waited longest). */
    private void promoteDue() {
        if (delayed.isEmpty()) {
            return;
        }
        Instant now = clock.instant();
        List<Entry> due = new ArrayList<>();
        while (!delayed.isEmpty() && !delayed.peek().runAfter().isAfter(now)) {
            due.add(delayed.poll().entry());
        }
        due.reversed().forEach(entries::addFirst);
    }

    /** Nanoseconds until the next delayed entry is due (at least 1 ms), or a long time when none is waiting. */
    private long untilDue() {
        Delayed next = delayed.peek();
        if (next == null) {
            return Long.MAX_VALUE;
        }
        long nanos = Duration.between(clock.instant(), next.runAfter()).toNanos();
        return Math.max(TimeUnit.MILLISECONDS.toNanos(1), nanos);
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
            delayed.stream().sorted(Comparator.comparing(Delayed::runAfter)).forEach(d -> out.add(d.entry()));
            entries.clear();
            delayed.clear();
            lowPriority = 0;
            return out;
        } finally {
            lock.unlock();
        }
    }

    int size() {
        lock.lock();
        try {
            return entries.size() + delayed.size();
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
