package dev.hearth.scaling;

import java.util.List;

/**
 * What the autoscaler wants done for one function, and why, in words an operator reads in the event log.
 *
 * @param start how many workers to start
 * @param drain which workers to stop routing to and stop once idle
 */
public record ScalingDecision(String function, int start, List<String> drain, String reason) {

    public ScalingDecision {
        drain = List.copyOf(drain);
    }

    public boolean isNoop() {
        return start == 0 && drain.isEmpty();
    }
}
