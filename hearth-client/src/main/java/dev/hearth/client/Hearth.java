package dev.hearth.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * A connection to a Hearth server: deploy functions, inspect them, and get {@link Fn} handles to call them.
 *
 * <pre>{@code
 * try (Hearth hearth = Hearth.fromEnvironment()) {
 *     hearth.deploy(Path.of("examples/echo/hearth.yaml"));
 *     JsonNode out = hearth.function("echo").remote(Map.of("x", 1));
 * }
 * }</pre>
 *
 * Thread-safe; one instance can serve a whole application. Every failure is a {@link HearthClientException}.
 */
public final class Hearth implements AutoCloseable {

    /** Where {@code hearth up} listens unless told otherwise. */
    public static final URI DEFAULT_URL = URI.create("http://127.0.0.1:8420");
    /** The environment variable {@link #fromEnvironment()} reads the server's URL from. */
    public static final String URL_VARIABLE = "HEARTH_URL";
    /** The environment variable {@link #fromEnvironment()} reads the API key from. */
    public static final String KEY_VARIABLE = "HEARTH_API_KEY";
    /** The environment variable naming a PEM file of CA certificates to trust for an https server. */
    public static final String CA_FILE_VARIABLE = "HEARTH_CA_FILE";

    private final Http http;

    private Hearth(Http http) {
        this.http = http;
    }

    /**
     * Connects to the server at {@code url} with {@code apiKey}. Makes no request: an unreachable server shows up
     * as a {@link HearthConnectionException} on the first call.
     */
    public static Hearth connect(URI url, String apiKey) {
        Objects.requireNonNull(url, "url");
        if (apiKey == null || apiKey.isBlank()) {
            throw new IllegalArgumentException("an API key is required (the server prints it at first start)");
        }
        return new Hearth(new Http(url, apiKey.strip(), new ObjectMapper()));
    }

    /**
     * Connects to an https server whose certificate is signed by a CA of {@code caFile} (PEM; a self-signed
     * server certificate itself will do) rather than one the JDK trusts.
     */
    public static Hearth connect(URI url, String apiKey, java.nio.file.Path caFile) {
        if (caFile == null) {
            return connect(url, apiKey);
        }
        Objects.requireNonNull(url, "url");
        if (apiKey == null || apiKey.isBlank()) {
            throw new IllegalArgumentException("an API key is required (the server prints it at first start)");
        }
        return new Hearth(new Http(url, apiKey.strip(), new ObjectMapper(), TrustedCertificates.sslContext(caFile)));
    }

    /**
     * Connects as {@code HEARTH_URL} (default {@code http://127.0.0.1:8420}) and {@code HEARTH_API_KEY} say,
     * trusting the CA certificates of {@code HEARTH_CA_FILE} if it is set.
     *
     * @throws IllegalStateException when {@code HEARTH_API_KEY} is not set
     */
    public static Hearth fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    static Hearth fromEnvironment(Map<String, String> env) {
        String url = env.get(URL_VARIABLE);
        String key = env.get(KEY_VARIABLE);
        if (key == null || key.isBlank()) {
            throw new IllegalStateException(KEY_VARIABLE + " is not set; export the key that 'hearth up' printed"
                    + " at first start, e.g. export " + KEY_VARIABLE + "=hearth_...");
        }
        String ca = env.get(CA_FILE_VARIABLE);
        return connect(url == null || url.isBlank() ? DEFAULT_URL : URI.create(url.strip()), key,
                ca == null || ca.isBlank() ? null : java.nio.file.Path.of(ca.strip()));
    }

    /** The server's URL. */
    public URI url() {
        return http.base();
    }

    /**
     * Deploys the function whose manifest is {@code manifestYaml}: the manifest's directory is zipped (without
     * {@code .git}, {@code __pycache__}, {@code .hearth}, {@code target}, {@code node_modules}), the manifest put at
     * its root as {@code hearth.yaml}, and uploaded. New jobs run on the new version. A Cog model's {@code cog.yaml}
     * deploys its directory as it is, named after the directory unless a {@code hearth.yaml} beside it names it.
     */
    public Deployment deploy(Path manifestYaml) {
        return deploy(manifestYaml, line -> { });
    }

    /**
     * Deploys as {@link #deploy(Path)} does, passing each line of the deploy's progress to {@code progress} as it
     * comes: the output of building the function's Python environment (its manifest's {@code python:}), pip's
     * included. Returns once the new version is ready to serve.
     *
     * @throws HearthApiException when the deploy fails, a build included (422, with pip's error)
     */
    public Deployment deploy(Path manifestYaml, Consumer<String> progress) {
        return deploy(manifestYaml, Http.Query.none(), progress);
    }

