package dev.hearth.server.jobs;

import dev.hearth.time.Ticker;
import java.time.Duration;
import java.util.ArrayDeque;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.TreeSet;
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
 *
 * <p>Waiting long-polls are served by rank, not in arrival order: the worker that was busy most recently first (see
 * {@link #poll(int, Duration, Duration, long, BooleanSupplier)}). Handed out in arrival order, a trickle of jobs after
 * a burst goes round every worker in turn, and none stays idle long enough to be scaled down; by rank, the same
 * few workers serve it and the others reach their idle timeout. The rank is the worker's idle-since time rather than
 * the time of its long-poll, since an idle worker polls again every 20 s and would otherwise rank as fresh.
 */
final class FunctionQueue {

    record Entry(String jobId, boolean lowPriority) {
    }

    private record Delayed(Entry entry, Instant runAfter) {
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private final PriorityQueue<Delayed> delayed = new PriorityQueue<>(Comparator.comparing(Delayed::runAfter));
    /** The waiting long-polls, best first: highest rank, then the earliest to ask. */
    private final TreeSet<Waiter> waiters = new TreeSet<>(Comparator.comparingLong((Waiter w) -> -w.rank)
            .thenComparingLong(w -> w.arrival));
    private final Ticker clock;
    private int lowPriority;
    private long arrivals;

    /** A long-poll waiting for entries; only the best {@code entries.size()} waiters may take. */
    private static final class Waiter {
        private final long rank;
        private final long arrival;
        private final Condition wake;
        private boolean signalled;

        Waiter(long rank, long arrival, Condition wake) {
            this.rank = rank;
            this.arrival = arrival;
            this.wake = wake;
        }
    }

    /** The rank of a worker that has jobs in flight: it is busy now, so it ranks above every idle one. */
    static final long BUSY = Long.MAX_VALUE;

    FunctionQueue(Ticker clock) {
        this.clock = clock;
    }

    /** Waits in the queue, but is not handed out before {@code runAfter}. */
    void addDelayed(Entry entry, Instant runAfter) {
        lock.lock();
        try {
            delayed.add(new Delayed(entry, runAfter));
            lowPriority += entry.lowPriority() ? 1 : 0;
            // a long-poll may be sleeping longer than this entry's delay
            waiters.forEach(w -> w.wake.signal());
        } finally {
            lock.unlock();
        }
    }

    void add(Entry entry) {
        lock.lock();
        try {
            entries.addLast(entry);
            lowPriority += entry.lowPriority() ? 1 : 0;
            signalTheirTurn();
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
            signalTheirTurn();
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
        return poll(max, wait, Duration.ZERO, BUSY, keepWaiting);
    }

    /**
     * Takes up to {@code max} entries, waiting up to {@code wait} for the first one while {@code keepWaiting} holds;
     * once there is one, waits up to {@code fill} more for {@code max} of them (dynamic batching).
     *
     * @param rank who is served first among waiting long-polls: the higher the sooner. The job service passes the
     *             worker's idle-since time in epoch ms ({@link #BUSY} while it has jobs in flight), so the most
     *             recently busy worker gets the next job. A poll that does not wait takes what is there: it comes
     *             from a worker that has just posted its results, the most recently busy of all.
     */
    List<Entry> poll(int max, Duration wait, Duration fill, long rank, BooleanSupplier keepWaiting)
            throws InterruptedException {
        long deadline = clock.nanoTime() + wait.toNanos();
        lock.lock();
        boolean waits = wait.isPositive();
        // one that does not wait comes first while it fills a batch: it is the most recently busy of all
        Waiter me = new Waiter(waits ? rank : BUSY, arrivals++, lock.newCondition());
        waiters.add(me);
        try {
            while (true) {
                promoteDue();
                while (waits ? !myTurn(me) : entries.isEmpty()) {
                    long left = deadline - clock.nanoTime();
                    if (left <= 0 || !keepWaiting.getAsBoolean()) {
                        return List.of();
                    }
                    me.signalled = false;
                    me.wake.awaitNanos(Math.min(Math.min(left, TimeUnit.MILLISECONDS.toNanos(500)), untilDue()));
                    promoteDue();
                }
                if (!fill.isZero() && entries.size() < max) {
                    long fillUntil = clock.nanoTime() + fill.toNanos();
                    while (entries.size() < max && keepWaiting.getAsBoolean()) {
                        long left = fillUntil - clock.nanoTime();
                        if (left <= 0) {
                            break;
                        }
                        me.signalled = false;
                        me.wake.awaitNanos(Math.min(left, untilDue()));
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
            return out;
        } finally {
            waiters.remove(me);
            // entries left over, or a waiter that gave up its place: the next ones in rank may take now
            signalTheirTurn();
            lock.unlock();
        }
    }

    /** Whether entries are there for this poll: one for it and one for every waiter ranked above it. */
    private boolean myTurn(Waiter me) {
        int size = entries.size();
        if (size == 0) {
            return false;
        }
        int above = 0;
        for (Waiter w : waiters) {
            if (w == me) {
                return true;
            }
            if (++above >= size) {
                return false;
            }
        }
        return true;
    }

    /** Wakes the waiters whose turn it is: the best {@code entries.size()} of them, each once. */
    private void signalTheirTurn() {
        int turns = entries.size();
        for (Waiter w : waiters) {
            if (turns-- <= 0) {
                return;
            }
            if (!w.signalled) {
                w.signalled = true;
                w.wake.signal();
            }
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
            waiters.forEach(w -> w.wake.signal());
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

    /** Long-polls waiting now. */
    int waiting() {
        lock.lock();
        try {
            return waiters.size();
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
