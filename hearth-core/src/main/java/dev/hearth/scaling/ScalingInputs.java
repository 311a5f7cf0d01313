package dev.hearth.scaling;

import java.time.Duration;

/**
 * What one decision was based on, as recorded in the event log.
 *
 * @param ready        workers taking jobs
 * @param starting     workers still in their cold start
 * @param draining     workers finishing their jobs before they stop
 * @param capacity     (ready + starting) × targetConcurrency
 * @param oldestQueued how long the job at the head of the queue has waited
 * @param stableDemand mean queued + in flight over the stable window
 * @param panicDemand  mean queued + in flight over the panic window
 * @param minWorkers   the floor in force: minWorkers, or a scheduled floor
 */
public record ScalingInputs(int queued, int queuedLowPriority, int inFlight, int ready, int starting, int draining,
                            double capacity, Duration oldestQueued, double stableDemand, double panicDemand,
                            int minWorkers, int maxWorkers, String scaler, double scalerValue) {

    /** Workers that count as capacity: ready and starting. */
    public int active() {
        return ready + starting;
    }
}