    private Deployment deploy(Path manifestYaml, Http.Query query, Consumer<String> progress) {
        byte[] zip = Bundle.zip(manifestYaml);
        String cogName = Bundle.cogName(manifestYaml);
        if (cogName != null) {
            query = query.and("name", cogName);
        }
        return Decode.deployment(http.postWithProgress("/v1/functions", query, zip, "application/zip", "deployed",
                Http.CALL_TIMEOUT.multipliedBy(2), progress));
    }

    /**
     * Deploys the function as a canary: the new version receives {@code canaryPercent} (1 to 99) of new jobs, the
     * active version the rest, until {@link #promote} or {@link #rollback}.
     */
    public Deployment deploy(Path manifestYaml, int canaryPercent) {
        return deploy(manifestYaml, canaryPercent, line -> { });
    }

    /** Deploys as a canary, passing progress lines on as {@link #deploy(Path, Consumer)} does. */
    public Deployment deploy(Path manifestYaml, int canaryPercent, Consumer<String> progress) {
        return deploy(manifestYaml, Http.Query.of("canary", canaryPercent), progress);
    }

    /** Every stored version of a function, newest first, with which one is active or the canary. */
    public List<VersionInfo> versions(String function) {
        return ReleaseDecode.versions(http.get("/v1/functions/" + Http.segment(function) + "/versions",
                Http.Query.none()));
    }

    /** The versions that serve a function's jobs now. */
    public ReleaseInfo release(String function) {
        return ReleaseDecode.release(http.get("/v1/functions/" + Http.segment(function) + "/versions",
                Http.Query.none()).path("release"));
    }

    /**
     * Rolls a function back: with {@code version} null, cancels a running canary or else makes the previous active
     * version active again; otherwise makes {@code version} active. Workers of the old version finish their jobs.
     */
    public ReleaseInfo rollback(String function, Integer version) {
        return ReleaseDecode.release(http.post("/v1/functions/" + Http.segment(function) + "/rollback",
                Http.Query.none(), version == null ? java.util.Map.of() : java.util.Map.of("version", version),
                Http.CALL_TIMEOUT));
    }

    /** Makes a function's canary its active version for every new job. */
    public ReleaseInfo promote(String function) {
        return ReleaseDecode.release(http.post("/v1/functions/" + Http.segment(function) + "/promote",
                Http.Query.none(), java.util.Map.of(), Http.CALL_TIMEOUT));
    }

    /** Every deployed function. */
    public List<FunctionInfo> functions() {
        return Decode.functions(http.get("/v1/functions", Http.Query.none()));
    }

    /** Removes a function: its workers drain and stop, its queued jobs are cancelled. */
    public void deleteFunction(String name) {
        http.delete("/v1/functions/" + Http.segment(name));
    }

    /** A handle to call the function {@code name}; makes no request. */
    public Fn function(String name) {
        return new Fn(http, name);
    }

    /** A job's current status by its id alone, whichever function it belongs to. */
    public JobStatus jobStatus(String jobId) {
        return Decode.jobStatus(http.get("/v1/jobs/" + Http.segment(jobId), Http.Query.none()));
    }

    /**
     * Cancels a job by its id alone, whichever function it belongs to: a queued job never runs, a running one is
     * told to stop. Returns the new status; a job that had already ended keeps its final one.
     */
    public JobStatus cancel(String jobId) {
        return Decode.jobStatus(http.post("/v1/jobs/" + Http.segment(jobId) + "/cancel", Http.Query.none(),
                new byte[0], null, Http.CALL_TIMEOUT));
    }

    /** The running workers of every function. */
    public List<WorkerInfo> workers() {
        return workers(null);
    }

    /** The running workers of {@code function}, or of every function when it is null. */
    public List<WorkerInfo> workers(String function) {
        return Decode.workers(http.get("/v1/workers", Http.Query.of("function", function)));
    }

    /**
     * The workers of {@code function} (of every function when null) and the pre-initialized processes waiting to
     * become workers ({@code scaling.preinit}), from one listing.
     */
    public WorkerListing workerListing(String function) {
        com.fasterxml.jackson.databind.JsonNode n = http.get("/v1/workers", Http.Query.of("function", function));
        return new WorkerListing(Decode.workers(n), Decode.preinitialized(n));
    }

    /** What {@link #workerListing} returns: workers, and processes of the pre-initialized pools. */
    public record WorkerListing(List<WorkerInfo> workers, List<PreinitInfo> preinitialized) {
    }

    /** Functions' Python environments on the server, newest first, with the versions that use each. */
    public List<EnvInfo> environments() {
        return Decode.envs(http.get("/v1/envs", Http.Query.none()).path("envs"));
    }

