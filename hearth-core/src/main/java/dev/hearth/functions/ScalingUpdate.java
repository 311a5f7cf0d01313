package dev.hearth.functions;

import java.time.Duration;

/**
 * A live change to a function's scaling ({@code hearth scale}, {@code PATCH /v1/functions/{fn}/scaling}), applied
 * over the deployed manifest without a redeploy. Null fields are left as they are. Concurrency is not among them:
 * workers are started with it, so it changes with a deploy.
 */
public record ScalingUpdate(Integer minWorkers, Integer maxWorkers, Integer bufferWorkers, Duration idleTimeout,
                            Double targetConcurrency, Scaler scaler, Double scalerValue) {

    public static final ScalingUpdate NONE = new ScalingUpdate(null, null, null, null, null, null, null);

    public boolean isEmpty() {
        return equals(NONE);
    }

    /** This update with {@code later}'s non-null fields laid over it. */
    public ScalingUpdate then(ScalingUpdate later) {
        return new ScalingUpdate(
                later.minWorkers != null ? later.minWorkers : minWorkers,
                later.maxWorkers != null ? later.maxWorkers : maxWorkers,
                later.bufferWorkers != null ? later.bufferWorkers : bufferWorkers,
                later.idleTimeout != null ? later.idleTimeout : idleTimeout,
                later.targetConcurrency != null ? later.targetConcurrency : targetConcurrency,
                later.scaler != null ? later.scaler : scaler,
                later.scalerValue != null ? later.scalerValue
                        : later.scaler != null && later.scaler != scaler ? null : scalerValue);
    }
}
