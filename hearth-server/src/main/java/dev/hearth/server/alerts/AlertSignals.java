package dev.hearth.server.alerts;

import dev.hearth.alerts.AlertCondition;
import dev.hearth.budgets.BudgetStanding;
import dev.hearth.functions.FunctionVersion;
import dev.hearth.jobs.JobStats;
import dev.hearth.jobs.JobTiming;
import dev.hearth.metering.UsageStore;
import dev.hearth.server.functions.FunctionRegistry;
import dev.hearth.server.jobs.JobService;
import dev.hearth.server.workers.WorkerPool;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Measures what alert rules watch, from the figures the dashboard shows: the finished jobs' timings and outcomes that
 * {@code GET /v1/functions/{fn}/stats} reads ({@link JobService#finishedSince}, {@link JobStats}), the queue's oldest
 * job, the pool's crash loops and GPU waits, the recorded spend and the budgets. For all functions, the jobs of every
 * function count together, and states hold when they hold for any function. Values are in the metric's base unit;
 * null when there is nothing to measure.
 */
public final class AlertSignals {

    /** The most finished jobs looked at per function and evaluation, as the stats route does. */
    static final int SAMPLE_LIMIT = 5_000;

    private final FunctionRegistry functions;
    private final JobService jobs;
    private final WorkerPool pool;
    private final UsageStore usage;
    private final Supplier<List<BudgetStanding>> budgets;
    private final InstantSource clock;

    public AlertSignals(FunctionRegistry functions, JobService jobs, WorkerPool pool, UsageStore usage,
                        Supplier<List<BudgetStanding>> budgets, InstantSource clock) {
        this.functions = functions;
        this.jobs = jobs;
        this.pool = pool;
        this.usage = usage;
        this.budgets = budgets;
        this.clock = clock;
    }

    /**
     * One evaluation round: a function's recent jobs are read once, over the longest window of the round's rules, and
     * serve every rule (a shorter window's jobs are the newest of them, so the sample is the same as its own read's).
     */
    Round round(Duration longestWindow) {
        return new Round(clock.instant(), longestWindow);
    }

    final class Round {
        private final Instant now;
        private final Duration longestWindow;
        private final Map<String, List<JobTiming>> finished = new HashMap<>();

        private Round(Instant now, Duration longestWindow) {
            this.now = now;
            this.longestWindow = longestWindow;
        }

        /** The value of the condition's metric for the function (null: all functions). */
        Double measure(String function, AlertCondition c) {
            List<String> names = function != null ? List.of(function)
                    : functions.all().stream().map(FunctionVersion::name).toList();
            return switch (c.metric()) {
                case LATENCY_P50 -> seconds(endToEnd(names, c.window()).p50());
                case LATENCY_P95 -> seconds(endToEnd(names, c.window()).p95());
                case LATENCY_P99 -> seconds(endToEnd(names, c.window()).p99());
                case QUEUE_DELAY_P95 -> seconds(stats(names, c.window()).delay().p95());
                case FAILURE_RATE -> {
                    JobStats.Outcomes o = stats(names, c.window()).outcomes();
                    yield o.total() == 0 ? null : (double) (o.failed() + o.timedOut()) / o.total();
                }
                case COLD_START_SHARE -> {
                    JobStats s = stats(names, c.window());
                    yield s.outcomes().total() == 0 ? null : (double) s.coldStarts() / s.outcomes().total();
                }
                case QUEUE_AGE -> names.stream().mapToLong(fn -> jobs.oldestQueuedAge(fn).toMillis()).max()
                        .orElse(0) / 1000.0;
                case CRASH_LOOP -> names.stream().anyMatch(fn -> !pool.crashLoops(fn).isEmpty()) ? 1.0 : 0.0;
                case NO_FREE_GPU -> names.stream().anyMatch(this::waitingForGpus) ? 1.0 : 0.0;
                case SPEND_RATE -> usage.spentSince(function, now.minus(c.window())).nanos() / 1e9
                        / (c.window().toMillis() / 3_600_000.0);
                case BUDGET_SHARE -> budgets.get().stream()
                        .filter(b -> function == null || b.budget().covers(function))
                        .filter(b -> b.budget().limit().nanos() > 0)
                        .map(b -> (double) b.spent().nanos() / b.budget().limit().nanos())
                        .max(Double::compare).orElse(null);
            };
        }

        /** Jobs wait in the queue and the function's last worker start found no free GPU for it. */
        private boolean waitingForGpus(String fn) {
            if (!pool.lacksGpus(fn)) {
                return false;
            }
            JobService.QueueStats q = jobs.stats(fn);
            return q.queued() + q.queuedLowPriority() > 0;
        }

        /** The jobs that finished in the longest window, newest first; callers keep those of their own window. */
        private List<JobTiming> finished(List<String> names, Duration window) {
            if (window.compareTo(longestWindow) > 0) {
                throw new IllegalArgumentException("window " + window + " is longer than the round's " + longestWindow);
            }
            List<JobTiming> all = new ArrayList<>();
            for (String fn : names) {
                all.addAll(finished.computeIfAbsent(fn,
                        k -> jobs.finishedSince(fn, now.minus(longestWindow), SAMPLE_LIMIT)));
            }
            return all;
        }

        private JobStats stats(List<String> names, Duration window) {
            return JobStats.of(finished(names, window), now.minus(window), now.plusMillis(1), 1);
        }

        private JobStats.Percentiles endToEnd(List<String> names, Duration window) {
            Instant from = now.minus(window);
            return JobStats.Percentiles.of(finished(names, window).stream()
                    .filter(j -> !j.finishedAt().isBefore(from))
                    .map(JobTiming::endToEndMs).filter(Objects::nonNull).mapToLong(Long::longValue).toArray());
        }
    }

    private static Double seconds(Long ms) {
        return ms == null ? null : ms / 1000.0;
    }
}
