package dev.hearth.server.jobs;

import dev.hearth.server.releases.Lane;
import dev.hearth.time.Ticker;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * A function's waiting jobs, one {@link FunctionQueue} per released version (lane): an entry goes to the lane of the
 * version its job was assigned, decided when it is added, and {@link #relane} moves entries when the release changes.
 * A worker polls only its own version's lane. Without a canary every entry is in the stable lane.
 */
final class LanedQueue {

    private final Function<String, Lane> laneOfJob;
    private final Map<Lane, FunctionQueue> lanes = new EnumMap<>(Lane.class);
    // adds share it, a re-lane holds it alone: no add can decide on the old release and land after the re-lane
    private final ReadWriteLock relaning = new ReentrantReadWriteLock();

    /** @param laneOfJob the lane of a job id, read when its entry is added or the queue re-laned */
    LanedQueue(Ticker clock, Function<String, Lane> laneOfJob) {
        this.laneOfJob = laneOfJob;
        for (Lane l : Lane.values()) {
            lanes.put(l, new FunctionQueue(clock));
        }
    }

    /** Waits in its lane, but is not handed out before {@code runAfter} (a retry's backoff). */
    void addDelayed(FunctionQueue.Entry entry, Instant runAfter) {
        relaning.readLock().lock();
        try {
            lanes.get(laneOfJob.apply(entry.jobId())).addDelayed(entry, runAfter);
        } finally {
            relaning.readLock().unlock();
        }
    }

    void add(FunctionQueue.Entry entry) {
        relaning.readLock().lock();
        try {
            lanes.get(laneOfJob.apply(entry.jobId())).add(entry);
        } finally {
            relaning.readLock().unlock();
        }
    }

    /** Back to the head of its lane: the job has waited longest (a lost lease, a worker that started draining). */
    void addFirst(FunctionQueue.Entry entry) {
        relaning.readLock().lock();
        try {
            lanes.get(laneOfJob.apply(entry.jobId())).addFirst(entry);
        } finally {
            relaning.readLock().unlock();
        }
    }

    boolean remove(String jobId) {
        for (FunctionQueue q : lanes.values()) {
            if (q.remove(jobId)) {
                return true;
            }
        }
        return false;
    }

    /** A worker's long-poll on its lane; see {@link FunctionQueue#poll}. */
    List<FunctionQueue.Entry> poll(int max, Duration wait, Duration fill, long rank, Lane lane,
                                   BooleanSupplier keepWaiting) throws InterruptedException {
        return lanes.get(lane).poll(max, wait, fill, rank, keepWaiting);
    }

    /**
     * After a release change: moves the entries whose job now belongs to the other lane (a promoted or cancelled
     * canary's jobs go to the stable lane, behind its entries), then wakes every long-poll so that workers re-check
     * which lane they serve.
     */
    void relane() {
        relaning.writeLock().lock();
        try {
            for (Lane from : Lane.values()) {
                FunctionQueue q = lanes.get(from);
                List<FunctionQueue.Entry> all = q.removeAll();
                List<FunctionQueue.Entry> stay = new ArrayList<>(all.size());
                for (FunctionQueue.Entry e : all) {
                    Lane to = laneOfJob.apply(e.jobId());
                    if (to == from) {
                        stay.add(e);
                    } else {
                        lanes.get(to).add(e);
                    }
                }
                // back in front of anything a long-poll could not have taken meanwhile (adds wait for the lock)
                stay.reversed().forEach(q::addFirst);
            }
        } finally {
            relaning.writeLock().unlock();
        }
        wakeAll();
    }

    /** The job at the head of each lane's queue (the ones that have waited longest). */
    java.util.List<String> heads() {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (FunctionQueue q : lanes.values()) {
            String id = q.peekFirst();
            if (id != null) {
                out.add(id);
            }
        }
        return out;
    }

    void wakeAll() {
        lanes.values().forEach(FunctionQueue::wakeAll);
    }

    List<FunctionQueue.Entry> removeAll() {
        List<FunctionQueue.Entry> out = new ArrayList<>();
        lanes.values().forEach(q -> out.addAll(q.removeAll()));
        return out;
    }

    int size() {
        return lanes.values().stream().mapToInt(FunctionQueue::size).sum();
    }

    int lowPrioritySize() {
        return lanes.values().stream().mapToInt(FunctionQueue::lowPrioritySize).sum();
    }

    int size(Lane lane) {
        return lanes.get(lane).size();
    }

    int lowPrioritySize(Lane lane) {
        return lanes.get(lane).lowPrioritySize();
    }
}
