package dev.hearth.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

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

    /** The function's name. */
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

    /**
     * Like {@link #remote(Object)}, converting the output to {@code type} with Jackson.
     *
     * @throws HearthClientException when the output does not convert to {@code type}
     */
    public <T> T remote(Object input, Class<T> type) {
        return convert(remote(input), type);
    }

    /** Like {@link #remote(Object, Class)} for generic types: {@code remote(x, new TypeReference<List<Foo>>() {})}. */
    public <T> T remote(Object input, TypeReference<T> type) {
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

    /** One {@code /runsync} request the server holds at most {@code wait}: the status, final or not, with its id. */
    JobStatus runSyncOnce(Object input, Duration wait) {
        return Decode.jobStatus(http.post(base + "/runsync", Http.Query.of("wait", wait.toMillis()), request(input),
                wait.plus(Http.CALL_TIMEOUT)));
    }

    /** Queues a job and returns at once (RunPod's {@code /run}, Modal's {@code spawn}). */
    public JobHandle spawn(Object input) {
        JsonNode answer = http.post(base + "/run", Http.Query.none(), request(input), Http.CALL_TIMEOUT);
        return new JobHandle(this, Decode.text(answer, "id"));
    }

    /**
     * Runs the function on every input and returns the outputs in input order, like Modal's {@code Function.map}.
     * Equivalent to {@code map(inputs, MapOptions.defaults())}.
     */
    public Stream<JsonNode> map(Iterable<?> inputs) {
        return map(inputs, MapOptions.defaults());
    }

    /**
     * Runs the function on every input and returns the outputs in input order, as a lazy stream: inputs are pulled
     * from {@code inputs} as results are consumed, and at most {@link MapOptions#maxInFlight()} jobs are in flight,
     * so memory stays bounded by that window however many inputs there are (a generator {@code Iterable} of
     * millions is fine). Each job runs as one {@code /runsync} request on its own virtual thread (jobs longer than
     * a second go on with {@code /status-sync}); the results are handed out in order, so one slow job holds back
     * the ones after it.
     *
     * <p>The first input whose job did not complete throws a {@link HearthRemoteException} (with the job id and
     * the remote error) when the stream reaches its position, after cancelling the jobs still in flight; use
     * {@link #mapResults(Iterable, Class, MapOptions)} to get failures as values instead. A request the server
     * refuses throws a {@link HearthApiException} the same way.
     *
     * <p>Close the stream (try-with-resources) when leaving it early: closing cancels every job submitted but not
     * yet consumed (a job whose submission is still under way is cancelled as soon as the server answers it, within
     * about a second), and no further input is pulled.
     *
     * <pre>{@code
     * try (Stream<JsonNode> out = hearth.function("echo").map(List.of(1, 2, 3))) {
     *     out.forEach(System.out::println);
     * }
     * }</pre>
     */
    public Stream<JsonNode> map(Iterable<?> inputs, MapOptions options) {
        return map(inputs, options, Function.identity());
    }

    /** Like {@link #map(Iterable, MapOptions)} with the default options, converting each output to {@code type}. */
    public <T> Stream<T> map(Iterable<?> inputs, Class<T> type) {
        return map(inputs, type, MapOptions.defaults());
    }

    /** Like {@link #map(Iterable, MapOptions)}, converting each output to {@code type} with Jackson. */
    public <T> Stream<T> map(Iterable<?> inputs, Class<T> type, MapOptions options) {
        return map(inputs, options, converter(type));
    }

    /** Like {@link #map(Iterable, MapOptions)}, converting each output to the generic {@code type}. */
    public <T> Stream<T> map(Iterable<?> inputs, TypeReference<T> type, MapOptions options) {
        return map(inputs, options, converter(type));
    }

    /**
     * Like {@link #map(Iterable, Class, MapOptions)}, but a failed input does not end the stream: every input
     * yields a {@link MapResult} holding its output or its {@link HearthRemoteException}, in input order (Modal's
     * {@code return_exceptions=True}). Requests the server refuses still throw.
     */
    public <T> Stream<MapResult<T>> mapResults(Iterable<?> inputs, Class<T> type, MapOptions options) {
        OrderedMap<T> map = new OrderedMap<>(this, Objects.requireNonNull(inputs, "inputs"),
                Objects.requireNonNull(options, "options"), converter(type));
        return lazyStream(map, map::close);
    }

    private <T> Stream<T> map(Iterable<?> inputs, MapOptions options, Function<JsonNode, T> convert) {
        OrderedMap<T> map = new OrderedMap<>(this, Objects.requireNonNull(inputs, "inputs"),
                Objects.requireNonNull(options, "options"), convert);
        Iterator<T> outputs = new Iterator<>() {
            @Override
            public boolean hasNext() {
                return map.hasNext();
            }

            @Override
            public T next() {
                MapResult<T> r = map.next();
                if (!r.isSuccess()) {
                    map.close();
                }
                return r.get();
            }
        };
        return lazyStream(outputs, map::close);
    }

    /**
     * Runs a generator handler on {@code input} and returns its chunks as they arrive (RunPod's {@code /stream}).
     * The stream ends when the job ends; a job that failed, timed out or was cancelled throws a
     * {@link HearthRemoteException} after its last chunk. Closing the stream before its end cancels the job.
     *
     * <pre>{@code
     * try (Stream<String> words = hearth.function("stream").stream(Map.of("text", "a b c"), String.class)) {
     *     words.forEach(System.out::println);
     * }
     * }</pre>
     */
    public Stream<JsonNode> stream(Object input) {
        return spawn(input).stream();
    }

    /** Like {@link #stream(Object)}, converting each chunk to {@code type} with Jackson. */
    public <T> Stream<T> stream(Object input, Class<T> type) {
        return stream(input).map(converter(type));
    }

    /** A sequential, ordered stream over {@code it} that runs {@code onClose} when closed. */
    static <T> Stream<T> lazyStream(Iterator<T> it, Runnable onClose) {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED), false)
                .onClose(onClose);
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

    <T> T convert(JsonNode output, TypeReference<T> type) {
        return convert(output, http.json().getTypeFactory().constructType(type));
    }

    <T> Function<JsonNode, T> converter(Class<T> type) {
        Objects.requireNonNull(type, "type");
        return output -> convert(output, type);
    }

    <T> Function<JsonNode, T> converter(TypeReference<T> type) {
        JavaType javaType = http.json().getTypeFactory().constructType(Objects.requireNonNull(type, "type"));
        return output -> convert(output, javaType);
    }

    private <T> T convert(JsonNode output, JavaType type) {
        try {
            return http.json().treeToValue(output, type);
        } catch (JsonProcessingException e) {
            throw new HearthClientException("the output of " + name + " is not a " + type.toCanonical() + ": "
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
