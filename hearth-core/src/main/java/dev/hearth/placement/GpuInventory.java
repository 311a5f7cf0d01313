package dev.hearth.placement;

import java.util.List;
import java.util.Set;

/** The GPUs the control plane may place workers on: detected with nvidia-smi, or configured with {@code --gpus}. */
@FunctionalInterface
public interface GpuInventory {

    List<Gpu> gpus();

    /**
     * GPUs of {@link #gpus()} that something other than this control plane holds now (another user's job on a
     * cluster shared with a scheduler): placement counts them as taken. Only the count per node and type is known
     * (which of a node's GPUs the scheduler gave away is the scheduler's business), so they are chosen among those
     * {@code inUse} does not already hold.
     *
     * @param inUse the GPUs this control plane's workers hold
     */
    default Set<Gpu> heldElsewhere(Set<Gpu> inUse) {
        return Set.of();
    }
}
