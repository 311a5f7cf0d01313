package dev.hearth.placement;

import dev.hearth.functions.GpuRequest;
import java.util.List;

/**
 * A worker holding GPUs, as the repack planner sees it.
 *
 * @param workerId the worker
 * @param function its function
 * @param request  the GPUs its function asks for, to place its replacement
 * @param gpus     the GPUs it holds
 * @param idle     ready and running no job: it may be moved (drained and replaced) without losing work
 */
public record Occupant(String workerId, String function, GpuRequest request, List<Gpu> gpus, boolean idle) {

    public Occupant {
        gpus = List.copyOf(gpus);
    }
}
