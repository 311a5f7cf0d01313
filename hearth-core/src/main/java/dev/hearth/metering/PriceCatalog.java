package dev.hearth.metering;

import dev.hearth.functions.GpuRequest;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a second of a worker costs, per GPU type and price tier, in dollars. Built by {@link PriceCatalogParser} from
 * {@code prices.yaml}.
 *
 * @param gpus     per-GPU rates by type, matched ignoring case
 * @param otherGpu the rate of a GPU type not in {@code gpus}, or null to refuse unknown types
 * @param cpu      per-core rates of CPU-only workers
 */
public record PriceCatalog(Map<String, Rates> gpus, Rates otherGpu, Rates cpu) {

    public PriceCatalog {
        TreeMap<String, Rates> byType = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        byType.putAll(gpus);
        gpus = java.util.Collections.unmodifiableMap(byType);
        if (cpu == null) {
            throw new IllegalArgumentException("a price catalog needs a cpu rate");
        }
    }

    /** Dollars per second of one unit (a GPU, or a CPU core) in each tier. */
    public record Rates(BigDecimal onDemand, BigDecimal alwaysOn) {

        public Rates {
            if (onDemand.signum() < 0 || alwaysOn.signum() < 0) {
                throw new IllegalArgumentException("rates must not be negative");
            }
        }

        public BigDecimal of(PriceTier tier) {
            return tier == PriceTier.ALWAYS_ON ? alwaysOn : onDemand;
        }

        BigDecimal max() {
            return onDemand.max(alwaysOn);
        }
    }

    /** The rates of a GPU type, or null if it is not listed and there is no {@code otherGpu} rate. */
    public Rates gpu(String type) {
        Rates r = gpus.get(type);
        return r != null ? r : otherGpu;
    }

    /** Whether every GPU type can be priced. */
    public boolean prices(String gpuType) {
        return gpu(gpuType) != null;
    }

    /** Dollars per second of a worker holding {@code r} in {@code tier}. */
    public BigDecimal perSecond(Resources r, PriceTier tier) {
        if (!r.isGpu()) {
            return cpu.of(tier).multiply(BigDecimal.valueOf(r.cpuCores()));
        }
        Rates rates = gpu(r.gpuType());
        if (rates == null) {
            throw new IllegalArgumentException("the price catalog has no rate for GPU type '" + r.gpuType()
                    + "' and no 'otherGpu' rate; add one to prices.yaml");
        }
        return rates.of(tier).multiply(BigDecimal.valueOf(r.gpuCount()));
    }

    /** The cost of holding {@code r} for {@code millis} ms: the per-second rate times the time, to the nano-dollar. */
    public Money cost(Resources r, PriceTier tier, long millis) {
        if (millis < 0) {
            throw new IllegalArgumentException("a duration cannot be negative, got " + millis + " ms");
        }
        return Money.ofDollars(perSecond(r, tier).multiply(BigDecimal.valueOf(millis)).movePointLeft(3));
    }

    /**
     * The most one job of a function can cost: every attempt ({@code 1 + retries}) running for its whole execution
     * timeout on the dearest GPU type it accepts, at the on-demand or always-on rate, whichever is higher. Budgets
     * reserve this at submission, which is what keeps them from being overshot.
     *
     * @param gpu      the function's GPU request, or null for a CPU-only function
     * @param cpuCores the manifest's {@code cpu}
     */
    public Money maxJobCost(GpuRequest gpu, double cpuCores, Duration timeout, int retries) {
        BigDecimal perSecond;
        if (gpu == null) {
            perSecond = cpu.max().multiply(BigDecimal.valueOf(cpuCores));
        } else {
            perSecond = BigDecimal.ZERO;
            for (String type : gpu.types()) {
                if (type.equalsIgnoreCase(dev.hearth.functions.GpuRequest.ANY)) {
                    // any type: the dearest it could be given
                    for (Rates rates : gpus.values()) {
                        perSecond = perSecond.max(rates.max());
                    }
                    if (otherGpu != null) {
                        perSecond = perSecond.max(otherGpu.max());
                    }
                    continue;
                }
                Rates rates = gpu(type.endsWith("!") ? type.substring(0, type.length() - 1) : type);
                BigDecimal rate = rates != null ? rates.max() : BigDecimal.ZERO;
                perSecond = perSecond.max(rate);
            }
            perSecond = perSecond.multiply(BigDecimal.valueOf(gpu.count()));
        }
        BigDecimal millis = BigDecimal.valueOf(timeout.toMillis()).multiply(BigDecimal.valueOf(1L + retries));
        return Money.ofDollars(perSecond.multiply(millis).movePointLeft(3));
    }
}
