package dev.hearth.client;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A live change to a function's scaling, without a redeploy (see {@link Hearth#scale}). Null fields are left as they
 * are; the next deploy goes back to the manifest.
 *
 * @param scaler {@code requestCount} or {@code queueDelay}
 */
public record ScalingChange(Integer minWorkers, Integer maxWorkers, Integer bufferWorkers, Duration idleTimeout,
                            Double targetConcurrency, String scaler, Double scalerValue) {

    /** Changes nothing; start here and use the withers. */
    public static ScalingChange none() {
        return new ScalingChange(null, null, null, null, null, null, null);
    }

    public ScalingChange withMinWorkers(int n) {
        return new ScalingChange(n, maxWorkers, bufferWorkers, idleTimeout, targetConcurrency, scaler, scalerValue);
    }

    public ScalingChange withMaxWorkers(int n) {
        return new ScalingChange(minWorkers, n, bufferWorkers, idleTimeout, targetConcurrency, scaler, scalerValue);
    }

    public ScalingChange withBufferWorkers(int n) {
        return new ScalingChange(minWorkers, maxWorkers, n, idleTimeout, targetConcurrency, scaler, scalerValue);
    }

    public ScalingChange withIdleTimeout(Duration d) {
        return new ScalingChange(minWorkers, maxWorkers, bufferWorkers, d, targetConcurrency, scaler, scalerValue);
    }

    public boolean isEmpty() {
        return body().isEmpty();
    }

    /** The JSON body of the request: only the fields to change. */
    Map<String, Object> body() {
        Map<String, Object> m = new LinkedHashMap<>();
        put(m, "minWorkers", minWorkers);
        put(m, "maxWorkers", maxWorkers);
        put(m, "bufferWorkers", bufferWorkers);
        put(m, "idleTimeout", idleTimeout == null ? null : idleTimeout.toMillis() + "ms");
        put(m, "targetConcurrency", targetConcurrency);
        put(m, "scaler", scaler);
        put(m, "scalerValue", scalerValue);
        return m;
    }

    private static void put(Map<String, Object> m, String k, Object v) {
        if (v != null) {
            m.put(k, v);
        }
    }
}
