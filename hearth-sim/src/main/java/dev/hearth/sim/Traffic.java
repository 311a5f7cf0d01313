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

    /** Arrival times (and maybe execution times) read from a trace file. */
    record Replay(String source, long[] at, long[] exec) implements Traffic {

        @Override
        public Arrivals generate(SplittableRandom random, Distribution execution) {
            long[] e = exec != null ? exec : new long[at.length];
            if (exec == null) {
                for (int i = 0; i < e.length; i++) {
                    e[i] = execution.sampleMillis(random);
                }
            }
            return new Arrivals(at, e, at.length == 0 ? 0 : at[at.length - 1] + 1);
        }

        @Override
        public boolean hasExecutionTimes() {
            return exec != null;
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
