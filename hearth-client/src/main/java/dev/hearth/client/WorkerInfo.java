package dev.hearth.client;

import java.time.Instant;
import java.util.List;

/**
 * One worker process as {@code GET /v1/workers} lists it.
 *
 * @param id        the worker id (also its {@code RUNPOD_POD_ID})
 * @param function  the function it serves
 * @param version   the function version it runs
 * @param state     its lifecycle state as the server names it, e.g. {@code STARTING}, {@code READY}
 * @param gpus      the GPUs placed for it, as the server names them; empty for a CPU worker
 * @param pid       its process id, or 0 if unknown
 * @param startedAt when it was started, or null
 * @param inFlight  jobs it is running now
 * @param jobsDone  jobs it has finished
 * @param node      the node it was placed on, or null from a server that does not say
 */
public record WorkerInfo(String id, String function, int version, String state, List<String> gpus, long pid,
                         Instant startedAt, int inFlight, long jobsDone, String node) {

    public WorkerInfo {
        gpus = List.copyOf(gpus);
    }
}
