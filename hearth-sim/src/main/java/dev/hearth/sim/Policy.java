package dev.hearth.sim;

import dev.hearth.functions.Durations;
import dev.hearth.functions.ScalingConfig;

/**
 * A scaling policy to try: a name and the {@code scaling} block it stands for.
 *
 * @param dedicated whether it is "N always-on workers" ({@code dedicated: N}: minWorkers = maxWorkers = N)
 */
public record Policy(String name, ScalingConfig scaling, boolean dedicated) {

    /** N workers kept on all the time, billed at the always-on rate. */
    public static Policy dedicated(String name, int workers, int concurrency) {
        return new Policy(name, new ScalingConfig(workers, workers, ScalingConfig.DEFAULT.idleTimeout(),
                concurrency), true);
    }

    /** The scaling block in a line, e.g. {@code min 0, max 8, idle 30s, requestCount 1}. */
    public String describe() {
        ScalingConfig s = scaling;
        if (dedicated) {
            return s.minWorkers() + " always-on";
        }
        StringBuilder out = new StringBuilder("min ").append(s.minWorkers()).append(", max ").append(s.maxWorkers())
                .append(", idle ").append(Durations.format(s.idleTimeout()));
        if (s.bufferWorkers() > 0) {
            out.append(", buffer ").append(s.bufferWorkers());
        }
        double value = s.effectiveScalerValue();
        out.append(", ").append(s.scaler().wire()).append(' ')
                .append(value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value));
        return out.toString();
    }
}
