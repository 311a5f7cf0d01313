package dev.hearth.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.errors.HearthException;
import dev.hearth.jobs.Job;
import dev.hearth.placement.Gpu;
import dev.hearth.scaling.ColdStartPhases;
import dev.hearth.server.jobs.AcceptedResults;
import dev.hearth.server.jobs.JobService;
import dev.hearth.server.jobs.WorkerResult;
import dev.hearth.server.workers.Worker;
import dev.hearth.server.workers.WorkerCommands;
import dev.hearth.server.workers.WorkerPool;
import dev.hearth.server.workers.WorkerRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The worker protocol (RunPod's): job-take long-polls, job-done results, stream chunks, heartbeats and the stop
 * channel. Each call is authenticated with the calling worker's own token.
 */
final class WorkerRoutes {

    private static final Duration TAKE_WAIT = Duration.ofSeconds(20);
    private static final long RESULT_LIMIT = 64L << 20;

    private final JobService jobs;
    private final WorkerRegistry workers;
    private final WorkerPool pool;

    WorkerRoutes(JobService jobs, WorkerRegistry workers, WorkerPool pool) {
        this.jobs = jobs;
        this.workers = workers;
        this.pool = pool;
    }

    void register(Router r) {
        Router.Access w = Router.Access.WORKER;
        r.add("GET", "/v2/{fn}/job-take/{worker}", w, this::take)
                .add("GET", "/v2/{fn}/job-take-batch/{worker}", w, this::takeBatch)
                .add("GET", "/v2/{fn}/job-stop/{worker}", w, this::stop)
                .add("POST", "/v2/{fn}/job-done/{worker}/{job}", w, this::done)
                .add("POST", "/v2/{fn}/job-done-batch/{worker}", w, this::doneBatch)
                .add("POST", "/v2/{fn}/job-stream/{worker}/{job}", w, this::stream)
                .add("GET", "/v2/{fn}/ping/{worker}", w, this::ping)
                .add("GET", "/v2/{fn}/preinit-wait/{worker}", w, this::preinitWait);
    }

    /**
     * The calling worker, by its token: in the Authorization header, or in the URL's {@code hearth_token} (the URLs a
     * worker is given carry it, and runpod-python keeps their query: it sends the key of a {@code
     * ~/.runpod/config.toml} or {@code RUNPOD_API_KEY} in the header instead of {@code RUNPOD_AI_API_KEY} when one is
     * set). Refusals of a known worker are counted, so that its jobs say why they wait.
     */
    private Worker worker(Call call) {
        String fn = call.param("fn");
        String id = call.param("worker");
        Optional<Worker> w = workers.authenticate(fn, id, ApiKeys.bearer(call.header("Authorization")));
        String inUrl = call.query(WorkerCommands.TOKEN_PARAM);
        if (w.isEmpty() && inUrl != null) {
            w = workers.authenticate(fn, id, inUrl);
        }
        if (w.isEmpty()) {
            workers.find(id).filter(known -> known.function().equals(fn)).ifPresent(pool::refused);
            throw new HearthException.Unauthorized("unknown worker '" + id + "' or wrong worker token for function '"
                    + fn + "'");
        }
        w.get().accepted();
        call.authenticatedWorker();
        return w.get();
    }

    /** The worker's take; its first ends its cold start, with the phases it reports (Hearth's hearth_boot). */
    private Worker taking(Call call) {
        Worker w = worker(call);
        pool.taking(w, call.query("hearth_boot"));
        return w;
    }

    private void take(Call call) throws InterruptedException {
        List<Job> taken = jobs.take(taking(call), 1, TAKE_WAIT);
        if (taken.isEmpty()) {
            call.empty(204);
        } else {
            call.json(200, jobView(taken.getFirst()));
        }
    }

    private void takeBatch(Call call) throws InterruptedException {
        int size = (int) call.queryLong("batch_size", 1, 1, 1000);
        List<Job> taken = jobs.take(taking(call), size, TAKE_WAIT);
        if (taken.isEmpty()) {
            call.empty(204);
            return;
        }
        call.json(200, jobList(taken));
    }

    private static ArrayNode jobList(List<Job> taken) {
        ArrayNode list = Json.MAPPER.createArrayNode();
        taken.forEach(j -> list.add(jobView(j)));
        return list;
    }

    private void stop(Call call) throws InterruptedException {
        List<String> ids = worker(call).awaitJobsToStop(TAKE_WAIT);
        if (ids.isEmpty()) {
            call.empty(204);
        } else {
            call.json(200, Map.of("jobsToStop", ids));
        }
    }

    private void done(Call call) {
        Worker w = worker(call);
        JsonNode body = call.jsonAsSent(RESULT_LIMIT, "job results");
        if (!body.isObject()) {
            throw new HearthException.BadRequest("a job result must be a JSON object such as {\"output\": ...}");
        }
        jobs.result(w, call.param("job"), workerResult(body, "true".equalsIgnoreCase(call.query("isStream"))));
        call.json(200, Map.of("accepted", true));
    }

    /**
     * Hearth's addition to the protocol: several results in one post, {@code {"results": [{"id", "output" | "error",
     * "isStream", "stopPod"}]}}. Each is accepted or refused on its own, as job-done would. With {@code ?take=N} the
     * answer also carries up to N next jobs ({@code "jobs"}, as job-take-batch lists them) for the slots the results
     * freed, without waiting for any: a busy worker then needs one request per batch of jobs instead of two. Workers
     * that batch inputs for their handler are given none this way.
     */
    private void doneBatch(Call call) throws InterruptedException {
        Worker w = worker(call);
        int take = (int) call.queryLong("take", 0, 0, 1000);
        JsonNode body = call.jsonAsSent(RESULT_LIMIT, "job results");
        JsonNode list = body.isObject() ? body.get("results") : body;
        if (list == null || !list.isArray()) {
            throw new HearthException.BadRequest("a batch of results must be {\"results\": [{\"id\": ..., "
                    + "\"output\": ...}, ...]}");
        }
        List<JobService.ResultItem> items = new ArrayList<>(list.size());
        for (JsonNode item : list) {
            if (!item.isObject() || !item.path("id").isTextual()) {
                throw new HearthException.BadRequest("each result in a batch must be an object with the job's "
                        + "\"id\"");
            }
            items.add(new JobService.ResultItem(item.get("id").asText(),
                    workerResult(item, item.path("isStream").asBoolean(false))));
        }
        AcceptedResults accepted = jobs.acceptResults(w, items);
        List<HearthException> refused = accepted.refused();
        ArrayNode answers = Json.MAPPER.createArrayNode();
        for (int i = 0; i < items.size(); i++) {
            ObjectNode a = answers.addObject().put("id", items.get(i).jobId());
            HearthException e = refused.get(i);
            if (e == null) {
                a.put("status", 200);
            } else {
                a.put("status", ErrorStatus.of(e).status()).put("detail", e.getMessage());
            }
        }
        ObjectNode answer = Json.MAPPER.createObjectNode();
        answer.set("results", answers);
        try {
            if (take > 0 && w.batch() == null) {
                // (a batching worker's take waits to fill a batch: it keeps to job-take-batch)
                List<Job> next = jobs.take(w, take, Duration.ZERO);
                if (!next.isEmpty()) {
                    answer.set("jobs", jobList(next));
                }
            }
            call.json(200, answer);
        } finally {
            // after answering: the worker runs its next jobs while the store commits these results; and whatever
            // happened to the answer, the accepted results are published
            accepted.publish();
        }
    }

    private static WorkerResult workerResult(JsonNode body, boolean isStream) {
        boolean progress = "IN_PROGRESS".equals(body.path("status").asText(null));
        JsonNode out = body.get("output");
        JsonNode err = body.get("error");
        String error = err == null || err.isNull() ? null : err.isTextual() ? err.asText() : write(err);
        return new WorkerResult(out == null || out.isNull() ? null : write(out), error, progress, isStream,
                body.path("stopPod").asBoolean(false));
    }

    private void stream(Call call) {
        Worker w = worker(call);
        JsonNode body = call.jsonAsSent(RESULT_LIMIT, "stream chunks");
        JsonNode chunk = body.isObject() && body.has("output") ? body.get("output") : body;
        jobs.streamChunk(w, call.param("job"), write(chunk));
        call.json(200, Map.of("accepted", true));
    }

    private void ping(Call call) {
        Worker w = worker(call);
        if ("unhealthy".equals(call.query("status"))) {
            pool.startFailed(w, "it reported unhealthy: " + call.query("check") + ": " + call.query("reason"));
        } else {
            String ids = call.query("job_id"); // omitted by an idle worker
            jobs.heartbeat(w, ids == null || ids.isBlank() ? Set.of() : new HashSet<>(Arrays.asList(ids.split(","))));
        }
        call.json(200, Map.of("ok", true));
    }

    /**
     * Hearth's addition for pre-initialized workers ({@code scaling.preinit}): the process, set up and holding no
     * GPU, long-polls until it is given GPUs: {@code {"gpus": [0, 1], "gpuType": "H100"}}, or 204 to ask again. It
     * reports the moments of its start ({@code hearth_boot}) and, in {@code cuda}, why its setup() already
     * initialized CUDA, in which case it is not used (409).
     */
    private void preinitWait(Call call) throws InterruptedException {
        String token = ApiKeys.bearer(call.header("Authorization"));
        Optional<List<Gpu>> gpus = pool.awaitGpus(call.param("fn"), call.param("worker"), token,
                ColdStartPhases.parseMarks(call.query("hearth_boot")), call.query("cuda"), TAKE_WAIT);
        if (gpus.isEmpty()) {
            call.empty(204);
            return;
        }
        ObjectNode n = Json.MAPPER.createObjectNode();
        ArrayNode ids = n.putArray("gpus");
        gpus.get().forEach(g -> ids.add(g.index()));
        n.put("gpuType", gpus.get().isEmpty() ? "" : gpus.get().getFirst().type());
        call.json(200, n);
    }

    private static ObjectNode jobView(Job job) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("id", job.id());
        n.set("input", StatusView.raw(job.input()));
        return n;
    }

    private static String write(JsonNode node) {
        try {
            return Json.MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
