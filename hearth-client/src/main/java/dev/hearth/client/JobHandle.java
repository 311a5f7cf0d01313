package dev.hearth.client;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A job that was submitted without waiting for it ({@link Fn#spawn(Object)}), like Modal's {@code FunctionCall}.
 * Holds only the id: every method asks the server, so a handle may be rebuilt anywhere with {@link Fn#job(String)}.
 */
public final class JobHandle {

    private static final Duration MIN_WAIT = Duration.ofSeconds(1); // the smallest wait the API accepts

    private final Fn fn;
    private final String id;

    JobHandle(Fn fn, String id) {
        if (id == null || id.isBlank()) {
            throw new HearthClientException("the server did not return a job id");
        }
        this.fn = fn;
        this.id = id;
    }

    /** The job's id, as the server assigned it. */
    public String id() {
        return id;
    }

    /** The function the job was submitted to. */
    public String function() {
        return fn.name();
    }

    /** The job's current status, without waiting. */
    public JobStatus status() {
        return Decode.jobStatus(fn.http().get(fn.path("status", id), Http.Query.none()));
    }

    /**
     * Waits until the job is final and returns its status, whatever the outcome.
     *
     * @param timeout how long to wait; null waits as long as it takes. The wait may overrun by up to a second,
     *                the shortest long-poll the server accepts.
     * @throws HearthTimeoutException when the job is still queued or running after {@code timeout}
     */
    public JobStatus await(Duration timeout) {
        return awaitUntil(timeout == null ? null : Instant.now().plus(timeout), timeout);
    }

    /** {@code total} is only for the message: the whole wait the caller asked for, not what was left of it. */
    JobStatus awaitUntil(Instant deadline, Duration total) {
        while (true) {
            Duration wait = pollWait(deadline);
            JobStatus status = Decode.jobStatus(fn.http().poll(fn.path("status-sync", id),
                    Http.Query.of("wait", wait.toMillis()), wait));
            if (status.isFinal()) {
                return status;
            }
            if (deadline != null && !Instant.now().isBefore(deadline)) {
                throw new HearthTimeoutException(status, total);
            }
        }
    }

    /** How long the next long-poll may ask the server to hold it: up to the deadline, within the API's bounds. */
    static Duration pollWait(Instant deadline) {
        if (deadline == null) {
            return Fn.SYNC_WAIT;
        }
        Duration left = Duration.between(Instant.now(), deadline);
        Duration wait = left.compareTo(Fn.SYNC_WAIT) < 0 ? left : Fn.SYNC_WAIT;
        return wait.compareTo(MIN_WAIT) < 0 ? MIN_WAIT : wait;
    }

    /** Waits without bound for the job's output; see {@link #get(Duration)}. */
    public JsonNode get() {
        return fn.outputOf(await(null));
    }

    /**
     * Waits for the job's output.
     *
     * @throws HearthTimeoutException when the job has not ended after {@code timeout} (it keeps running)
     * @throws HearthRemoteException  when it ended FAILED, TIMED_OUT or CANCELLED
     */
    public JsonNode get(Duration timeout) {
        return fn.outputOf(await(timeout));
    }

    /** Like {@link #get(Duration)}, converting the output to {@code type} with Jackson. */
    public <T> T get(Duration timeout, Class<T> type) {
        return fn.convert(get(timeout), type);
    }

    /** Like {@link #get(Duration, Class)} for generic types, e.g. {@code new TypeReference<List<String>>() {}}. */
    public <T> T get(Duration timeout, TypeReference<T> type) {
        return fn.convert(get(timeout), type);
    }

    /**
     * The chunks a generator handler yields, as they arrive; see {@link Fn#stream(Object)}. The server hands each
     * chunk out once, so read a job's stream from one place only. Closing the stream before its end cancels the job.
     */
    public Stream<JsonNode> stream() {
        ChunkIterator chunks = new ChunkIterator(this);
        return Fn.lazyStream(chunks, chunks::close);
    }

    /**
     * One read of the job's stream, for callers that show chunks as they come while watching the job (as
     * {@code hearth run} does): the chunks not handed out before, after the server waited up to about two seconds
     * for some while the job runs, and the job's state. The same one-reader rule as for {@link #stream()} applies.
     */
    public StreamRead readStream() {
        JsonNode answer = fn.http().get(fn.path("stream", id), Http.Query.none());
        List<JsonNode> chunks = new ArrayList<>();
        for (JsonNode c : answer.path("stream")) {
            chunks.add(Decode.orNull(c.get("output")));
        }
        return new StreamRead(Decode.jobStatus(answer).status(), chunks);
    }

    /** Cancels the job; a queued job never runs, a running one is told to stop. Returns the new status. */
    public JobStatus cancel() {
        return Decode.jobStatus(fn.http().post(fn.path("cancel", id), Http.Query.none(), new byte[0], null,
                Http.CALL_TIMEOUT));
    }

    @Override
    public String toString() {
        return "JobHandle[" + fn.name() + "/" + id + "]";
    }
}
