package dev.hearth.sim;

import java.util.SplittableRandom;

/** How long something takes (a job's execution, a worker's start-up), as the scenario describes it. */
public sealed interface Distribution {

    /** One draw, in whole milliseconds, never negative. */
    long sampleMillis(SplittableRandom random);

    /** The mean, in milliseconds. */
    double meanMillis();

    /** Draws in sequence for one run (a worker start after another), from {@code seed}. */
    default java.util.function.LongSupplier sampler(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        return () -> sampleMillis(random);
    }

    /** Always the same: {@code {fixed: 1s}}. */
    record Fixed(long millis) implements Distribution {

        public Fixed {
            if (millis < 0) {
                throw new IllegalArgumentException("a duration cannot be negative");
            }
        }

        @Override
        public long sampleMillis(SplittableRandom random) {
            return millis;
        }

        @Override
        public double meanMillis() {
            return millis;
        }
    }

    /** Exponential with this mean: {@code {exponential: 500ms}}; memoryless service, as queueing theory assumes. */
    record Exponential(double mean) implements Distribution {

        public Exponential {
            if (!(mean > 0)) {
                throw new IllegalArgumentException("the mean must be above 0");
            }
        }

        @Override
        public long sampleMillis(SplittableRandom random) {
            return Math.round(-mean * Math.log(1 - random.nextDouble()));
        }

        @Override
        public double meanMillis() {
            return mean;
        }
    }

    /**
     * Lognormal through a median and a 95th percentile: {@code {p50: 800ms, p95: 2s}}, the usual shape of request
     * latencies (a long right tail).
     */
    record LogNormal(double p50, double p95) implements Distribution {

        /** The standard normal's 95th percentile. */
        private static final double Z95 = 1.6448536269514722;

        public LogNormal {
            if (!(p50 > 0) || p95 < p50) {
                throw new IllegalArgumentException("p50 must be above 0 and p95 at least p50");
            }
        }

        private double sigma() {
            return (Math.log(p95) - Math.log(p50)) / Z95;
        }

        @Override
        public long sampleMillis(SplittableRandom random) {
            return Math.round(Math.exp(Math.log(p50) + sigma() * random.nextGaussian()));
        }

        @Override
        public double meanMillis() {
            double s = sigma();
            return p50 * Math.exp(s * s / 2);
        }
    }

    /**
     * Observed durations, each equally likely: a function's real execution or start-up times read from the server's
     * history ({@code hearth plan FUNCTION --from-history}).
     */
    record Empirical(long[] samples) implements Distribution {

        public Empirical {
            if (samples.length == 0) {
                throw new IllegalArgumentException("an empirical distribution needs at least one sample");
            }
            samples = samples.clone();
        }

        @Override
        public long sampleMillis(SplittableRandom random) {
            return Math.max(0, samples[random.nextInt(samples.length)]);
        }

        @Override
        public double meanMillis() {
            double sum = 0;
            for (long s : samples) {
                sum += s;
            }
            return sum / samples.length;
        }
    }

    /**
     * Observed durations replayed in the order they were observed, from the first again after the last: the start-up
     * times of a function's workers from the server's history, so that under the policy that ran the k-th worker
     * started takes as long as the k-th did. A single draw ({@link #sampleMillis}) is any one of them.
     */
    record InOrder(long[] observed) implements Distribution {

        public InOrder {
            if (observed.length == 0) {
                throw new IllegalArgumentException("a replayed distribution needs at least one observation");
            }
            observed = observed.clone();
        }

        @Override
        public long sampleMillis(SplittableRandom random) {
            return Math.max(0, observed[random.nextInt(observed.length)]);
        }

        @Override
        public double meanMillis() {
            return new Empirical(observed).meanMillis();
        }

        @Override
        public java.util.function.LongSupplier sampler(long seed) {
            int[] next = {0};
            return () -> Math.max(0, observed[next[0]++ % observed.length]);
        }
    }
}
