package dev.hearth.sim;

import java.util.Arrays;
import java.util.SplittableRandom;

/** When a function's requests arrive. */
public sealed interface Traffic {

    /** The arrivals, drawing execution times from {@code execution} where the traffic does not give its own. */
    Arrivals generate(SplittableRandom random, Distribution execution);

    /** Whether every request brings its own execution time (a trace with an execution column). */
    default boolean hasExecutionTimes() {
        return false;
    }

    /** {@code poisson 2/s for 1h}: independent arrivals at a constant mean rate. */
    record Poisson(double perSecond, long durationMillis) implements Traffic {

        public Poisson {
            if (!(perSecond > 0) || durationMillis <= 0) {
                throw new IllegalArgumentException("the rate and the duration must be above 0");
            }
        }

        @Override
        public Arrivals generate(SplittableRandom random, Distribution execution) {
            return thinned(random, execution, durationMillis, perSecond, t -> perSecond);
        }
    }

    /**
     * {@code diurnal peak 10/s trough 0.1/s for 7d}: Poisson arrivals whose rate follows a day, from the trough at
     * midnight (the start) up a cosine to the peak at noon and back.
     */
    record Diurnal(double peakPerSecond, double troughPerSecond, long durationMillis) implements Traffic {

        private static final double DAY_MS = 86_400_000.0;

        public Diurnal {
            if (!(peakPerSecond > 0) || troughPerSecond < 0 || troughPerSecond > peakPerSecond || durationMillis <= 0) {
                throw new IllegalArgumentException("the peak must be above 0, the trough from 0 to the peak and the "
                        + "duration above 0");
            }
        }

        /** Requests per second at {@code t} ms from the start. */
        double rateAt(double t) {
            return troughPerSecond + (peakPerSecond - troughPerSecond) * (1 - Math.cos(2 * Math.PI * t / DAY_MS)) / 2;
        }

        @Override
        public Arrivals generate(SplittableRandom random, Distribution execution) {
            return thinned(random, execution, durationMillis, peakPerSecond, this::rateAt);
        }
    }

    /**
     * Arrival times (and maybe execution times) read from a trace file or a function's history.
     *
     * @param exec    each request's execution time in ms, -1 where it is not known (then drawn from the function's
     *                execution distribution); null when no request has one
     * @param horizon how long the traffic lasts, ms from the start; 0 for "until the last arrival"
     */
    record Replay(String source, long[] at, long[] exec, long horizon) implements Traffic {

        public Replay(String source, long[] at, long[] exec) {
            this(source, at, exec, 0);
        }

        @Override
        public Arrivals generate(SplittableRandom random, Distribution execution) {
            long[] e = exec != null ? exec.clone() : new long[at.length];
            for (int i = 0; i < e.length; i++) {
                if (exec == null || e[i] < 0) {
                    e[i] = execution.sampleMillis(random);
                }
            }
            long last = at.length == 0 ? 0 : at[at.length - 1] + 1;
            return new Arrivals(at, e, Math.max(last, horizon));
        }

        @Override
        public boolean hasExecutionTimes() {
            if (exec == null) {
                return false;
            }
            for (long e : exec) {
                if (e < 0) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * Invocation counts per minute (the Azure Functions 2019 trace): each minute's requests arrive at independent
     * uniformly random times within that minute, which is what a Poisson process conditioned on the count does.
     *
     * @param perMinute requests in each consecutive minute from the start
     */
    record PerMinute(String source, long[] perMinute) implements Traffic {

        private static final long MINUTE_MS = 60_000;

        @Override
        public Arrivals generate(SplittableRandom random, Distribution execution) {
            long total = 0;
            for (long n : perMinute) {
                total += n;
            }
            if (total > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException(source + " holds " + total + " requests, more than one run takes");
            }
            long[] at = new long[(int) total];
            int k = 0;
            for (int m = 0; m < perMinute.length; m++) {
                int from = k;
                for (long i = 0; i < perMinute[m]; i++) {
                    at[k++] = m * MINUTE_MS + random.nextLong(MINUTE_MS);
                }
                Arrays.sort(at, from, k);
            }
            long[] exec = new long[at.length];
            for (int i = 0; i < exec.length; i++) {
                exec[i] = execution.sampleMillis(random);
            }
            return new Arrivals(at, exec, perMinute.length * MINUTE_MS);
        }
    }

    /**
     * A Poisson process of rate {@code rate(t)} per second, by thinning one of rate {@code max} (Lewis and Shedler);
     * arrivals land on whole milliseconds, the server's precision.
     */
    private static Arrivals thinned(SplittableRandom random, Distribution execution, long duration, double max,
                                    java.util.function.DoubleUnaryOperator rate) {
        long[] at = new long[(int) Math.min(Integer.MAX_VALUE - 8, Math.max(16, max * duration / 1000 * 1.1 + 64))];
        long[] exec = new long[at.length];
        int n = 0;
        double t = 0;
        double meanGapMs = 1000 / max;
        while (true) {
            t += -meanGapMs * Math.log(1 - random.nextDouble());
            if (t >= duration) {
                break;
            }
            if (random.nextDouble() * max > rate.applyAsDouble(t)) {
                continue;
            }
            if (n == at.length) {
                at = Arrays.copyOf(at, n * 2);
                exec = Arrays.copyOf(exec, n * 2);
            }
            at[n] = (long) t;
            exec[n] = execution.sampleMillis(random);
            n++;
        }
        return new Arrivals(Arrays.copyOf(at, n), Arrays.copyOf(exec, n), duration);
    }
}
