package dev.hearth.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A deployed function, ready to call: {@code hearth.function("echo").remote(Map.of("x", 1))}. Getting one makes no
 * request; a wrong name surfaces as a 404 {@link HearthApiException} on the first call. Thread-safe.
 */
public final class Fn {

    /** How long one runsync / status-sync request asks the server to hold it (the API allows up to 300 s). */
    static final Duration SYNC_WAIT = Duration.ofSeconds(90);

    private final Http http;
    private final String name;
    private final String base;

    Fn(Http http, String name) {
        this.http = http;
        this.name = Objects.requireNonNull(name, "name");
        this.base = "/v2/" + Http.segment(name);
    }

    public String name() {
        return name;
    }

    /**
     * Runs the function on {@code input} and returns its output, waiting as long as the job takes.
     *
     * @param input anything Jackson can write as JSON (a {@link JsonNode}, a map, a record...)
     * @throws HearthRemoteException when the job FAILED, TIMED_OUT or was CANCELLED
     * @throws HearthApiException    when the server refused the call (unknown function, bad key...)
     */
    public JsonNode remote(Object input) {
        return outputOf(runSync(input));
    }

    /** Like {@link #remote(Object)}, converting the output to {@code type} with Jackson. */
    public <T> T remote(Object input, Class<T> type) {
        return convert(remote(input), type);
    }

    /**
     * Runs the function on {@code input} and waits until the job is final, like RunPod's {@code /runsync}. Unlike
     * {@link #remote(Object)} it returns the whole status object (timings, cold start, worker) and does not throw
     * when the job failed.
     */
    public JobStatus runSync(Object input) {
        return runSync(input, null);
    }

    /**
     * Like {@link #runSync(Object)}, giving up after {@code timeout} (null: no limit).
     *
     * @throws HearthTimeoutException when the job has not ended in time; it keeps running
     */
    public JobStatus runSync(Object input, Duration timeout) {
        Instant deadline = timeout == null ? null : Instant.now().plus(timeout);
        Duration wait = JobHandle.pollWait(deadline);
        JsonNode answer = http.post(base + "/runsync", Http.Query.of("wait", wait.toMillis()), request(input),
                wait.plus(Http.CALL_TIMEOUT));
        JobStatus status = Decode.jobStatus(answer);
        if (status.isFinal()) {
            return status;
        }
        if (deadline != null && !Instant.now().isBefore(deadline)) {
            throw new HearthTimeoutException(status, timeout);
        }
        return job(status.id()).awaitUntil(deadline, timeout);
    }

    /** Queues a job and returns at once (RunPod's {@code /run}, Modal's {@code spawn}). */
    public JobHandle spawn(Object input) {
        JsonNode answer = http.post(base + "/run", Http.Query.none(), request(input), Http.CALL_TIMEOUT);
        return new JobHandle(this, Decode.text(answer, "id"));
    }

    /** A handle on a job submitted earlier, e.g. by another process; makes no request. */
    public JobHandle job(String jobId) {
        return new JobHandle(this, Objects.requireNonNull(jobId, "jobId"));
    }

    /** The function's summary including its manifest ({@code GET /v1/functions/{name}}). */
    public FunctionInfo info() {
        return Decode.function(http.get("/v1/functions/" + Http.segment(name), Http.Query.none()));
    }

    Http http() {
        return http;
    }

    String path(String action, String jobId) {
        return base + "/" + action + "/" + Http.segment(jobId);
    }

    JsonNode outputOf(JobStatus status) {
        if (!status.isCompleted()) {
            throw new HearthRemoteException(status);
        }
        return Decode.orNull(status.output());
    }

    <T> T convert(JsonNode output, Class<T> type) {
        try {
            return http.json().treeToValue(output, type);
        } catch (JsonProcessingException e) {
            throw new HearthClientException("the output of " + name + " is not a " + type.getSimpleName() + ": "
                    + e.getOriginalMessage(), e);
        }
    }

    private ObjectNode request(Object input) {
        ObjectNode body = http.json().createObjectNode();
        body.set("input", http.json().valueToTree(input));
        return body;
    }

    @Override
    public String toString() {
        return "Fn[" + name + " @ " + http.base() + "]";
    }
}
