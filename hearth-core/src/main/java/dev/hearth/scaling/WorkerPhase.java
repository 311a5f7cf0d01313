package dev.hearth.scaling;

/** Where a worker is in its life, as the autoscaler sees it. */
public enum WorkerPhase {
    /** Process started, has not asked for a job yet (cold start in progress). */
    STARTING,
    /** Asking for or running jobs. */
    READY,
    /** Gets no new jobs; finishes what it has, then stops. */
    DRAINING
}
