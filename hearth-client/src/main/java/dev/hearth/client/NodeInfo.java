package dev.hearth.client;

import java.time.Instant;
import java.util.List;

/**
 * One node as {@code GET /v1/nodes} lists it.
 *
 * @param name        the node's name ({@code local} unless the server's {@code --gpus} names nodes)
 * @param state       {@code ACTIVE}, {@code DRAINING} or {@code DRAINED}
 * @param graceEndsAt while it drains: when jobs still running on it go back to the queue; else null
 * @param gpusTotal   its GPUs
 * @param gpusFree    those no worker holds
 * @param workers     workers on it
 * @param inFlight    jobs its workers are running
 * @param gpus        its GPUs, each with the worker holding it (null if free)
 */
public record NodeInfo(String name, String state, Instant graceEndsAt, int gpusTotal, int gpusFree, int workers,
                       int inFlight, List<NodeGpu> gpus) {

    public NodeInfo {
        gpus = List.copyOf(gpus);
    }

    /** One GPU of a node; {@code worker} is null when it is free. */
    public record NodeGpu(int index, String type, String group, String worker) {
    }
}
