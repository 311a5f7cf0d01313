package dev.hearth.runtime.gpu;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How busy one GPU is right now, for metrics and the dashboard.
 *
 * @param index              the GPU index, as in {@code CUDA_VISIBLE_DEVICES}
 * @param utilizationPercent 0..100, or -1 where the GPU does not report it (MIG instances)
 * @param memoryUsedMiB      memory in use, or -1 where not reported
 */
public record GpuUtilization(int index, int utilizationPercent, long memoryUsedMiB) {

    private static final System.Logger LOG = System.getLogger(GpuUtilization.class.getName());
    static final String[] QUERY = {"--query-gpu=index,utilization.gpu,memory.used", "--format=csv,noheader,nounits"};
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    // Sampled every few seconds: say once that there is nothing to sample, not on every tick.
    private static final AtomicBoolean unavailableLogged = new AtomicBoolean();

    /** Asks nvidia-smi now (at most 5 s); empty when it is missing or fails. */
    public static List<GpuUtilization> sample() {
        return sample(NvidiaSmi.DEFAULT_EXECUTABLE, TIMEOUT);
    }

    static List<GpuUtilization> sample(String executable, Duration timeout) {
        try {
            return parse(NvidiaSmi.query(executable, timeout, QUERY));
        } catch (IOException e) {
            if (unavailableLogged.compareAndSet(false, true)) {
                LOG.log(Level.INFO, "no GPU utilization: {0}", e.getMessage());
            }
            return List.of();
        }
    }

    /** Parses lines like {@code 0, 87, 40213}; lines that do not fit are skipped. */
    static List<GpuUtilization> parse(String output) {
        List<GpuUtilization> result = new ArrayList<>();
        for (String line : output.split("\\R")) {
            String[] f = NvidiaSmi.fields(line);
            if (f.length != 3) {
                continue;
            }
            try {
                int index = Integer.parseInt(f[0]);
                result.add(new GpuUtilization(index, (int) NvidiaSmi.number(f[1], -1), NvidiaSmi.number(f[2], -1)));
            } catch (NumberFormatException e) {
                // not a GPU line (a warning nvidia-smi printed to stdout)
            }
        }
        return List.copyOf(result);
    }
}
