package dev.hearth.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.errors.HearthException;
import dev.hearth.jobs.IdempotencyKey;
import dev.hearth.jobs.Job;
import dev.hearth.jobs.JobState;
import dev.hearth.scaling.WorkerPhase;
import dev.hearth.server.jobs.JobService;
import dev.hearth.server.jobs.SubmitRequest;
import dev.hearth.server.workers.Worker;
import dev.hearth.server.workers.WorkerPool;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * RunPod's endpoint API at {@code /v2/{function}/...}: parse, validate, call the job service. Status and cancel also
 * at {@code /v1/jobs/{id}}, by the job id alone, answering with the job's function besides.
 */
final class ClientRoutes {

    static final long RUN_LIMIT = 10L << 20;
    static final long RUNSYNC_LIMIT = 20L << 20;
    private static final Set<String> BODY_FIELDS = Set.of("input", "webhook", "policy", "s3Config");
    private static final Set<String> POLICY_FIELDS = Set.of("executionTimeout", "ttl", "lowPriority");

    private final JobService jobs;
    private final WorkerPool pool;
    private final InstantSource clock;
    private final Webhooks webhooks;

    ClientRoutes(JobService jobs, WorkerPool pool, InstantSource clock, Webhooks webhooks) {
        this.jobs = jobs;
        this.pool = pool;
        this.clock = clock;
        this.webhooks = webhooks;
    }

    void register(Router r) {
        Router.Access c = Router.Access.CLIENT;
        r.add("POST", "/v2/{fn}/run", c, this::run)
                .add("POST", "/v2/{fn}/runsync", c, this::runsync)
                .add("GET", "/v2/{fn}/status/{id}", c, this::status)
                .add("POST", "/v2/{fn}/status/{id}", c, this::status)
                .add("GET", "/v2/{fn}/status-sync/{id}", c, this::statusSync)
                .add("POST", "/v2/{fn}/status-sync/{id}", c, this::statusSync)
                .add("GET", "/v2/{fn}/stream/{id}", c, this::stream)
                .add("POST", "/v2/{fn}/stream/{id}", c, this::stream)
                .add("POST", "/v2/{fn}/cancel/{id}", c, this::cancel)
                .add("POST", "/v2/{fn}/retry/{id}", c, this::retry)
                .add("POST", "/v2/{fn}/purge-queue", c, this::purge)
                .add("GET", "/v2/{fn}/health", c, this::health)
                .add("GET", KeyScope.JOB_BY_ID, c, this::statusById)
                .add("POST", KeyScope.JOB_BY_ID + "/cancel", c, this::cancelById);
    }

    private void run(Call call) {
        Job job = submit(call, RUN_LIMIT, "/run");
        call.json(200, idAndStatus(job));
    }

    private void runsync(Call call) {
        long wait = call.queryLong("wait", 90_000, 1_000, 300_000);
        Job job = submit(call, RUNSYNC_LIMIT, "/runsync");
        call.json(200, view(jobs.awaitFinal(job.function(), job.id(), Duration.ofMillis(wait))));
    }

    private void status(Call call) {
        call.json(200, view(jobs.get(call.param("fn"), call.param("id"))));
    }

    private void statusSync(Call call) {
        long wait = call.queryLong("wait", 90_000, 1_000, 300_000);
        call.json(200, view(jobs.awaitFinal(call.param("fn"), call.param("id"), Duration.ofMillis(wait))));
    }

    private void stream(Call call) {
        String fn = call.param("fn");
        String id = call.param("id");
        List<String> chunks = jobs.readStream(fn, id, Duration.ofSeconds(2));
        Job job = jobs.get(fn, id);
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("status", job.state().name());
        ArrayNode stream = n.putArray("stream");
        for (String c : chunks) {
            stream.addObject().set("output", StatusView.raw(c));
        }
        if (job.state().isFinal() && job.error() != null && job.state() != JobState.COMPLETED) {
            n.put("error", job.error());
        }
        call.json(200, n);
    }

    private void cancel(Call call) {
        Job job = jobs.cancel(call.param("fn"), call.param("id"));
        call.json(200, idAndStatus(job));
    }

    private void statusById(Call call) {
        Job job = byId(call);
        call.json(200, view(job).put("function", job.function()));
    }

    private void cancelById(Call call) {
        Job job = jobs.cancel(byId(call).function(), call.param("id"));
        call.json(200, idAndStatus(job).put("function", job.function()));
    }

    /**
     * The job with the route's id, if the caller's key reaches its function: to a key bound to other functions the
     * job is unknown, as it would be at {@code /v2/{fn}/...} of its own functions.
     */
    private Job byId(Call call) {
        String id = call.param("id");
        Job job = jobs.get(id);
        ApiKeys.Key key = call.key();
        if (key != null && !key.functions().isEmpty() && !key.functions().contains(job.function())) {
            throw new HearthException.NotFound("no job '" + id + "' of the functions this key is for ("
                    + String.join(", ", key.functions()) + ")");
        }
        return job;
    }

    private void retry(Call call) {
        Job job = jobs.retry(call.param("fn"), call.param("id"));
        call.json(200, idAndStatus(job));
    }

