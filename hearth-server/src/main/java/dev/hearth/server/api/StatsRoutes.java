package dev.hearth.server.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.errors.HearthException;
import dev.hearth.functions.Durations;
import dev.hearth.jobs.JobStats;
import dev.hearth.jobs.JobTiming;
import dev.hearth.server.functions.FunctionRegistry;
import dev.hearth.server.jobs.JobService;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;

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

    StatsRoutes(FunctionRegistry functions, JobService jobs, InstantSource clock) {
        this.functions = functions;
        this.jobs = jobs;
        this.clock = clock;
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
