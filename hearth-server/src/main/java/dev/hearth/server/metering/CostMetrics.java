package dev.hearth.server.metering;

import dev.hearth.metering.JobCost;
import dev.hearth.metering.UsageInterval;
import dev.hearth.metering.UsageKind;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Cost counters for Prometheus, per function: {@code hearth_cost_usd_total{kind=starting|busy|idle|draining}},
 * {@code hearth_job_cost_usd_total}, and {@code hearth_gpu_seconds_total{kind=billed|busy}}, whose ratio is the GPU
 * utilization. They grow as usage intervals close (at the latest every checkpoint period of a running worker).
 * Doubles are fine here: these are for graphs; the store keeps the exact nano-dollars.
 */
public final class CostMetrics implements UsageSink {

    private final MeterRegistry registry;

    public CostMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void interval(UsageInterval i) {
        counter("hearth.cost.usd", "Billed worker cost in US dollars", i.function(), i.kind().wire())
                .increment(i.cost().dollars().doubleValue());
        double gpuSeconds = i.gpuMillis() / 1000.0;
        if (gpuSeconds > 0) {
            counter("hearth.gpu.seconds", "GPU-seconds billed, and of those busy with jobs", i.function(), "billed")
                    .increment(gpuSeconds);
            if (i.kind() == UsageKind.BUSY) {
                counter("hearth.gpu.seconds", "GPU-seconds billed, and of those busy with jobs", i.function(), "busy")
                        .increment(gpuSeconds);
            }
        }
    }

    @Override
    public void jobCost(JobCost c) {
        counter("hearth.job.cost.usd", "Cost of jobs (busy time at the worker's rate) in US dollars", c.function(),
                null).increment(c.cost().dollars().doubleValue());
    }

    /**
     * The registry's own counter: registering again finds the existing one, and a counter the metrics removed for a
     * deleted function is made anew (a cache here would keep counting into the removed one).
     */
    private Counter counter(String name, String description, String function, String kind) {
        var b = Counter.builder(name).description(description).tag("function", function);
        if (kind != null) {
            b.tag("kind", kind);
        }
        return b.register(registry);
    }
}