    private void purge(Call call) {
        int removed = jobs.purgeQueue(call.param("fn"));
        call.json(200, Map.of("removed", removed, "status", "completed"));
    }

    private void health(Call call) {
        String fn = call.param("fn");
        Map<JobState, Long> counts = jobs.counts(fn);
        JobService.QueueStats q = jobs.stats(fn);
        ObjectNode n = Json.MAPPER.createObjectNode();
        ObjectNode j = n.putObject("jobs");
        j.put("completed", counts.getOrDefault(JobState.COMPLETED, 0L));
        j.put("failed", counts.getOrDefault(JobState.FAILED, 0L) + counts.getOrDefault(JobState.TIMED_OUT, 0L));
        j.put("inProgress", q.inFlight());
        j.put("inQueue", q.queued() + q.queuedLowPriority());
        j.put("retried", jobs.retried(fn));
        List<Worker> ws = pool.workers(fn);
        long running = ws.stream().filter(w -> w.phase() != WorkerPhase.STARTING && w.inFlightCount() > 0).count();
        long idle = ws.stream().filter(w -> w.phase() == WorkerPhase.READY && w.inFlightCount() == 0).count();
        ObjectNode w = n.putObject("workers");
        w.put("idle", idle);
        w.put("initializing", ws.stream().filter(x -> x.phase() == WorkerPhase.STARTING).count());
        w.put("ready", idle + running);
        w.put("running", running);
        w.put("throttled", pool.waitingReason(fn) != null && q.queued() > 0 ? 1 : 0);
        // versions whose workers die before their first job (a crash loop)
        w.put("unhealthy", pool.crashLoops(fn).size());
        call.json(200, n);
    }

    /** Submits the body, under the request's {@code Idempotency-Key} when it has one. */
    private Job submit(Call call, long limit, String what) {
        JsonNode body = call.json(limit, what);
        SubmitRequest request = parse(body);
        String key = call.header("Idempotency-Key");
        if (key == null) {
            return jobs.submit(call.param("fn"), request);
        }
        return jobs.submit(call.param("fn"), request, new IdempotencyKey(key.trim(), fingerprint(body)));
    }

    /** SHA-256 of the body as parsed, so that whitespace does not make two equal requests differ. */
    private static String fingerprint(JsonNode body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(Json.MAPPER.writeValueAsBytes(body)));
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** RunPod's short answer to run, cancel and retry. */
    private static ObjectNode idAndStatus(Job job) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("id", job.id());
        n.put("status", job.state().name());
        return n;
    }

    private ObjectNode view(Job job) {
        ObjectNode n = StatusView.of(job, clock.instant(), pool.waitingReason(job.function()));
        if (job.webhook() != null) {
            webhooks.delivery(job.id()).ifPresent(d -> n.set("webhookDelivery", Webhooks.view(d)));
        }
        return n;
    }

    /** Validates a {@code /run} body: {@code input} required, {@code webhook} and {@code policy} optional. */
    SubmitRequest parse(JsonNode body) {
        if (!body.isObject()) {
            throw new HearthException.BadRequest("the request body must be a JSON object such as {\"input\": {...}}");
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!BODY_FIELDS.contains(f)) {
                throw new HearthException.BadRequest("unknown field '" + f + "'; the body takes input, webhook, "
                        + "policy and s3Config");
            }
        }
        JsonNode input = body.get("input");
        if (input == null || input.isNull()) {
            throw new HearthException.BadRequest("missing 'input': send {\"input\": {...}}");
        }
        String webhook = null;
        JsonNode wh = body.get("webhook");
        if (wh != null && !wh.isNull()) {
            webhook = wh.asText();
            webhooks.targets().check(webhook, "webhook");
        }
        Duration timeout = null;
        Duration ttl = null;
        boolean low = false;
        JsonNode policy = body.get("policy");
        if (policy != null && !policy.isNull()) {
            if (!policy.isObject()) {
                throw new HearthException.BadRequest("'policy' must be an object with executionTimeout, ttl, "
                        + "lowPriority");
            }
            for (Iterator<String> it = policy.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!POLICY_FIELDS.contains(f)) {
                    throw new HearthException.BadRequest("unknown field 'policy." + f + "'; policy takes "
                            + "executionTimeout, ttl and lowPriority");
                }
            }
            timeout = millis(policy, "executionTimeout", 1_000, Duration.ofDays(7).toMillis());
            ttl = millis(policy, "ttl", 1_000, Duration.ofDays(7).toMillis());
            JsonNode lp = policy.get("lowPriority");
            if (lp != null && !lp.isNull()) {
                if (!lp.isBoolean()) {
                    throw new HearthException.BadRequest("'policy.lowPriority' must be true or false");
                }
                low = lp.asBoolean();
            }
        }
        try {
            return new SubmitRequest(Json.MAPPER.writeValueAsString(input), webhook, timeout, ttl, low);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Duration millis(JsonNode policy, String field, long min, long max) {
        JsonNode v = policy.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || v.asLong() < min || v.asLong() > max) {
            throw new HearthException.BadRequest("'policy." + field + "' must be milliseconds from " + min + " to "
                    + max + ", got " + v);
        }
        return Duration.ofMillis(v.asLong());
    }
}
