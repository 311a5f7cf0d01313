package dev.hearth.server.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.errors.HearthException;
import dev.hearth.functions.Durations;
import dev.hearth.jobs.JobStats;
import dev.hearth.jobs.JobTiming;
import dev.hearth.scaling.ColdStartPhases;
import dev.hearth.server.functions.FunctionRegistry;
import dev.hearth.server.jobs.JobService;
import dev.hearth.server.workers.ColdStarts;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/functions/{fn}/stats}: queue delay and execution percentiles of the jobs that finished in a recent
 * window, overall and per time bucket, computed from the stored job timings (so they survive restarts, unlike
 * /metrics).
 */
final class StatsRoutes {

    /** The most finished jobs looked at per call (newest first); the answer says when the window held more. */
    static final int SAMPLE_LIMIT = 5_000;
    private static final Duration MIN_WINDOW = Duration.ofMinutes(1);
    private static final Duration MAX_WINDOW = Duration.ofDays(1);

    private final FunctionRegistry functions;
    private final JobService jobs;
    private final InstantSource clock;
    private final ColdStarts coldStarts;

    StatsRoutes(FunctionRegistry functions, JobService jobs, InstantSource clock, ColdStarts coldStarts) {
        this.functions = functions;
        this.jobs = jobs;
        this.clock = clock;
        this.coldStarts = coldStarts;
    }

    void register(Router r) {
        r.add("GET", "/v1/functions/{fn}/stats", Router.Access.CLIENT, this::stats);
    }

    private void stats(Call call) {
        String fn = call.param("fn");
        functions.require(fn);
        Duration window = window(call.query("window"));
        int bucketCount = (int) call.queryLong("buckets", 30, 1, 240);
        Instant to = clock.instant();
        List<JobTiming> finished = jobs.finishedSince(fn, to.minus(window), SAMPLE_LIMIT);
        JobStats s = JobStats.of(finished, to.minus(window), to, bucketCount);

        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("function", fn);
        n.put("window", Durations.format(window));
        n.put("from", s.from().toString());
        n.put("to", s.to().toString());
        n.put("bucketSeconds", window.toMillis() / bucketCount / 1000.0);
        n.put("sampled", finished.size());
        n.put("truncated", finished.size() >= SAMPLE_LIMIT);
        outcomes(n.putObject("jobs"), s.outcomes());
        n.put("coldStarts", s.coldStarts());
        percentiles(n.putObject("delayTime"), s.delay());
        percentiles(n.putObject("executionTime"), s.execution());
        // end to end, submission to result: what a caller waits and what the planner's SLO is about
        percentiles(n.putObject("latency"), JobStats.Percentiles.of(finished.stream()
                .filter(j -> !j.finishedAt().isBefore(s.from()) && j.finishedAt().isBefore(s.to()))
                .map(JobTiming::endToEndMs).filter(java.util.Objects::nonNull).mapToLong(Long::longValue).toArray()));
        coldStartPhases(n.putObject("coldStartPhases"), coldStarts.since(fn, to.minus(window)));
        ArrayNode buckets = n.putArray("buckets");
        for (JobStats.Bucket b : s.buckets()) {
            ObjectNode o = buckets.addObject();
            o.put("start", b.start().toString());
            outcomes(o.putObject("jobs"), b.outcomes());
            percentiles(o.putObject("delayTime"), b.delay());
            percentiles(o.putObject("executionTime"), b.execution());
        }
        call.json(200, n);
    }

    /**
     * Per phase of the cold starts in the window that reported phases (kept in memory: the last ones since the
     * server started): their count and percentiles, and how many were served by pre-initialized workers.
     */
    private static void coldStartPhases(ObjectNode n, List<ColdStarts.ColdStart> starts) {
        n.put("count", starts.size());
        n.put("preinitialized", starts.stream().filter(c -> c.phases().preinitialized()).count());
        Map<String, List<Long>> byPhase = new LinkedHashMap<>();
        for (String phase : List.of(ColdStartPhases.PROCESS, ColdStartPhases.IMPORTS, ColdStartPhases.SETUP,
                ColdStartPhases.FIRST_TAKE, ColdStartPhases.POOLED)) {
            byPhase.put(phase, new ArrayList<>());
        }
        for (ColdStarts.ColdStart c : starts) {
            c.phases().asMap().forEach((phase, ms) -> byPhase.get(phase).add(ms));
        }
        byPhase.forEach((phase, samples) -> percentiles(n.putObject(phase),
                JobStats.Percentiles.of(samples.stream().mapToLong(Long::longValue).toArray())));
    }

    private static Duration window(String text) {
        if (text == null || text.isBlank()) {
            return Duration.ofMinutes(15);
        }
        Duration d;
        try {
            d = Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new HearthException.BadRequest("query parameter 'window': " + e.getMessage());
        }
        if (d.compareTo(MIN_WINDOW) < 0 || d.compareTo(MAX_WINDOW) > 0) {
            throw new HearthException.BadRequest("query parameter 'window' must be between 1m and 24h, got '" + text
                    + "'");
        }
        return d;
    }

    private static void outcomes(ObjectNode n, JobStats.Outcomes o) {
        n.put("completed", o.completed());
        n.put("failed", o.failed());
        n.put("timedOut", o.timedOut());
        n.put("cancelled", o.cancelled());
    }

    private static void percentiles(ObjectNode n, JobStats.Percentiles p) {
        n.put("count", p.count());
        n.put("p50", p.p50());
        n.put("p95", p.p95());
        n.put("p99", p.p99());
        n.put("max", p.max());
    }
}
