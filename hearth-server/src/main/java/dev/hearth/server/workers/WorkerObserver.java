package dev.hearth.server.workers;

import dev.hearth.functions.FunctionVersion;

/** Follows workers from their start; metering uses it to open a worker's first usage interval. */
public interface WorkerObserver {

    WorkerObserver NONE = (worker, fn, alwaysOn) -> {
    };

    /**
     * A worker is about to be launched; called before its process starts, so no change of the worker is missed.
     *
     * @param alwaysOn whether it is one of the function's {@code minWorkers}
     */
    void started(Worker worker, FunctionVersion fn, boolean alwaysOn);
}
