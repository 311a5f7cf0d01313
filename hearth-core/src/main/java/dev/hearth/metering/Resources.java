package dev.hearth.metering;

/**
 * What a worker holds and is billed for: {@code gpuCount} GPUs of {@code gpuType}, or, for a CPU-only worker
 * ({@code gpuType} null, {@code gpuCount} 0), {@code cpuCores} cores.
 */
public record Resources(String gpuType, int gpuCount, double cpuCores) {

    public Resources {
        if (gpuType == null ? gpuCount != 0 : gpuCount < 1) {
            throw new IllegalArgumentException("a GPU worker holds at least one GPU and a CPU worker none, got "
                    + gpuCount + " of " + gpuType);
        }
        if (!(cpuCores > 0)) {
            throw new IllegalArgumentException("cpuCores must be above 0, got " + cpuCores);
        }
    }

    public static Resources gpus(String type, int count, double cpuCores) {
        return new Resources(type, count, cpuCores);
    }

    public static Resources cpu(double cores) {
        return new Resources(null, 0, cores);
    }

    public boolean isGpu() {
        return gpuType != null;
    }

    @Override
    public String toString() {
        return isGpu() ? gpuCount + "x " + gpuType : cpuCores + " cpu";
    }
}
