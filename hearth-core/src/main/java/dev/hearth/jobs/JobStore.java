package dev.hearth.jobs;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The durable home of jobs: the port that the embedded SQLite store and the PostgreSQL store implement.
 *
 * <p>Every write is durable when the method returns; callers acknowledge work only after that. Implementations may
 * group concurrent writes into one transaction (group commit), which is why the API has no transactions of its own.
 * Updates are compare-and-set on {@link Job#revision()}, so several control-plane nodes can share one store.
 */
public interface JobStore extends AutoCloseable {

    /** Stores a new job. */
    void insert(Job job);

    /**
     * Stores a new job that holds an idempotency key, unless a job of the same function already holds that key: then
     * nothing is written and that job is returned. Atomic, so concurrent submits with one key make one job. A key is
     * released when its job is deleted (retention, TTL).
     */
    IdempotencyKey.Claim insert(Job job, IdempotencyKey key);

    /**
     * Replaces the stored job whose revision is {@code next.revision() - 1} with {@code next}.
     *
     * @return false if the stored job has another revision (someone else changed it) or is gone
     */
    boolean update(Job next);

    /** Applies several updates in one durable write; returns, per job, whether it applied. */
    default List<Boolean> updateAll(List<Job> next) {
        return next.stream().map(this::update).toList();
    }

    /**
     * Applies several updates like {@link #updateAll}, but may return before they are durable: for changes whose loss
     * in a crash loses nothing, such as a lease (after a restart every in-progress job goes back to the queue anyway).
     * Writes made later through this store apply after these, so a later change of the same job never overtakes them.
     *
     * @return per job, whether it applied, once known; completes exceptionally if the write failed
     */
    default CompletableFuture<List<Boolean>> updateAllLater(List<Job> next) {
        try {
            return CompletableFuture.completedFuture(updateAll(next));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    Optional<Job> find(String id);

    /** Jobs in the given states, oldest first, for recovery after a restart and for listings. */
    List<Job> findByStates(Collection<JobState> states);

    /** The newest jobs of one function, newest first, optionally restricted to some states (empty = all). */
    default List<Job> findByFunction(String function, Set<JobState> states, int limit) {
        return search(JobSearch.ofFunction(function, states, limit));
    }

    /** The jobs a listing asks for (function, states, submission time), newest first, at most its limit. */
    List<Job> search(JobSearch search);

    /** Number of jobs per state for one function. */
    Map<JobState, Long> countByState(String function);

    /**
     * The timings of one function's jobs that finished at or after {@code since}, newest first, at most
     * {@code limit}: for latency statistics, without reading inputs and outputs.
     */
    List<JobTiming> finishedSince(String function, Instant since, int limit);

    /** Removes one job (TTL expiry, purge-queue). */
    boolean delete(String id);

    /** Removes final jobs that finished before the cutoff (result retention). */
    int deleteFinishedBefore(Instant cutoff);

    /** How many final jobs finished before the cutoff, by function and state: what a retention pass removes. */
    Map<String, Map<JobState, Long>> countFinishedBefore(Instant cutoff);

    @Override
    void close();
}
