package dev.hearth.metering;

import java.util.Locale;

/**
 * Which rate a worker is billed at, as RunPod prices them: always-on ("active") workers, the ones kept warm by
 * {@code minWorkers}, cost less per second than on-demand ("flex") workers started for a burst.
 */
public enum PriceTier {
    ALWAYS_ON,
    ON_DEMAND;

    /**
     * The tier of a worker about to start: the first {@code minWorkers} workers of a function are its always-on ones,
     * billed at that (lower) rate; any beyond them were started for load.
     *
     * @param workersNow the function's workers that have not exited yet, draining ones included
     */
    public static PriceTier forNewWorker(int workersNow, int minWorkers) {
        return workersNow < minWorkers ? ALWAYS_ON : ON_DEMAND;
    }

    public String wire() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static PriceTier fromWire(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT).replace('-', '_'));
    }
}
