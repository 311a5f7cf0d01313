package dev.hearth.server.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.errors.HearthException;
import dev.hearth.functions.Durations;
import dev.hearth.functions.FunctionManifest;
import dev.hearth.functions.FunctionVersion;
import dev.hearth.jobs.Job;
import dev.hearth.jobs.JobSearch;
import dev.hearth.jobs.JobState;
import dev.hearth.releases.CanarySplit;
import dev.hearth.runtime.local.WorkerLogs;
import dev.hearth.server.functions.FunctionRegistry;
import dev.hearth.server.jobs.JobService;
import dev.hearth.server.workers.CrashLoop;
import dev.hearth.server.workers.Worker;
import dev.hearth.server.workers.WorkerCommands;
import dev.hearth.server.workers.WorkerPool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;

/** The management API at {@code /v1}: deploy and inspect functions, workers, jobs, logs and scaling events. */
final class ManagementRoutes {

    private static final long BUNDLE_LIMIT = 512L << 20;

    private final FunctionRegistry functions;
    private final JobService jobs;
    private final WorkerPool pool;
    private final WorkerCommands commands;
    private final ScalingRoutes scaling;
    private final InstantSource clock;

    ManagementRoutes(FunctionRegistry functions, JobService jobs, WorkerPool pool, WorkerCommands commands,
                     ScalingRoutes scaling, InstantSource clock) {
        this.functions = functions;
        this.jobs = jobs;
        this.pool = pool;
        this.commands = commands;
        this.scaling = scaling;
        this.clock = clock;
    }

    void register(Router r) {
        Router.Access c = Router.Access.CLIENT;
        r.add("POST", "/v1/functions", c, this::deploy)
                .add("GET", "/v1/functions", c, this::list)
                .add("GET", "/v1/functions/{fn}", c, this::get)
                .add("DELETE", "/v1/functions/{fn}", c, this::delete)
                .add("GET", "/v1/functions/{fn}/jobs", c, this::jobs)
                .add("GET", "/v1/jobs", c, this::searchJobs)
                .add("GET", "/v1/functions/{fn}/logs", c, this::logs)
                .add("POST", "/v1/functions/{fn}/restart", c, this::restart)
                .add("GET", "/v1/workers", c, this::workers)
                .add("GET", "/v1/nodes", c, this::nodes)
                .add("POST", "/v1/nodes/{node}/drain", c, this::drainNode)
                .add("POST", "/v1/nodes/{node}/undrain", c, this::undrainNode);
    }

    private void deploy(Call call) {
        String type = call.header("Content-Type");
        if (type != null && !type.startsWith("application/zip") && !type.startsWith("application/octet-stream")) {
            throw new HearthException.BadRequest("deploy takes the function's directory as a zip (Content-Type: "
                    + "application/zip) with hearth.yaml (or a Cog model's cog.yaml) at its root; use `hearth deploy "
                    + "path/to/hearth.yaml`");
        }
        String canary = call.query("canary");
        Integer percent = canary == null ? null : CanarySplit.parsePercent(canary);
        byte[] zip = call.body(BUNDLE_LIMIT, "deploys");
        boolean streamed = DeployProgress.wanted(call);
        DeployProgress progress = new DeployProgress(call);
        FunctionVersion v;
        try {
            v = functions.deploy(zip, percent, call.query("name"), streamed ? progress : line -> { });
        } catch (RuntimeException e) {
            // streamed: the problem ends the stream; anything unexpected is still logged by HttpApi after that
            if (!progress.failed(e) || !(e instanceof HearthException)) {
                throw e;
            }
            return;
        }
        call.audit(v.name(), "version " + v.version() + " (bundle " + v.bundleSha256().substring(0, 12) + ")"
                + (percent == null ? "" : " as a canary for " + percent + "%"));
        if (streamed) {
            progress.deployed(deployed(v, percent));
        } else {
            call.json(201, deployed(v, percent));
        }
    }

    private static Map<String, Object> deployed(FunctionVersion v, Integer percent) {
        Map<String, Object> body = new java.util.LinkedHashMap<>(Map.of("name", v.name(), "version", v.version(),
                "bundleSha256", v.bundleSha256(), "deployedAt", v.deployedAt().toString()));
        if (percent != null) {
            body.put("canaryPercent", percent);
        }
        return body;
    }

