package dev.hearth.placement;

import java.util.List;

/** The GPUs the control plane may place workers on: detected with nvidia-smi, or configured with {@code --gpus}. */
@FunctionalInterface
public interface GpuInventory {

    List<Gpu> gpus();
}
