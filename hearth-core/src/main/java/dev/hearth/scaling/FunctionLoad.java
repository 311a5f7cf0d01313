package dev.hearth.scaling;

import dev.hearth.functions.ScalingConfig;
import java.time.Duration;
import java.util.List;

/**
 * An immutable snapshot of one function's demand and workers, the only input of {@link Autoscaler} besides its
 * windows.
 *
 * @param config            the scaling config in force (the manifest's, with any live update applied)
 * @param queued            jobs waiting that may trigger a scale-up
 * @param queuedLowPriority jobs waiting with {@code lowPriority}: served by existing workers, never a reason to add one
 * @param inFlight          jobs running now
 * @param oldestQueued      how long the oldest waiting job has waited (zero when none waits)
 */
public record FunctionLoad(String function, ScalingConfig config, int queued, int queuedLowPriority, int inFlight,
                           List<WorkerSnapshot> workers, Duration oldestQueued) {

    public FunctionLoad {
        workers = List.copyOf(workers);
    }

    /** A load without queue delay information. */
    public FunctionLoad(String function, ScalingConfig config, int queued, int queuedLowPriority, int inFlight,
                        List<WorkerSnapshot> workers) {
        this(function, config, queued, queuedLowPriority, inFlight, workers, Duration.ZERO);
    }
}