    /** Deletes the Python environments no stored version uses; returns them. */
    public List<EnvInfo> pruneEnvironments() {
        return Decode.envs(http.post("/v1/envs/prune", Http.Query.none(), new byte[0], null, Http.CALL_TIMEOUT)
                .path("removed"));
    }

    /** The nodes workers are placed on, with their GPUs and drain state. */
    public List<NodeInfo> nodes() {
        return Decode.nodes(http.get("/v1/nodes", Http.Query.none()));
    }

    /**
     * Drains a node: no new workers on it; its workers finish their jobs within {@code grace}, then stop; jobs still
     * running after it go back to the queue (without using a retry) and run on another node.
     *
     * @param grace how long running jobs may take to finish; null for the server's default (30 s)
     */
    public NodeInfo drainNode(String node, java.time.Duration grace) {
        return Decode.node(http.post("/v1/nodes/" + Http.segment(node) + "/drain",
                Http.Query.of("grace", grace == null ? null : grace.toMillis() + "ms"), new byte[0], null,
                Http.CALL_TIMEOUT));
    }

    /** Lets a drained (or draining) node take new workers again. */
    public NodeInfo undrainNode(String node) {
        return Decode.node(http.post("/v1/nodes/" + Http.segment(node) + "/undrain", Http.Query.none(), new byte[0],
                null, Http.CALL_TIMEOUT));
    }

    /**
     * The recent output of a function's workers, each line prefixed with its worker id.
     *
     * @param worker only this worker's lines, or null for all
     * @param tail   how many lines; 0 or less for the server's default (200)
     */
    public String logs(String function, String worker, int tail) {
        return http.getText("/v1/functions/" + Http.segment(function) + "/logs",
                Http.Query.of("worker", worker).and("tail", tail > 0 ? tail : null));
    }

    /** A job's timeline: queued, worker started, leased, progress, requeued, result, with workers and attempts. */
    public JobTimeline timeline(String jobId) {
        return JobTimeline.decode(http.get("/v1/jobs/" + Http.segment(jobId) + "/timeline", Http.Query.none()));
    }

    /** The lines the workers printed while they ran a job, per attempt. */
    public JobLogs jobLogs(String jobId) {
        return JobLogs.decode(http.get("/v1/jobs/" + Http.segment(jobId) + "/logs", Http.Query.none()));
    }

    /**
     * A worker's output: with {@code after} null its last {@code tail} lines, else the lines after that offset (a
     * previous chunk's {@link WorkerLogChunk#next()}), for following it.
     */
    public WorkerLogChunk workerLogs(String workerId, Long after, int tail) {
        return WorkerLogChunk.decode(http.get("/v1/workers/" + Http.segment(workerId) + "/logs",
                after != null ? Http.Query.of("after", after) : Http.Query.of("tail", tail)));
    }

    /**
     * A function's jobs, as the server lists them.
     *
     * @param states only jobs in these states; null or empty for all
     * @param limit  at most this many; 0 or less for the server's default (50)
     */
    public List<JobStatus> jobs(String function, Collection<JobState> states, int limit) {
        String state = states == null || states.isEmpty() ? null
                : states.stream().map(Enum::name).collect(Collectors.joining(","));
        return Decode.jobs(http.get("/v1/functions/" + Http.segment(function) + "/jobs",
                Http.Query.of("state", state).and("limit", limit > 0 ? limit : null)));
    }

    /** A function's recent autoscaling decisions with their inputs and reasons, oldest first. */
    public List<ScalingEvent> scalingEvents(String function) {
        return ScalingEvent.list(http.get("/v1/functions/" + Http.segment(function) + "/events", Http.Query.none()));
    }

    /**
     * Changes a function's scaling now, without a redeploy (like Modal's {@code update_autoscaler}); the change is
     * durable and lasts until the next deploy.
     *
     * @return the function's scaling now in force, as {@code GET /v1/functions/{fn}} shows it
     */
    public com.fasterxml.jackson.databind.JsonNode scale(String function, ScalingChange change) {
        return http.patch("/v1/functions/" + Http.segment(function) + "/scaling", change.body()).path("scaling");
    }

    /** Drops a function's live scaling change: its manifest's scaling is in force again. */
    public com.fasterxml.jackson.databind.JsonNode resetScaling(String function) {
        return http.delete("/v1/functions/" + Http.segment(function) + "/scaling").path("scaling");
    }

    @Override
    public void close() {
        http.close();
    }

    @Override
    public String toString() {
        return "Hearth[" + http.base() + "]";
    }
}
