package dev.hearth.server.metrics;

import dev.hearth.runtime.gpu.GpuUtilization;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Samples GPU utilization with nvidia-smi in the background, so that a scrape never waits for it (a call can take
 * seconds on a busy machine). Started only when the GPU inventory came from nvidia-smi.
 */
public final class GpuSampler implements Supplier<List<GpuUtilization>>, AutoCloseable {

    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("hearth-gpu-sampler").daemon().factory());
    private volatile List<GpuUtilization> latest = List.of();

    public GpuSampler(long periodSeconds) {
        thread.scheduleWithFixedDelay(() -> {
            try {
                latest = GpuUtilization.sample();
            } catch (RuntimeException e) {
                latest = List.of();
            }
        }, 0, periodSeconds, TimeUnit.SECONDS);
    }

    @Override
    public List<GpuUtilization> get() {
        return latest;
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
