package dev.hearth.server.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.errors.HearthException;
import dev.hearth.jobs.Job;
import dev.hearth.jobs.JobEvent;
import dev.hearth.jobs.JobEventType;
import dev.hearth.scaling.ColdStartPhases;
import dev.hearth.server.functions.FunctionRegistry;
import dev.hearth.server.jobs.JobService;
import dev.hearth.server.timeline.JobLogs;
import dev.hearth.server.timeline.LogSlice;
import dev.hearth.server.timeline.TimelineRecorder;
import dev.hearth.server.timeline.TimelineRuns;
import dev.hearth.server.workers.Worker;
import dev.hearth.server.workers.WorkerCommands;
import dev.hearth.server.workers.WorkerPool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Job timelines and logs at {@code /v1}: {@code /v1/jobs/{id}/timeline}, {@code /v1/jobs/{id}/logs} and
 * {@code /v1/workers/{id}/logs?after=<offset>} (the cursor for following a worker's output).
 */
final class ObservabilityRoutes {

    private static final Pattern WORKER_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    private static final int MAX_READ = 1 << 20;

    private final JobService jobs;
    private final FunctionRegistry functions;
    private final WorkerPool pool;
    private final WorkerCommands commands;
    private final TimelineRecorder timeline;

    ObservabilityRoutes(JobService jobs, FunctionRegistry functions, WorkerPool pool, WorkerCommands commands,
                        TimelineRecorder timeline) {
        this.jobs = jobs;
        this.functions = functions;
        this.pool = pool;
        this.commands = commands;
        this.timeline = timeline;
    }

    void register(Router r) {
        Router.Access c = Router.Access.CLIENT;
        r.add("GET", "/v1/jobs/{id}/timeline", c, this::timeline)
                .add("GET", "/v1/jobs/{id}/logs", c, this::jobLogs)
                .add("GET", "/v1/workers/{id}/logs", c, this::workerLogs);
    }

    private Job job(Call call) {
        return jobs.get(call.param("id"));
    }

    private void timeline(Call call) {
        Job job = job(call);
        call.json(200, timelineJson(job, events(job)));
    }

    private java.util.List<JobEvent> events(Job job) {
        return job.state().isFinal() ? timeline.finalTimeline(job.id()) : timeline.timeline(job.id());
    }

    /**
     * The job's identity and state, and its events with offsets in ms from submission. Attempts count runs (leases),
     * including a run lost to a node drain or shutdown that the job's retry budget does not count; see
     * {@link TimelineRuns}.
     */
    static ObjectNode timelineJson(Job job, java.util.List<JobEvent> events) {
        TimelineRuns runs = TimelineRuns.of(events);
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("id", job.id());
        n.put("function", job.function());
        n.put("version", job.version());
        n.put("status", job.state().name());
        n.put("attempts", Math.max(job.attempts(), runs.runs()));
        n.put("requeues", runs.requeues());
        n.put("queueDelayMs", runs.queueDelayMs());
        n.put("lostRunMs", runs.lostRunMs());
        ArrayNode arr = n.putArray("events");
        // offsets count from submission: a worker started before the job came has a negative one
        Instant origin = events.stream().filter(e -> e.type() == JobEventType.QUEUED).map(JobEvent::at).findFirst()
                .orElse(job.queuedAt());
        for (TimelineRuns.Step s : runs.steps()) {
            JobEvent e = s.event();
            ObjectNode o = arr.addObject();
            o.put("type", e.type().wire());
            o.put("at", e.at().toString());
            o.put("offsetMs", e.at().toEpochMilli() - origin.toEpochMilli());
            o.put("attempt", s.run());
            if (e.workerId() != null) {
                o.put("workerId", e.workerId());
            }
            if (e.node() != null) {
                o.put("node", e.node());
            }
            if (e.version() != null) {
                o.put("version", e.version());
            }
            if (e.coldStart() != null) {
                o.put("coldStart", e.coldStart());
            }
            if (e.initTimeMs() != null) {
                o.put("initTimeMs", e.initTimeMs());
            }
            if (s.waitedMs() != null) {
                o.put("waitedMs", s.waitedMs());
            }
            if (s.runMs() != null) {
                o.put("runMs", s.runMs());
            }
            if (s.counted() != null) {
                o.put("counted", s.counted());
            }
            if (e.logOffset() != null) {
                o.put("logOffset", e.logOffset());
            }
            if (e.detail() != null) {
                o.put("detail", e.detail());
            }
            if (e.type() == JobEventType.WORKER_STARTED) {
                ColdStartPhases.parse(e.detail()).ifPresent(p -> {
                    ObjectNode phases = o.putObject("phases");
                    p.asMap().forEach(phases::put);
                });
                if (e.detail() != null && e.detail().matches("(?:.*; )?(warm|cold) cache.*")) {
                    o.put("cache", e.detail().replaceFirst("(?:.*; )?(warm|cold) cache.*", "$1"));
                }
            }
        }
        return n;
    }

    private void jobLogs(Call call) {
        Job job = job(call);
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("id", job.id());
        n.put("function", job.function());
        n.put("status", job.state().name());
        int concurrency = functions.latest(job.function()).map(v -> v.manifest().scaling().concurrency()).orElse(1);
        // honest about the limit: with concurrency > 1 other jobs' lines may be in the same slice
        n.put("shared", concurrency > 1);
        ArrayNode arr = n.putArray("segments");
        UnaryOperator<String> mask = commands.logMask(job.function());
        for (JobLogs.Segment s : JobLogs.of(job.function(), events(job), this::logFile)) {
            ObjectNode o = arr.addObject();
            o.put("attempt", s.attempt());
            o.put("workerId", s.workerId());
            o.put("running", s.running());
            o.put("from", s.slice().from());
            o.put("to", s.slice().to());
            o.put("truncated", s.slice().truncated());
            ArrayNode lines = o.putArray("lines");
            s.slice().lines().forEach(l -> lines.add(mask.apply(l)));
        }
        call.json(200, n);
    }

    private void workerLogs(Call call) throws IOException {
        String id = call.param("id");
        if (!WORKER_ID.matcher(id).matches()) {
            throw new HearthException.BadRequest("'" + id + "' is not a worker id; `hearth workers` lists them");
        }
        Optional<Worker> live = pool.workers(null).stream().filter(w -> w.id().equals(id)).findFirst();
        Path file = live.isPresent() ? logFile(live.get().function(), id) : findLogFile(id);
        if (file == null) {
            throw new HearthException.NotFound("no worker '" + id + "' and no log file of it");
        }
        boolean exited = live.isEmpty() || live.get().hasExited();
        long size = LogSlice.size(file);
        String after = call.query("after");
        LogSlice slice;
        if (after == null) {
            int tail = (int) call.queryLong("tail", 200, 0, 100_000);
            LogSlice end = LogSlice.read(file, 0, size, MAX_READ, !exited);
            java.util.List<String> lines = end.lines();
            slice = new LogSlice(end.from(), end.to(), lines.subList(Math.max(0, lines.size() - tail), lines.size()),
                    end.truncated() || lines.size() > tail);
        } else {
            long from = call.queryLong("after", 0, 0, Long.MAX_VALUE);
            // a cursor beyond the end means the file was replaced: start over
            slice = LogSlice.read(file, from > size ? 0 : from, -1, MAX_READ, !exited);
        }
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("workerId", id);
        n.put("function", file.getParent().getFileName().toString());
        n.put("exited", exited);
        n.put("from", slice.from());
        n.put("next", slice.to());
        ArrayNode lines = n.putArray("lines");
        UnaryOperator<String> mask = commands.logMask(file.getParent().getFileName().toString());
        slice.lines().forEach(l -> lines.add(mask.apply(l)));
        call.json(200, n);
    }

    private Path logFile(String function, String workerId) {
        return commands.logDir(function).resolve(workerId + ".log");
    }

    /** A worker that is gone: its log file is in the directory of its function, whichever that was. */
    private Path findLogFile(String workerId) throws IOException {
        Path root = commands.logDir("x").getParent();
        if (!Files.isDirectory(root)) {
            return null;
        }
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.map(d -> d.resolve(workerId + ".log")).filter(Files::isRegularFile).findFirst().orElse(null);
        }
    }
}
