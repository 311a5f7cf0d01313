package dev.hearth.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.hearth.errors.HearthException;
import dev.hearth.functions.FunctionVersion;
import dev.hearth.functions.ModelSchemas;
import dev.hearth.jobs.Job;
import dev.hearth.jobs.JobEvent;
import dev.hearth.jobs.JobSearch;
import dev.hearth.jobs.JobState;
import dev.hearth.replicate.ModelRef;
import dev.hearth.replicate.PredictionStatus;
import dev.hearth.replicate.WebhookEvent;
import dev.hearth.server.functions.FunctionRegistry;
import dev.hearth.server.jobs.JobEvents;
import dev.hearth.server.jobs.JobService;
import dev.hearth.server.jobs.SubmitRequest;
import dev.hearth.server.timeline.JobLogs;
import dev.hearth.server.timeline.TimelineRecorder;
import dev.hearth.server.workers.WorkerCommands;
import dev.hearth.store.SettingsStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Replicate's HTTP API over Hearth jobs: a prediction is a job (the same id, visible at {@code /v2} and on the
 * dashboard), shown as Replicate's prediction object. This class makes predictions and renders them; its
 * {@link PredictionWebhooks} send their webhook events, its {@link ReplicateFiles} keep the files of
 * {@code /v1/files} and of functions' file outputs. The routes are {@link ReplicateRoutes}.
 *
 * <p>What a prediction adds to its job (the owner it was made under, its webhook and events filter) is kept in
 * memory for the last {@value #REMEMBERED} predictions; after a restart a prediction's model reads
 * {@code hearth/<function>} and its webhook sends no more events.
 */
public final class Replicate implements JobEvents, AutoCloseable {

    static final String DEFAULT_OWNER = "hearth";
    static final int REMEMBERED = 100_000;
    static final Duration STREAM_LIFETIME = Duration.ofDays(1);
    private static final Logger LOG = Logger.getLogger(Replicate.class.getName());

    /** What a prediction adds to its job; {@code base}: the server's URL as the client reached it. */
    record Meta(String owner, String base, String webhook, Set<WebhookEvent> events) {
    }

    final JobService jobs;
    final FunctionRegistry functions;
    final Webhooks webhooks;
    final ReplicateFiles files;
    final Capabilities capabilities;
    final InstantSource clock;
    private final TimelineRecorder timeline;
    private final WorkerCommands commands;
    private final ModelSchemas schemas;
    private final Map<String, Meta> metas = Collections.synchronizedMap(new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Meta> eldest) {
            return size() > REMEMBERED;
        }
    });
    private final ConcurrentHashMap<String, String> versionIds = new ConcurrentHashMap<>();
    private final PredictionWebhooks events;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("hearth-replicate").factory());

    /**
     * @param filesDir   where uploaded and output files are kept
     * @param outputRoot where functions' output files may be taken from (their temporary directory)
     */
    public Replicate(JobService jobs, FunctionRegistry functions, Webhooks webhooks, TimelineRecorder timeline,
                     WorkerCommands commands, ModelSchemas schemas, SettingsStore settings, Path filesDir,
                     Path outputRoot, InstantSource clock) {
        this.jobs = jobs;
        this.functions = functions;
        this.webhooks = webhooks;
        this.timeline = timeline;
        this.commands = commands;
        this.schemas = schemas;
        this.clock = clock;
        this.files = new ReplicateFiles(filesDir, outputRoot);
        this.capabilities = Capabilities.load(settings);
        this.events = new PredictionWebhooks(this, timer);
    }

    // ---------------------------------------------------------------- predictions

    /** A resolved model reference: the function, the version to pin (null: the release's choice), the owner. */
    record Target(String owner, String function, Integer version) {
    }

    /** The function and version a {@code version} field names (see {@link ModelRef}). */
    Target resolve(String ref) {
        ModelRef r;
        try {
            r = ModelRef.parse(ref);
        } catch (IllegalArgumentException e) {
            throw new HearthException.BadRequest(e.getMessage());
        }
        String owner = r.owner() == null ? DEFAULT_OWNER : r.owner();
        if (r.sha256() == null) {
            if (r.number() != null) {
                functions.versions(r.function()); // a 404 for an unknown function first
            } else {
                functions.require(r.function());
            }
            return new Target(owner, r.function(), r.number());
        }
        List<FunctionVersion> candidates = (r.function() == null ? functions.allVersions()
                : functions.versions(r.function())).stream().filter(v -> r.sha256().equals(v.bundleSha256())).toList();
        if (candidates.isEmpty()) {
            throw new HearthException.NotFound("no version '" + r.sha256() + "'" + (r.function() == null ? ""
                    : " of function '" + r.function() + "'") + "; GET /v1/models/{owner}/{name}/versions lists them");
        }
        // the same bundle deployed twice: the released one, else the newest
        FunctionVersion pick = candidates.stream().filter(v -> isReleased(v)).findFirst()
                .orElse(candidates.getLast());
        return new Target(owner, pick.name(), pick.version());
    }

    private boolean isReleased(FunctionVersion v) {
        return functions.latest(v.name()).map(a -> a.version() == v.version()).orElse(false)
                || functions.canary(v.name()).map(c -> c.version() == v.version()).orElse(false);
    }

    /**
     * Makes the prediction's job.
     *
     * @param cancelAfter null for none
     */
    Job create(Target target, JsonNode body, Duration cancelAfter, String base) {
        if (!body.isObject()) {
            throw new HearthException.BadRequest("the request body must be a JSON object such as {\"input\": {...}}");
        }
        JsonNode input = body.get("input");
        if (input == null || !input.isObject()) {
            throw new HearthException.BadRequest("'input' must be a JSON object of the model's inputs, e.g. "
                    + "{\"input\": {\"prompt\": \"...\"}}");
        }
        String webhook = null;
        JsonNode wh = body.get("webhook");
        if (wh != null && !wh.isNull()) {
            if (!wh.isTextual()) {
                throw new HearthException.BadRequest("'webhook' must be a URL");
            }
            webhook = wh.asText();
            webhooks.targets().check(webhook, "webhook");
        }
        Set<WebhookEvent> events = WebhookEvent.filter(null);
        JsonNode filter = body.get("webhook_events_filter");
        if (filter != null && !filter.isNull()) {
            if (!filter.isArray()) {
                throw new HearthException.BadRequest("'webhook_events_filter' must be an array of start, output, logs "
                        + "and completed");
            }
            List<String> names = new ArrayList<>();
            filter.forEach(n -> names.add(n.asText()));
            try {
                events = WebhookEvent.filter(names);
            } catch (IllegalArgumentException e) {
                throw new HearthException.BadRequest(e.getMessage());
            }
        }
        Duration timeout = null;
        if (cancelAfter != null) {
            // it cannot run longer than it may live, nor longer than the function allows
            Duration fnTimeout = functions.require(target.function()).manifest().timeout();
            timeout = cancelAfter.compareTo(fnTimeout) < 0 ? cancelAfter : fnTimeout;
        }
        String inputJson;
        try {
            inputJson = Json.MAPPER.writeValueAsString(input);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        Job job = jobs.submit(target.function(), new SubmitRequest(inputJson, null, timeout, null, false,
                target.version()));
        Meta meta = new Meta(target.owner(), base, webhook, events);
        metas.put(job.id(), meta);
        if (cancelAfter != null) {
            timer.schedule(() -> cancelQuietly(job), cancelAfter.toMillis(), TimeUnit.MILLISECONDS);
        }
        if (webhook != null) {
            this.events.watch(job, meta);
        }
        return job;
    }

    private void cancelQuietly(Job job) {
        try {
            jobs.cancel(job.function(), job.id());
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "Cancel-After of " + job.id() + " found nothing to cancel", e);
        }
    }

    /** The prediction with this id, if the key reaches its function (to a key for other functions it is unknown). */
    Job find(String id, ApiKeys.Key key) {
        Job job = jobs.get(id);
        if (!reaches(key, job.function())) {
            throw new HearthException.NotFound("no prediction '" + id + "' of the functions this key is for ("
                    + String.join(", ", key.functions()) + ")");
        }
        return job;
    }

    static boolean reaches(ApiKeys.Key key, String function) {
        return key == null || key.functions().isEmpty() || key.functions().contains(function);
    }

    /** A page of predictions, newest first, after the cursor ({@code <epoch ms>.<id>} of the last one shown). */
    List<Job> page(String cursor, Instant createdAfter, Instant createdBefore, ApiKeys.Key key, int size) {
        Instant to = createdBefore;
        long cursorMs = -1;
        String cursorId = null;
        if (cursor != null && !cursor.isBlank()) {
            int dot = cursor.indexOf('.');
            try {
                cursorMs = Long.parseLong(cursor.substring(0, dot));
                cursorId = cursor.substring(dot + 1);
            } catch (RuntimeException e) {
                throw new HearthException.BadRequest("'cursor' is not one this server gave out; follow 'next' as "
                        + "given");
            }
            Instant c = Instant.ofEpochMilli(cursorMs + 1);
            to = to == null || c.isBefore(to) ? c : to;
        }
        List<Job> found = new ArrayList<>();
        int limit = size * 2 + 1;
        if (key == null || key.functions().isEmpty()) {
            found.addAll(jobs.search(new JobSearch(null, Set.of(), createdAfter, to, limit)));
        } else { // each of the key's functions, merged: a key for some functions reaches only their predictions
            for (String fn : key.functions()) {
                found.addAll(jobs.search(new JobSearch(fn, Set.of(), createdAfter, to, limit)));
            }
            found.sort(java.util.Comparator.comparing(Job::queuedAt).thenComparing(Job::id).reversed());
        }
        List<Job> out = new ArrayList<>(size + 1);
        for (Job j : found) {
            boolean seen = j.queuedAt().toEpochMilli() == cursorMs && j.id().compareTo(cursorId) >= 0;
            if (!seen && out.size() <= size) {
                out.add(j);
            }
        }
        return out;
    }

    static String cursor(Job last) {
        return last.queuedAt().toEpochMilli() + "." + last.id();
    }

    // ---------------------------------------------------------------- the prediction object

    /** How much of a job's logs a prediction object shows. */
    enum Logs {
        /** none: a list leaves them out */
        NONE,
        /** as recorded so far, without waiting for a job that just ended to have its end recorded (a create's answer) */
        SO_FAR,
        /** all of them: for a job that ended, once its end is recorded (at most a second after it) */
        ALL
    }

    /** The prediction object. */
    ObjectNode view(Job job, String base, Logs withLogs) {
        Meta meta = metas.get(job.id());
        String owner = meta == null ? DEFAULT_OWNER : meta.owner();
        PredictionStatus status = PredictionStatus.of(job.state());
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("id", job.id());
        n.put("model", owner + "/" + job.function());
        n.put("version", versionId(job.function(), job.version()));
        n.set("input", parse(job.input()));
        n.set("output", output(job, base));
        if (withLogs != Logs.NONE) {
            n.put("logs", logs(job, withLogs == Logs.ALL));
        }
        n.put("error", status == PredictionStatus.FAILED ? error(job) : null);
        n.put("status", status.wire());
        n.put("created_at", job.queuedAt().toString());
        n.put("started_at", job.placedAt() == null ? null : job.placedAt().toString());
        n.put("completed_at", job.finishedAt() == null ? null : job.finishedAt().toString());
        n.put("source", "api");
        n.put("data_removed", false);
        ObjectNode urls = n.putObject("urls");
        urls.put("get", base + "/v1/predictions/" + job.id());
        urls.put("cancel", base + "/v1/predictions/" + job.id() + "/cancel");
        urls.put("stream", streamUrl(job, base));
        ObjectNode metrics = n.putObject("metrics");
        Long ms = job.executionTimeMs(clock.instant());
        if (ms != null) {
            metrics.put("predict_time", ms / 1000.0);
        }
        if (job.finishedAt() != null) {
            metrics.put("total_time", Duration.between(job.queuedAt(), job.finishedAt()).toMillis() / 1000.0);
        }
        return n;
    }

    private static String error(Job job) {
        if (job.error() != null) {
            return job.error();
        }
        return job.state() == JobState.TIMED_OUT ? "the prediction ran longer than its timeout of "
                + job.policy().executionTimeout().toSeconds() + " s" : "the prediction failed";
    }

    /** The stream's capability URL: valid for this prediction only, for a day from its creation. */
    String streamUrl(Job job, String base) {
        return base + "/v1/predictions/" + job.id() + "/stream?"
                + capabilities.query("stream:" + job.id(), job.queuedAt().plus(STREAM_LIFETIME));
    }

    /** A file's capability URL, valid until the file expires. */
    String fileUrl(ReplicateFiles.StoredFile f, String base) {
        return base + "/v1/files/" + f.id() + "/content?" + capabilities.query("file:" + f.id(), f.expiresAt());
    }

    /** The output: the final one, else a running generator's chunks so far, else its latest progress update. */
    JsonNode output(Job job, String base) {
        String raw = job.output();
        if (job.state() == JobState.IN_PROGRESS) {
            List<String> chunks = jobs.streamed(job.id());
            if (!chunks.isEmpty()) {
                raw = "[" + String.join(",", chunks) + "]";
            }
        }
        if (raw == null) {
            return Json.MAPPER.nullNode();
        }
        return withFileUrls(job, parse(raw), base);
    }

    /** Strings that are files the function wrote become their capability URLs (see {@link ReplicateFiles#output}). */
    JsonNode withFileUrls(Job job, JsonNode node, String base) {
        if (node.isTextual() && node.asText().startsWith("/")) {
            return files.output(job.id(), job.input(), job.placedAt(), node.asText(),
                            clock.instant().plus(ReplicateFiles.OUTPUT_LIFETIME))
                    .<JsonNode>map(f -> TextNode.valueOf(fileUrl(f, base))).orElse(node);
        }
        if (node.isArray()) {
            ArrayNode a = Json.MAPPER.createArrayNode();
            node.forEach(e -> a.add(withFileUrls(job, e, base)));
            return a;
        }
        if (node.isObject()) {
            ObjectNode o = Json.MAPPER.createObjectNode();
            node.fields().forEachRemaining(e -> o.set(e.getKey(), withFileUrls(job, e.getValue(), base)));
            return o;
        }
        return node;
    }

    /**
     * The job's own log lines, every attempt's, as one text (secrets masked). {@code complete}: for a job that ended,
     * wait (up to a second) until its end is recorded, which bounds its last attempt's lines.
     */
    String logs(Job job, boolean complete) {
        List<JobEvent> events = complete && job.state().isFinal() ? timeline.finalTimeline(job.id())
                : timeline.timeline(job.id());
        UnaryOperator<String> mask = commands.logMask(job.function());
        StringBuilder b = new StringBuilder();
        for (JobLogs.Segment s : JobLogs.of(job.function(), events,
                (fn, worker) -> commands.logDir(fn).resolve(worker + ".log"))) {
            for (String line : s.slice().lines()) {
                b.append(mask.apply(line)).append('\n');
            }
        }
        return b.toString();
    }

    /** A version's id: its bundle's SHA-256. */
    String versionId(String function, int version) {
        return versionIds.computeIfAbsent(function + ":" + version, k -> functions.find(function, version)
                .map(FunctionVersion::bundleSha256).orElse(""));
    }

    /** The version object, with the model's OpenAPI schema where it declares one. */
    ObjectNode versionView(FunctionVersion v) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("id", v.bundleSha256());
        n.put("created_at", v.deployedAt().toString());
        n.putNull("cog_version");
        Optional<String> schema = schemas.openApiSchema(v.name(), v.version());
        n.set("openapi_schema", schema.map(Replicate::parse).orElse(Json.MAPPER.nullNode()));
        n.put("hearth_version", v.version());
        return n;
    }

    static JsonNode parse(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            return TextNode.valueOf(json);
        }
    }

    // ---------------------------------------------------------------- webhook events

    @Override
    public void finished(Job job) {
        events.finished(job);
    }

    @Override
    public void removed(Job job) {
        events.removed(job);
    }

    // ---------------------------------------------------------------- housekeeping

    /** Removes expired files; the control plane's housekeeping calls it. */
    public void reap() {
        files.removeExpired(clock.instant());
    }

    @Override
    public void close() {
        timer.shutdownNow();
        events.close();
    }
}
