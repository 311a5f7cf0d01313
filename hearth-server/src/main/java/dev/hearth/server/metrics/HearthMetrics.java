package dev.hearth.server.metrics;

import dev.hearth.functions.FunctionVersion;
import dev.hearth.jobs.Job;
import dev.hearth.scaling.WorkerPhase;
import dev.hearth.server.functions.FunctionRegistry;
import dev.hearth.server.jobs.JobEvents;
import dev.hearth.server.jobs.JobService;
import dev.hearth.server.workers.Worker;
import dev.hearth.server.workers.WorkerPool;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Prometheus metrics, per function: jobs by outcome, queue depth and age, in-flight jobs, workers by state, cold
 * starts, and latency histograms of queue delay, execution and end to end. Counters and timers follow job events;
 * gauges are refreshed from live state on each scrape.
 */
public final class HearthMetrics implements JobEvents {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final FunctionRegistry functions;
    private final JobService jobs;
    private final WorkerPool pool;
    private final ConcurrentHashMap<String, AtomicLong> gauges = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, io.micrometer.core.instrument.Meter> meters = new ConcurrentHashMap<>();

    public HearthMetrics(FunctionRegistry functions, JobService jobs, WorkerPool pool) {
        this.functions = functions;
        this.jobs = jobs;
        this.pool = pool;
    }

    @Override
    public void submitted(Job job) {
        counter("hearth.jobs.submitted", "Jobs accepted", job.function(), null).increment();
    }

    @Override
    public void started(Job job, Worker worker) {
        timer("hearth.job.queue.delay", "Time from submission to the start of execution", job.function())
                .record(Duration.ofMillis(job.delayTimeMs()));
        if (job.coldStart()) {
            counter("hearth.cold.starts", "Jobs that waited for a worker to start", job.function(), null).increment();
            timer("hearth.worker.cold.start", "Worker start-up time seen by a waiting job", job.function())
                    .record(Duration.ofMillis(job.initTimeMs()));
        }
    }

    @Override
    public void requeued(Job job, String reason) {
        counter("hearth.jobs.requeued", "Jobs sent back to the queue (lost lease, retry)", job.function(), null)
                .increment();
    }

    @Override
    public void finished(Job job) {
        counter("hearth.jobs.finished", "Jobs that reached a final state", job.function(), job.state().name())
                .increment();
        if (job.placedAt() != null && job.finishedAt() != null) {
            timer("hearth.job.execution", "Execution time", job.function())
                    .record(Duration.between(job.placedAt(), job.finishedAt()));
        }
        if (job.finishedAt() != null) {
            timer("hearth.job.end.to.end", "Time from submission to the final state", job.function())
                    .record(Duration.between(job.queuedAt(), job.finishedAt()));
        }
    }

    /** The registry behind {@code /metrics}, for meters kept by other parts (cost metrics). */
    public io.micrometer.core.instrument.MeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition, with gauges brought up to date first. */
    public String scrape() {
        for (FunctionVersion fn : functions.all()) {
            JobService.QueueStats q = jobs.stats(fn.name());
            gauge("hearth.queue.depth", "Jobs waiting", fn.name(), null).set(q.queued() + q.queuedLowPriority());
            gauge("hearth.jobs.in.progress", "Jobs running", fn.name(), null).set(q.inFlight());
            gauge("hearth.queue.oldest.age.ms", "Age of the oldest queued job in ms", fn.name(), null)
                    .set(jobs.oldestQueuedAge(fn.name()).toMillis());
            List<Worker> ws = pool.workers(fn.name());
            for (WorkerPhase phase : WorkerPhase.values()) {
                gauge("hearth.workers", "Workers by state", fn.name(), phase.name().toLowerCase())
                        .set(ws.stream().filter(w -> w.phase() == phase).count());
            }
        }
        return registry.scrape();
    }

    private Counter counter(String name, String description, String function, String status) {
        return (Counter) meters.computeIfAbsent(name + "|" + function + "|" + status, k -> {
            var b = Counter.builder(name).description(description).tag("function", function);
            if (status != null) {
                b.tag("status", status);
            }
            return b.register(registry);
        });
    }

    private Timer timer(String name, String description, String function) {
        return (Timer) meters.computeIfAbsent(name + "|" + function, k -> timerOf(name, description, function));
    }

    private Timer timerOf(String name, String description, String function) {
        return Timer.builder(name).description(description).tag("function", function)
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(100_000))
                .maximumExpectedValue(Duration.ofHours(1)).register(registry);
    }

    private AtomicLong gauge(String name, String description, String function, String state) {
        String key = name + "|" + function + "|" + state;
        return gauges.computeIfAbsent(key, k -> {
            AtomicLong value = new AtomicLong();
            var b = Gauge.builder(name, value, AtomicLong::get).description(description).tag("function", function);
            if (state != null) {
                b.tag("state", state);
            }
            b.register(registry);
            return value;
        });
    }
}
