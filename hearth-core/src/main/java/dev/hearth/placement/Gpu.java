package dev.hearth.placement;

/** One physical (or configured) GPU of a node. {@code index} is what {@code CUDA_VISIBLE_DEVICES} names. */
public record Gpu(String node, int index, String type, long memoryMiB) {

    @Override
    public String toString() {
        return type + "#" + index + "@" + node;
    }
}
