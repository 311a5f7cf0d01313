package dev.hearth.server.metrics;

import dev.hearth.functions.FunctionVersion;
import dev.hearth.jobs.Job;
import dev.hearth.jobs.JobState;
import dev.hearth.scaling.WorkerPhase;
import dev.hearth.server.functions.FunctionRegistry;
import dev.hearth.server.jobs.JobEvents;
import dev.hearth.server.jobs.JobService;
import dev.hearth.server.workers.ColdStarts;
import dev.hearth.server.workers.Worker;
import dev.hearth.server.workers.WorkerPool;
import dev.hearth.runtime.gpu.GpuUtilization;
import dev.hearth.server.timeline.TimelineRecorder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

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
    private volatile Supplier<List<GpuUtilization>> gpuSamples = List::of;
    private volatile String gpuNode = "local";

    public HearthMetrics(FunctionRegistry functions, JobService jobs, WorkerPool pool) {
        this.functions = functions;
        this.jobs = jobs;
        this.pool = pool;
        pool.coldStarts().listen(this::coldStart);
    }

    /** Each phase of a cold start its worker reported, tagged {@code phase}. */
    private void coldStart(ColdStarts.ColdStart c) {
        c.phases().asMap().forEach((phase, ms) -> ((Timer) meters.computeIfAbsent(
                "hearth.worker.cold.start.phase|" + c.function() + "|" + phase,
                k -> Timer.builder("hearth.worker.cold.start.phase")
                        .description("Phases of worker cold starts (process, imports, setup, firstTake, pooled)")
                        .tag("function", c.function()).tag("phase", phase)
                        .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(100_000))
                        .maximumExpectedValue(Duration.ofHours(1)).register(registry)))
                .record(Duration.ofMillis(ms)));
    }

    /** A function version went into a crash loop (see {@link dev.hearth.server.workers.CrashLoop}). */
    public void crashLooping(dev.hearth.server.workers.CrashLoop loop) {
        counter("hearth.crash.loops", "Function versions found crash looping (workers dying before their first job)",
                loop.function(), null).increment();
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
            initializeCounters(fn.name());
            JobService.QueueStats q = jobs.stats(fn.name());
            gauge("hearth.queue.depth", "Jobs waiting", fn.name(), null).set(q.queued() + q.queuedLowPriority());
            gauge("hearth.jobs.in.progress", "Jobs running", fn.name(), null).set(q.inFlight());
            seconds("hearth.queue.oldest.age", "Age of the oldest queued job", fn.name())
                    .set(jobs.oldestQueuedAge(fn.name()).toMillis());
            List<Worker> ws = pool.workers(fn.name());
            for (WorkerPhase phase : WorkerPhase.values()) {
                gauge("hearth.workers", "Workers by state", fn.name(), phase.name().toLowerCase())
                        .set(ws.stream().filter(w -> w.phase() == phase).count());
            }
        }
        forgetDeleted();
        gpuGauges();
        return registry.scrape();
    }

    /**
     * Reports GPU utilization from {@code samples} (the latest nvidia-smi sample; empty where it reports nothing),
     * as {@code hearth_gpu_utilization_percent} and {@code hearth_gpu_memory_used_bytes} per GPU.
     */
    public void reportGpus(Supplier<List<GpuUtilization>> samples, String node) {
        this.gpuSamples = samples;
        this.gpuNode = node;
    }

    /** Counts timeline events that could not be recorded, as {@code hearth_timeline_events_dropped_total}. */
    public void reportTimeline(TimelineRecorder timeline) {
        FunctionCounter.builder("hearth.timeline.events.dropped", timeline, TimelineRecorder::dropped)
                .description("Job timeline events not recorded because the store could not keep up or failed")
                .register(registry);
    }

    private void gpuGauges() {
        for (GpuUtilization g : gpuSamples.get()) {
            String key = Integer.toString(g.index());
            if (g.utilizationPercent() >= 0) {
                gpuGauge("hearth.gpu.utilization.percent", "GPU busy time over nvidia-smi's last sample period, 0-100",
                        key, null).set(g.utilizationPercent());
            }
            if (g.memoryUsedMiB() >= 0) {
                gpuGauge("hearth.gpu.memory.used", "GPU memory in use", key, "bytes").set(g.memoryUsedMiB() << 20);
            }
        }
    }

    private AtomicLong gpuGauge(String name, String description, String gpu, String unit) {
        return gauges.computeIfAbsent("gpu|" + name + "|" + gpu, k -> {
            AtomicLong value = new AtomicLong();
            var b = Gauge.builder(name, value, AtomicLong::get).description(description).tag("gpu", gpu)
                    .tag("node", gpuNode);
            if (unit != null) {
                b.baseUnit(unit);
            }
            b.register(registry);
            return value;
        });
    }

    /** Counters exist from the start at 0, so that rate() and increase() see their first increment. */
    private void initializeCounters(String function) {
        if (meters.containsKey("hearth.jobs.requeued|" + function + "|null")) {
            return;
        }
        counter("hearth.jobs.submitted", "Jobs accepted", function, null);
        counter("hearth.cold.starts", "Jobs that waited for a worker to start", function, null);
        for (JobState s : JobState.values()) {
            if (s.isFinal()) {
                counter("hearth.jobs.finished", "Jobs that reached a final state", function, s.name());
            }
        }
        counter("hearth.jobs.requeued", "Jobs sent back to the queue (lost lease, retry)", function, null);
        counter("hearth.crash.loops", "Function versions found crash looping (workers dying before their first job)",
                function, null);
    }

    /** A deleted function's series would otherwise report its last values forever. */
    private void forgetDeleted() {
        Set<String> live = new HashSet<>();
        functions.all().forEach(v -> live.add(v.name()));
        for (Meter m : registry.getMeters()) {
            String fn = m.getId().getTag("function");
            if (fn != null && !live.contains(fn)) {
                registry.remove(m);
                gauges.keySet().removeIf(k -> k.split("\\|", -1)[1].equals(fn));
                meters.keySet().removeIf(k -> k.split("\\|", -1)[1].equals(fn));
            }
        }
    }

    /** A gauge in seconds, set in ms: Prometheus wants base units. */
    private AtomicLong seconds(String name, String description, String function) {
        String key = name + "|" + function + "|s";
        return gauges.computeIfAbsent(key, k -> {
            AtomicLong ms = new AtomicLong();
            Gauge.builder(name, ms, v -> v.get() / 1000.0).description(description).baseUnit("seconds")
                    .tag("function", function).register(registry);
            return ms;
        });
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
