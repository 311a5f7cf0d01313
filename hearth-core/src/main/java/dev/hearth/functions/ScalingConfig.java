package dev.hearth.functions;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * How many workers a function may have, how the autoscaler sizes them and when they go away.
 *
 * @param minWorkers        workers kept running even without work (RunPod's active workers, Modal's min_containers)
 * @param maxWorkers        the most workers at once
 * @param idleTimeout       how long a worker may sit idle before it is scaled down (Modal's scaledown_window)
 * @param concurrency       jobs one worker runs at once (its hard limit)
 * @param bufferWorkers     extra idle workers kept while the function has work (Modal's buffer_containers)
 * @param targetConcurrency jobs per worker the autoscaler aims for; at most {@code concurrency}, default equal to it
 * @param scaler            how demand becomes workers
 * @param scalerValue       the scaler's parameter (jobs per worker, or seconds of queue delay); 0 for its default,
 *                          see {@link #effectiveScalerValue()}
 * @param schedule          scheduled floors: extra minimum workers at known busy hours
 * @param preinit           processes per version kept with the handler imported and {@code setup()} run, holding
 *                          no GPU, so that a cold start on a GPU only hands one its devices
 */
public record ScalingConfig(int minWorkers, int maxWorkers, Duration idleTimeout, int concurrency, int bufferWorkers,
                            double targetConcurrency, Scaler scaler, double scalerValue,
                            List<ScheduledFloor> schedule, int preinit) {

    /** The queue delay scaler's threshold when none is given, as RunPod's default. */
    public static final double DEFAULT_QUEUE_DELAY_SECONDS = 4;

    /**
     * The smallest targetConcurrency or scalerValue: demand is divided by them, and tinier divisors ask for absurd
     * worker counts.
     */
    static final double MIN_FRACTION = 0.001;
    /** The largest scalerValue: a million jobs per worker, or about 11 days of queue delay. */
    static final double MAX_SCALER_VALUE = 1_000_000;
    public static final ScalingConfig DEFAULT = new ScalingConfig(0, 3, Duration.ofSeconds(60), 1);

    /**
     * Validates every field.
     *
     * @throws IllegalArgumentException naming the field, as {@code 'scaling.<field>' ...}
     */
    public ScalingConfig {
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(scaler, "scaler");
        schedule = List.copyOf(schedule);
        if (minWorkers < 0) {
            throw new IllegalArgumentException("'scaling.minWorkers' must be 0 or more, got " + minWorkers);
        }
        if (maxWorkers < 1) {
            throw new IllegalArgumentException("'scaling.maxWorkers' must be at least 1, got " + maxWorkers);
        }
        if (maxWorkers < minWorkers) {
            throw new IllegalArgumentException("'scaling.maxWorkers' (" + maxWorkers
                    + ") must be at least 'scaling.minWorkers' (" + minWorkers + ")");
        }
        if (idleTimeout.isNegative()) {
            throw new IllegalArgumentException("'scaling.idleTimeout' must be 0 or more");
        }
        if (concurrency < 1) {
            throw new IllegalArgumentException("'scaling.concurrency' must be at least 1, got " + concurrency);
        }
        if (bufferWorkers < 0) {
            throw new IllegalArgumentException("'scaling.bufferWorkers' must be 0 or more, got " + bufferWorkers);
        }
        if (!(targetConcurrency >= MIN_FRACTION) || targetConcurrency > concurrency) {
            throw new IllegalArgumentException("'scaling.targetConcurrency' must be from " + MIN_FRACTION
                    + " to 'scaling.concurrency' (" + concurrency + "), got " + targetConcurrency);
        }
        if (scalerValue != 0 && !(scalerValue >= MIN_FRACTION && scalerValue <= MAX_SCALER_VALUE)) {
            throw new IllegalArgumentException("'scaling.scalerValue' must be at least " + MIN_FRACTION
                    + " and at most " + (long) MAX_SCALER_VALUE + " (jobs per worker, or seconds of queue delay), got "
                    + scalerValue);
        }
        if (preinit < 0) {
            throw new IllegalArgumentException("'scaling.preinit' must be 0 or more, got " + preinit);
        }
        for (ScheduledFloor f : schedule) {
            if (f.minWorkers() > maxWorkers) {
                throw new IllegalArgumentException("'scaling.schedule' asks for minWorkers " + f.minWorkers()
                        + " at '" + f.cron() + "', more than 'scaling.maxWorkers' (" + maxWorkers + ")");
            }
        }
    }

    /** Without pre-initialized workers. */
    public ScalingConfig(int minWorkers, int maxWorkers, Duration idleTimeout, int concurrency, int bufferWorkers,
                         double targetConcurrency, Scaler scaler, double scalerValue, List<ScheduledFloor> schedule) {
        this(minWorkers, maxWorkers, idleTimeout, concurrency, bufferWorkers, targetConcurrency, scaler, scalerValue,
                schedule, 0);
    }

    /**
     * The shape older callers use: requestCount scaling at full concurrency, no buffer, no schedule.
     */
    public ScalingConfig(int minWorkers, int maxWorkers, Duration idleTimeout, int concurrency) {
        this(minWorkers, maxWorkers, idleTimeout, concurrency, 0, concurrency, Scaler.REQUEST_COUNT, 0, List.of());
    }

    /** The scaler's parameter: {@code scalerValue}, or its default (targetConcurrency jobs; 4 s of delay). */
    public double effectiveScalerValue() {
        if (scalerValue > 0) {
            return scalerValue;
        }
        return scaler == Scaler.REQUEST_COUNT ? targetConcurrency : DEFAULT_QUEUE_DELAY_SECONDS;
    }

    /** minWorkers, raised by any scheduled floor active at {@code now}. */
    public int minWorkersAt(Instant now) {
        int min = minWorkers;
        if (preinit < 0) {
            throw new IllegalArgumentException("'scaling.preinit' must be 0 or more, got " + preinit);
        }
        for (ScheduledFloor f : schedule) {
            if (f.minWorkers() > min && f.activeAt(now)) {
                min = f.minWorkers();
            }
        }
        return min;
    }

    /**
     * This config with a live update applied; fields the update leaves null keep their value. A new scaler without a
     * new scalerValue gets that scaler's default value.
     *
     * @throws IllegalArgumentException naming the field when the result is not valid
     */
    public ScalingConfig with(ScalingUpdate u) {
        Scaler s = u.scaler() != null ? u.scaler() : scaler;
        double value = u.scalerValue() != null ? u.scalerValue() : s == scaler ? scalerValue : 0;
        double target = u.targetConcurrency() != null ? u.targetConcurrency() : targetConcurrency;
        return new ScalingConfig(
                u.minWorkers() != null ? u.minWorkers() : minWorkers,
                u.maxWorkers() != null ? u.maxWorkers() : maxWorkers,
                u.idleTimeout() != null ? u.idleTimeout() : idleTimeout,
                concurrency,
                u.bufferWorkers() != null ? u.bufferWorkers() : bufferWorkers,
                target, s, value, schedule, preinit);
    }
}
