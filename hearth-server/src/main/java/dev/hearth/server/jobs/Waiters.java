package dev.hearth.server.jobs;

import dev.hearth.jobs.Job;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * What clients wait on and read while a job runs: its latest progress update, the chunks a generator yields, and the
 * futures of {@code runsync}/{@code status-sync} waiters completed when the job ends.
 */
final class Waiters {

    private static final Duration UNREAD_STREAM_RETENTION = Duration.ofMinutes(10);

    private final JobTable table;
    private final ConcurrentHashMap<String, String> progress = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, StreamBuffer> streams = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, CompletableFuture<Job>> finals = new ConcurrentHashMap<>();

    Waiters(JobTable table) {
        this.table = table;
    }

    /** The latest progress update of a running job, or null. */
    String progress(String jobId) {
        return progress.get(jobId);
    }

    void progressed(String jobId, String output) {
        progress.put(jobId, output);
    }

    /** Waits up to {@code wait} for the job to reach a final state, then returns it as {@code get} reads it. */
    Job awaitFinal(String id, Supplier<Job> get, Duration wait) {
        Job now = get.get();
        if (now.state().isFinal()) {
            return now;
        }
        CompletableFuture<Job> f = finals.computeIfAbsent(id, k -> new CompletableFuture<>());
        now = get.get();
        if (now.state().isFinal()) {
            return now;
        }
        try {
            Job done = f.get(wait.toMillis(), TimeUnit.MILLISECONDS);
            return done != null && done.state().isFinal() ? done : get.get();
        } catch (TimeoutException e) {
            return get.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return get.get();
        } catch (ExecutionException e) {
            return get.get();
        }
    }

    /** The chunks a streaming job yielded since the last read, waiting briefly for new ones while it runs. */
    List<String> readStream(Job job, Duration wait) {
        String id = job.id();
        StreamBuffer buf = streams.get(id);
        if (buf == null) {
            if (job.state().isFinal()) {
                return List.of();
            }
            buf = streams.computeIfAbsent(id, k -> new StreamBuffer(table.clock));
            if (table.find(id).map(j -> j.state().isFinal()).orElse(true)) {
                // it ended between the two looks: finished() had no buffer to close, so this read would wait in
                // vain, and a buffer never closed is never reaped
                buf.close();
            }
        }
        try {
            List<String> chunks = buf.readNew(wait);
            if (buf.drained()) {
                streams.remove(id, buf);
            }
            return chunks;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    /** The chunks a running generator has yielded so far, without taking them from any reader; empty when none. */
    List<String> streamed(String id) {
        StreamBuffer buf = streams.get(id);
        return buf == null ? List.of() : buf.all();
    }

    /** See {@link JobService#readStreamFrom}. */
    Optional<List<String>> readStreamFrom(Job job, int from, Duration wait) {
        String id = job.id();
        StreamBuffer buf = streams.get(id);
        if (buf == null) {
            if (job.state().isFinal()) {
                return Optional.empty();
            }
            buf = streams.computeIfAbsent(id, k -> new StreamBuffer(table.clock));
            if (table.find(id).map(j -> j.state().isFinal()).orElse(true)) {
                buf.close(); // as in readStream: it ended between the two looks
            }
        }
        try {
            return Optional.of(buf.readFrom(from, wait));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of(List.of());
        }
    }

    void chunk(String jobId, String chunkJson) {
        streams.computeIfAbsent(jobId, k -> new StreamBuffer(table.clock)).add(chunkJson);
    }

    /** A generator's chunks become its output when the final post carries none. */
    String finalOutput(String jobId, WorkerResult r) {
        String output = r.output();
        StreamBuffer buf = streams.get(jobId);
        if (r.isStream() && buf != null && (output == null || output.equals("[]"))) {
            output = "[" + String.join(",", buf.all()) + "]";
        }
        return output;
    }

    /** The job went back to the queue: its progress belonged to the attempt that ended. */
    void requeued(String jobId) {
        progress.remove(jobId);
    }

    /** The job reached a final state: waiters wake with it; its chunks stay until read. */
    void finished(Job job) {
        progress.remove(job.id());
        StreamBuffer buf = streams.get(job.id());
        if (buf != null) {
            // kept until the client has read the last chunks (or gives up on them), see readStream and reap
            buf.close();
        }
        CompletableFuture<Job> f = finals.remove(job.id());
        if (f != null) {
            f.complete(job);
        }
    }

    /** The job was deleted unfinished (its TTL ran out): waiters wake with nothing and its chunks go. */
    void removed(String jobId) {
        progress.remove(jobId);
        StreamBuffer buf = streams.remove(jobId);
        if (buf != null) {
            buf.close();
        }
        CompletableFuture<Job> f = finals.remove(jobId);
        if (f != null) {
            f.complete(null);
        }
    }

    /** Drops the chunks of ended jobs no client came to read. */
    void reapUnread() {
        streams.entrySet().removeIf(e -> e.getValue().closedLongerThan(UNREAD_STREAM_RETENTION));
    }
}
