package dev.hearth.server.api;

import dev.hearth.errors.HearthException;
import dev.hearth.functions.Durations;
import dev.hearth.functions.FunctionVersion;
import dev.hearth.jobs.Job;
import dev.hearth.jobs.JobSearch;
import dev.hearth.jobs.JobState;
import dev.hearth.jobs.JobTiming;
import dev.hearth.metering.Money;
import dev.hearth.metering.UsageInterval;
import dev.hearth.metering.UsageKind;
import dev.hearth.metering.UsageReport;
import dev.hearth.placement.Gpu;
import dev.hearth.server.functions.FunctionRegistry;
import dev.hearth.server.jobs.JobService;
import dev.hearth.server.metering.Metering;
import dev.hearth.server.scaling.ScalingSettings;
import dev.hearth.sim.History;
import dev.hearth.sim.HistoryJson;
import dev.hearth.sim.Latency;
import dev.hearth.sim.PlanJson;
import dev.hearth.sim.Planner;
import dev.hearth.sim.ScenarioException;
import dev.hearth.sim.Slo;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The cost planner's view of a function: {@code GET /v1/functions/{fn}/history} (what {@code hearth plan FUNCTION
 * --from-history} replays: the window's arrivals, execution and start-up times, the scaling in force, the fleet and
 * prices, and what was measured) and {@code GET /v1/functions/{fn}/plan} (that history run through the planner here,
 * for the dashboard's Planner page).
 */
final class PlannerRoutes {

    /** The most requests one history holds (the newest are kept); about 3 MB of JSON. */
    static final int REQUEST_LIMIT = 200_000;
    private static final Duration MAX_WINDOW = Duration.ofDays(7);
    /** Policies simulated at once for the dashboard: the server has other work to do. */
    private static final int PLAN_THREADS = 2;

    private final FunctionRegistry functions;
    private final JobService jobs;
    private final Metering metering;
    private final ScalingSettings settings;
    private final Supplier<List<Gpu>> fleet;
    private final InstantSource clock;

    PlannerRoutes(FunctionRegistry functions, JobService jobs, Metering metering, ScalingSettings settings,
                  Supplier<List<Gpu>> fleet, InstantSource clock) {
        this.functions = functions;
        this.jobs = jobs;
        this.metering = metering;
        this.settings = settings;
        this.fleet = fleet;
        this.clock = clock;
    }

    void register(Router r) {
        r.add("GET", "/v1/functions/{fn}/history", Router.Access.CLIENT, this::history)
                .add("GET", "/v1/functions/{fn}/plan", Router.Access.CLIENT, this::plan);
    }

    private void history(Call call) {
        call.json(200, HistoryJson.write(read(call)));
    }

    private void plan(Call call) {
        History h = read(call);
        String text = call.query("slo");
        Slo slo;
        try {
            slo = text == null || text.isBlank() ? h.defaultSlo() : Slo.parse(text);
        } catch (IllegalArgumentException e) {
            throw new HearthException.BadRequest("query parameter 'slo': " + e.getMessage());
        }
        try {
            var out = PlanJson.write(new Planner(PLAN_THREADS).plan(h.scenario(slo, null)));
            out.put("function", h.function());
            out.put("from", h.from().toString());
            out.put("to", h.to().toString());
            out.put("truncated", h.truncated());
            out.set("measured", HistoryJson.write(h).get("measured"));
            call.json(200, out);
        } catch (ScenarioException e) {
            throw new HearthException.Unprocessable(e.getMessage());
        }
    }

    private History read(Call call) {
        FunctionVersion v = functions.require(call.param("fn"));
        Duration window = window(call.query("since"));
        Instant to = clock.instant();
        Instant from = to.minus(window);
        String fn = v.name();

        // the requests submitted in the window: finished ones with their execution times, then those still open
        List<JobTiming> finished = new ArrayList<>(jobs.finishedSince(fn, from, REQUEST_LIMIT));
        boolean truncated = finished.size() >= REQUEST_LIMIT;
        List<long[]> requests = new ArrayList<>();
        List<Long> latencies = new ArrayList<>();
        int coldStarts = 0;
        for (JobTiming j : finished) {
            if (j.queuedAt().isBefore(from) || !j.finishedAt().isBefore(to)) {
                continue;
            }
            if (j.placedAt() == null) {
                continue; // cancelled or expired in the queue: it asked nothing of a worker
            }
            requests.add(new long[] {Duration.between(from, j.queuedAt()).toMillis(), j.executionMs()});
            latencies.add(j.endToEndMs());
            coldStarts += j.coldStart() ? 1 : 0;
        }
        for (Job j : jobs.search(new JobSearch(fn, EnumSet.of(JobState.IN_QUEUE, JobState.IN_PROGRESS), from, to,
                REQUEST_LIMIT))) {
            requests.add(new long[] {Duration.between(from, j.queuedAt()).toMillis(), -1});
        }
        requests.sort((a, b) -> Long.compare(a[0], b[0]));
        long[] at = new long[requests.size()];
        long[] exec = new long[requests.size()];
        for (int i = 0; i < at.length; i++) {
            at[i] = requests.get(i)[0];
            exec[i] = requests.get(i)[1];
        }

        // every worker of the function that became ready in the window: its start-up (starting) time
        metering.recorder().flush();
        List<UsageInterval> intervals = new ArrayList<>(metering.store().intervals(from, to, fn));
        metering.recorder().openIntervals().stream().filter(i -> fn.equals(i.function())).forEach(intervals::add);
        Map<String, Long> starting = new LinkedHashMap<>();
        Map<String, Instant> startedAt = new LinkedHashMap<>();
        Set<String> ready = new HashSet<>();
        for (UsageInterval i : intervals) {
            if (i.kind() == UsageKind.STARTING) {
                starting.merge(i.workerId(), i.millis(), Long::sum);
                startedAt.merge(i.workerId(), i.start(), (a, b) -> a.isBefore(b) ? a : b);
            } else if (i.kind() == UsageKind.BUSY || i.kind() == UsageKind.IDLE) {
                ready.add(i.workerId());
            }
        }
        // in the order the workers started: the planner replays them in that order
        long[] init = starting.keySet().stream().filter(ready::contains)
                .sorted((a, b) -> startedAt.get(a).compareTo(startedAt.get(b))).mapToLong(starting::get).toArray();
        Money cost = UsageReport.total(intervals, List.of()).billed();

        History.Measured measured = new History.Measured(latencies.size(), coldStarts,
                Latency.of(latencies.stream().mapToLong(Long::longValue).toArray()), cost);
        return new History(fn, from, to, v.manifest().gpu(), v.manifest().cpu(), v.manifest().priority(),
                settings.effective(v), fleet.get(), metering.prices().current(), at, exec, truncated,
                Arrays.copyOf(init, init.length), measured);
    }

    private static Duration window(String text) {
        if (text == null || text.isBlank()) {
            return Duration.ofHours(24);
        }
        Duration d;
        try {
            d = Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new HearthException.BadRequest("query parameter 'since': " + e.getMessage());
        }
        if (d.isZero() || d.isNegative() || d.compareTo(MAX_WINDOW) > 0) {
            throw new HearthException.BadRequest("query parameter 'since' must be above 0 and at most 7d, got '"
                    + text + "'");
        }
        return d;
    }
}
