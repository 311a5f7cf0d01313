package dev.hearth.runtime.gpu;

import dev.hearth.placement.ConfiguredGpuInventory;
import dev.hearth.placement.GpuInventory;

/** Picks the GPU inventory from the server's {@code --gpus} flag. */
public final class GpuInventories {

    private GpuInventories() {
    }

    /**
     * @param gpusFlag the {@code --gpus} value: {@code null} when not given (detect with nvidia-smi), else a spec
     *                 for {@link ConfiguredGpuInventory#parse} ({@code none} for no GPUs)
     * @throws IllegalArgumentException for a malformed spec
     */
    public static GpuInventory fromFlag(String gpusFlag, String node) {
        return gpusFlag == null ? NvidiaSmiInventory.detect(node) : ConfiguredGpuInventory.parse(gpusFlag, node);
    }
}
