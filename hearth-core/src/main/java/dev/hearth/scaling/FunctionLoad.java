package dev.hearth.scaling;

import dev.hearth.functions.ScalingConfig;
import java.util.List;

/**
 * An immutable snapshot of one function's demand and workers, the only input of {@link Autoscaler}.
 *
 * @param queued            jobs waiting that may trigger a scale-up
 * @param queuedLowPriority jobs waiting with {@code lowPriority}: served by existing workers, never a reason to add one
 * @param inFlight          jobs running now
 */
public record FunctionLoad(String function, ScalingConfig config, int queued, int queuedLowPriority, int inFlight,
                           List<WorkerSnapshot> workers) {

    public FunctionLoad {
        workers = List.copyOf(workers);
    }
}
