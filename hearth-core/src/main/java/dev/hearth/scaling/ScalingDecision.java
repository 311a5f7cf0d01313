package dev.hearth.scaling;

import java.util.List;

/**
 * What the autoscaler wants done for one function, and why, in words an operator reads in the event log.
 *
 * @param start   how many workers to start
 * @param drain   which workers to stop routing to and stop once their jobs are done, in the order chosen
 * @param reason  the whole story, e.g. {@code queue 37, in flight 8, capacity 8 → +4, panic}
 * @param desired the worker count the autoscaler aims for
 * @param panic   whether the panic window is in charge (no scale-down)
 * @param why     the short cause ({@code scale from zero}, {@code demand}, {@code idle}, {@code hold}, ...), for
 *                grouping repeated holds
 * @param inputs  the numbers the decision was based on
 */
public record ScalingDecision(String function, int start, List<String> drain, String reason, int desired,
                              boolean panic, String why, ScalingInputs inputs) {

    public ScalingDecision {
        drain = List.copyOf(drain);
    }

    public boolean isNoop() {
        return start == 0 && drain.isEmpty();
    }

    /** {@code scale-up}, {@code scale-down} or {@code hold}. */
    public String action() {
        return start > 0 ? "scale-up" : drain.isEmpty() ? "hold" : "scale-down";
    }
}
