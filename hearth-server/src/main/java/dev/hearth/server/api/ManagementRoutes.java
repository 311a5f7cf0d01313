package dev.hearth.server.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.errors.HearthException;
import dev.hearth.functions.Durations;
import dev.hearth.functions.FunctionManifest;
import dev.hearth.functions.FunctionVersion;
import dev.hearth.jobs.JobState;
import dev.hearth.releases.CanarySplit;
import dev.hearth.runtime.local.WorkerLogs;
import dev.hearth.server.functions.FunctionRegistry;
import dev.hearth.server.jobs.JobService;
import dev.hearth.server.scaling.ScalingEvents;
import dev.hearth.server.workers.Worker;
import dev.hearth.server.workers.WorkerCommands;
import dev.hearth.server.workers.WorkerPool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/** The management API at {@code /v1}: deploy and inspect functions, workers, jobs, logs and scaling events. */
final class ManagementRoutes {

    private static final long BUNDLE_LIMIT = 512L << 20;

    private final FunctionRegistry functions;
    private final JobService jobs;
    private final WorkerPool pool;
    private final WorkerCommands commands;
    private final ScalingEvents events;
    private final InstantSource clock;

    ManagementRoutes(FunctionRegistry functions, JobService jobs, WorkerPool pool, WorkerCommands commands,
                     ScalingEvents events, InstantSource clock) {
        this.functions = functions;
        this.jobs = jobs;
        this.pool = pool;
        this.commands = commands;
        this.events = events;
        this.clock = clock;
    }

    void register(Router r) {
        Router.Access c = Router.Access.CLIENT;
        r.add("POST", "/v1/functions", c, this::deploy)
                .add("GET", "/v1/functions", c, this::list)
                .add("GET", "/v1/functions/{fn}", c, this::get)
                .add("DELETE", "/v1/functions/{fn}", c, this::delete)
                .add("GET", "/v1/functions/{fn}/jobs", c, this::jobs)
                .add("GET", "/v1/functions/{fn}/logs", c, this::logs)
                .add("GET", "/v1/functions/{fn}/events", c, this::events)
                .add("GET", "/v1/workers", c, this::workers);
    }

    private void deploy(Call call) {
        String type = call.header("Content-Type");
        if (type != null && !type.startsWith("application/zip") && !type.startsWith("application/octet-stream")) {
            throw new HearthException.BadRequest("deploy takes the function's directory as a zip (Content-Type: "
                    + "application/zip) with hearth.yaml at its root; use `hearth deploy path/to/hearth.yaml`");
        }
        String canary = call.query("canary");
        Integer percent = canary == null ? null : CanarySplit.parsePercent(canary);
        FunctionVersion v = functions.deploy(call.body(BUNDLE_LIMIT, "deploys"), percent);
        Map<String, Object> body = new java.util.LinkedHashMap<>(Map.of("name", v.name(), "version", v.version(),
                "bundleSha256", v.bundleSha256(), "deployedAt", v.deployedAt().toString()));
        if (percent != null) {
            body.put("canaryPercent", percent);
        }
        call.json(201, body);
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
        int limit = (int) call.queryLong("limit", 50, 1, 1000);
        ObjectNode n = Json.MAPPER.createObjectNode();
        ArrayNode arr = n.putArray("jobs");
        String reason = pool.waitingReason(fn);
        jobs.jobs(fn, states, limit).forEach(j -> arr.add(StatusView.of(j, clock.instant(), reason)));
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
        for (Path f : files) {
            String id = f.getFileName().toString().replaceFirst("\\.log$", "");
            for (String line : WorkerLogs.tail(f, tail)) {
                out.append('[').append(id).append("] ").append(line).append('\n');
            }
        }
        call.text(200, "text/plain; charset=utf-8", out.toString());
    }

    private void events(Call call) {
        String fn = call.param("fn");
        functions.require(fn);
        ObjectNode n = Json.MAPPER.createObjectNode();
        ArrayNode arr = n.putArray("events");
        for (ScalingEvents.Event e : events.recent(fn)) {
            ObjectNode o = arr.addObject();
            o.put("at", e.at().toString());
            o.put("reason", e.reason());
        }
        call.json(200, n);
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
            ArrayNode g = o.putArray("gpus");
            w.gpus().forEach(x -> g.add(x.type() + ":" + x.index()));
            pool.pid(w.id()).ifPresent(pid -> o.put("pid", pid));
            o.put("startedAt", w.startedAt().toString());
            if (w.readyAt() != null) {
                o.put("initTime", w.initTimeMs());
            }
            o.put("inFlight", w.inFlightCount());
            o.put("jobsDone", w.jobsDone());
        }
        call.json(200, n);
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
        ObjectNode s = n.putObject("scaling");
        s.put("minWorkers", m.scaling().minWorkers());
        s.put("maxWorkers", m.scaling().maxWorkers());
        s.put("idleTimeout", Durations.format(m.scaling().idleTimeout()));
        s.put("concurrency", m.scaling().concurrency());
        JobService.QueueStats q = jobs.stats(v.name());
        n.put("workers", pool.workers(v.name()).size());
        n.put("inQueue", q.queued() + q.queuedLowPriority());
        n.put("inProgress", q.inFlight());
        return n;
    }
}
