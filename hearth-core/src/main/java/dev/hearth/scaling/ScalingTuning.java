package dev.hearth.scaling;

import java.time.Duration;

/**
 * The autoscaler's dials, after Knative's KPA. The same for every function of a control plane; a simulator can try
 * others.
 *
 * @param stableWindow        demand is averaged over this window for ordinary decisions (capped by the function's
 *                            idleTimeout, so an idle worker can leave once its idle timeout is over)
 * @param panicWindow         the short window; at most the stable window
 * @param panicThreshold      panic when short-window demand exceeds this many times the current capacity
 * @param maxScaleUpRate      one decision may raise the workers to at most this many times the ready ones (at least
 *                            one); Knative's max-scale-up-rate
 * @param scaleDownHysteresis scale down only to a count whose workers would be at most {@code 1 - this} of their
 *                            target, so load near a threshold does not make workers come and go
 */
public record ScalingTuning(Duration stableWindow, Duration panicWindow, double panicThreshold, double maxScaleUpRate,
                            double scaleDownHysteresis) {

    /** Knative's defaults (60 s, 6 s, 200 %, 1000) and a 20 % scale-down band. */
    public static final ScalingTuning DEFAULT = new ScalingTuning(Duration.ofSeconds(60), Duration.ofSeconds(6), 2.0,
            1000, 0.2);

    public ScalingTuning {
        if (panicWindow.compareTo(stableWindow) > 0 || panicWindow.isNegative()) {
            throw new IllegalArgumentException("panicWindow must be from 0 to stableWindow");
        }
        if (panicThreshold <= 1 || maxScaleUpRate < 1 || scaleDownHysteresis < 0 || scaleDownHysteresis >= 1) {
            throw new IllegalArgumentException("panicThreshold must be above 1, maxScaleUpRate at least 1 and "
                    + "scaleDownHysteresis from 0 to below 1");
        }
    }

    /** The stable window for a function: never longer than its idle timeout. */
    Duration stableWindowFor(Duration idleTimeout) {
        return idleTimeout.compareTo(stableWindow) < 0 ? idleTimeout : stableWindow;
    }

    /** The panic window for a function: never longer than its stable window. */
    Duration panicWindowFor(Duration idleTimeout) {
        Duration stable = stableWindowFor(idleTimeout);
        return panicWindow.compareTo(stable) < 0 ? panicWindow : stable;
    }
}
