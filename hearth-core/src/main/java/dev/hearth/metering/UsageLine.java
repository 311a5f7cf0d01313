package dev.hearth.metering;

import java.util.Map;

/**
 * One line of a usage report.
 *
 * @param key            the group: a function name, {@code name@version}, a date or a job id
 * @param costByKind     billed worker cost by what the workers were doing
 * @param millisByKind   worker time by kind
 * @param billedGpuMillis GPU-ms billed (every kind)
 * @param busyGpuMillis  GPU-ms spent holding jobs
 * @param jobs           distinct jobs with a cost in the group
 * @param jobCost        the sum of those jobs' costs
 * @param jobMillis      the sum of their busy time
 */
public record UsageLine(String key, Map<UsageKind, Money> costByKind, Map<UsageKind, Long> millisByKind,
                        long billedGpuMillis, long busyGpuMillis, long jobs, Money jobCost, long jobMillis) {

    public UsageLine {
        costByKind = Map.copyOf(costByKind);
        millisByKind = Map.copyOf(millisByKind);
    }

    /** All worker cost: starting, busy, idle and draining. */
    public Money billed() {
        Money m = Money.ZERO;
        for (Money v : costByKind.values()) {
            m = m.plus(v);
        }
        return m;
    }

    public Money cost(UsageKind kind) {
        return costByKind.getOrDefault(kind, Money.ZERO);
    }

    public long millis(UsageKind kind) {
        return millisByKind.getOrDefault(kind, 0L);
    }

    public long billedMillis() {
        return millisByKind.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * Busy over billed: GPU-seconds for GPU workers, worker-seconds for CPU-only ones; 1 - this is the waste that
     * scale-to-zero and shorter idle timeouts attack. NaN when nothing was billed.
     */
    public double utilization() {
        if (billedGpuMillis > 0) {
            return (double) busyGpuMillis / billedGpuMillis;
        }
        long billed = billedMillis();
        return billed == 0 ? Double.NaN : (double) millis(UsageKind.BUSY) / billed;
    }
}