    private void list(Call call) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        ArrayNode arr = n.putArray("functions");
        functions.all().forEach(v -> arr.add(summary(v)));
        call.json(200, n);
    }

    private void get(Call call) {
        FunctionVersion v = functions.require(call.param("fn"));
        ObjectNode n = summary(v);
        n.put("manifest", v.manifestYaml());
        n.set("release", ReleaseRoutes.json(functions.release(v.name())));
        String reason = pool.waitingReason(v.name());
        if (reason != null) {
            n.put("reason", reason);
        }
        call.json(200, n);
    }

    /** Ends the function's crash loops and replaces its workers: for after fixing what they needed outside it. */
    private void restart(Call call) {
        String fn = call.param("fn");
        functions.require(fn);
        List<CrashLoop> cleared = pool.restart(fn, true);
        scaling.nudge();
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("name", fn);
        n.put("restarted", true);
        ArrayNode arr = n.putArray("clearedCrashLoops");
        cleared.forEach(l -> arr.add(l.version()));
        call.json(200, n);
    }

    private void delete(Call call) {
        String fn = call.param("fn");
        functions.require(fn);
        functions.delete(fn);
        jobs.cancelAll(fn);
        pool.drainAll(fn);
        call.json(200, Map.of("name", fn, "deleted", true));
    }

    private void jobs(Call call) {
        String fn = call.param("fn");
        functions.require(fn);
        listJobs(call, fn);
    }

    /** {@code GET /v1/jobs}: jobs of every function, or of {@code ?function=}, filtered like a function's jobs. */
    private void searchJobs(Call call) {
        String fn = call.query("function");
        if (fn != null && !fn.isBlank()) {
            functions.require(fn.trim());
        }
        listJobs(call, fn == null || fn.isBlank() ? null : fn.trim());
    }

    /** Newest first; {@code ?state=A,B}, {@code ?since=} and {@code ?until=} (submission time), {@code ?limit=}. */
    private void listJobs(Call call, String fn) {
        Set<JobState> states = EnumSet.noneOf(JobState.class);
        String s = call.query("state");
        if (s != null && !s.isBlank()) {
            for (String part : s.split(",")) {
                try {
                    states.add(JobState.valueOf(part.trim().toUpperCase()));
                } catch (IllegalArgumentException e) {
                    throw new HearthException.BadRequest("unknown state '" + part + "'; states are "
                            + List.of(JobState.values()));
                }
            }
        }
        Instant now = clock.instant();
        Instant since = call.queryInstant("since", now, null);
        Instant until = call.queryInstant("until", now, null);
        if (since != null && until != null && !since.isBefore(until)) {
            throw new HearthException.BadRequest("'since' (" + since + ") must be before 'until' (" + until + ")");
        }
        int limit = (int) call.queryLong("limit", 50, 1, 1000);
        ObjectNode n = Json.MAPPER.createObjectNode();
        ArrayNode arr = n.putArray("jobs");
        Map<String, String> reasons = new HashMap<>();
        for (Job j : jobs.search(new JobSearch(fn, states, since, until, limit))) {
            String reason = reasons.computeIfAbsent(j.function(), f -> Objects.requireNonNullElse(
                    pool.waitingReason(f), ""));
            ObjectNode o = StatusView.of(j, now, reason.isEmpty() ? null : reason);
            o.put("function", j.function());
            arr.add(o);
        }
        call.json(200, n);
    }

    private void logs(Call call) throws IOException {
        String fn = call.param("fn");
        String worker = call.query("worker");
        int tail = (int) call.queryLong("tail", 200, 1, 100_000);
        Path dir = commands.logDir(fn);
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(p -> p.getFileName().toString().endsWith(".log"))
                        .filter(p -> worker == null || p.getFileName().toString().equals(worker + ".log"))
                        .sorted((a, b) -> Long.compare(a.toFile().lastModified(), b.toFile().lastModified()))
                        .forEach(files::add);
            }
        }
        if (files.isEmpty() && functions.latest(fn).isEmpty()) {
            functions.require(fn);
        }
        StringBuilder out = new StringBuilder();
        java.util.function.UnaryOperator<String> mask = commands.logMask(fn);
        for (Path f : files) {
            String id = f.getFileName().toString().replaceFirst("\\.log$", "");
            for (String line : WorkerLogs.tail(f, tail)) {
                out.append('[').append(id).append("] ").append(mask.apply(line)).append('\n');
            }
        }
        call.text(200, "text/plain; charset=utf-8", out.toString());
    }

    private void workers(Call call) {
        String fn = call.query("function");
        ObjectNode n = Json.MAPPER.createObjectNode();
        ArrayNode arr = n.putArray("workers");
        for (Worker w : pool.workers(fn)) {
            ObjectNode o = arr.addObject();
            o.put("id", w.id());
            o.put("function", w.function());
            o.put("version", w.version());
            o.put("state", w.phase().name());
            o.put("node", w.node());
            ArrayNode g = o.putArray("gpus");
            var scheduled = pool.scheduled(w.id());
            if (scheduled.isPresent() && !scheduled.get().devices().isEmpty() && !w.gpus().isEmpty()) {
                // the cluster's scheduler chose which of the node's GPUs: those are the ones it uses
                for (String index : scheduled.get().devices().split(",")) {
                    g.add(w.gpus().getFirst().type() + ":" + index);
                }
            } else {
                w.gpus().forEach(x -> g.add(x.type() + ":" + x.index()));
            }
            scheduled.ifPresent(s -> {
                ObjectNode job = o.putObject("scheduler");
                job.put("job", s.job());
                job.put("state", s.state());
                if (s.reason() != null) {
                    job.put("reason", s.reason());
                }
            });
            pool.pid(w.id()).ifPresent(pid -> o.put("pid", pid));
            o.put("startedAt", w.startedAt().toString());
            if (w.readyAt() != null) {
                o.put("initTime", w.initTimeMs());
            }
            o.put("inFlight", w.inFlightCount());
            o.put("jobsDone", w.jobsDone());
        }
        // scaling.preinit: processes set up without a GPU, not workers until they are given one
        ArrayNode pooled = n.putArray("preinitialized");
        for (WorkerPool.PreinitProcess p : pool.preinitialized(fn)) {
            Worker w = p.process();
            ObjectNode o = pooled.addObject();
            o.put("id", w.id());
            o.put("function", w.function());
            o.put("version", w.version());
            o.put("state", p.waiting() ? "WAITING_FOR_GPU" : "SETTING_UP");
            pool.pid(w.id()).ifPresent(pid -> o.put("pid", pid));
            o.put("startedAt", w.startedAt().toString());
        }
        call.json(200, n);
    }

    private void nodes(Call call) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        ArrayNode arr = n.putArray("nodes");
        pool.nodes().all().forEach(s -> arr.add(NodeView.of(s, pool)));
        call.json(200, n);
    }

    private void drainNode(Call call) {
        String grace = call.query("grace");
        java.time.Duration period = java.time.Duration.ofSeconds(30);
        if (grace != null && !grace.isBlank()) {
            try {
                period = Durations.parse(grace);
            } catch (IllegalArgumentException e) {
                throw new HearthException.BadRequest("grace: " + e.getMessage());
            }
        }
        call.json(200, NodeView.of(pool.drainNode(call.param("node"), period), pool));
    }

    private void undrainNode(Call call) {
        call.json(200, NodeView.of(pool.undrainNode(call.param("node")), pool));
    }

    private ObjectNode summary(FunctionVersion v) {
        FunctionManifest m = v.manifest();
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("name", v.name());
        n.put("version", v.version());
        n.put("deployedAt", v.deployedAt().toString());
        n.put("runtime", m.runtime().name().toLowerCase());
        if (m.gpu() != null) {
            n.put("gpu", m.gpu().toString());
        }
        scaling.describe(n, v);
        JobService.QueueStats q = jobs.stats(v.name());
        n.put("workers", pool.workers(v.name()).size());
        n.put("inQueue", q.queued() + q.queuedLowPriority());
        n.put("inProgress", q.inFlight());
        List<CrashLoop> loops = pool.crashLoops(v.name());
        // two different troubles: a broken version, or one that waits its turn for GPUs (or an open node)
        n.put("state", !loops.isEmpty() ? "crashLooping" : pool.lacksGpus(v.name()) ? "waitingForGpu" : "ok");
        if (!loops.isEmpty()) {
            n.set("crashLoop", crashLoop(loops.getLast()));
        }
        return n;
    }

    static ObjectNode crashLoop(CrashLoop loop) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("version", loop.version());
        o.put("error", loop.error());
        o.put("failures", loop.failures());
        o.put("since", loop.since().toString());
        ArrayNode lines = o.putArray("lastLines");
        loop.lastLines().forEach(lines::add);
        return o;
    }
}
