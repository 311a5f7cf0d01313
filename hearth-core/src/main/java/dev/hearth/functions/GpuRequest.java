package dev.hearth.functions;

import java.util.List;

/**
 * What GPUs one worker of a function needs.
 *
 * @param types ordered preference list of GPU types ({@code [H100, A100]}: an H100 if one is free, else an A100);
 *              a type ending in {@code !} is pinned exactly
 * @param count GPUs per worker, all of one type
 */
public record GpuRequest(List<String> types, int count) {

    /** The type that accepts a GPU of any type (a Cog model's {@code gpu: true}). */
    public static final String ANY = "any";

    public GpuRequest {
        types = List.copyOf(types);
        if (types.isEmpty()) {
            throw new IllegalArgumentException("a GPU request names at least one type");
        }
        if (count < 1) {
            throw new IllegalArgumentException("GPU count must be at least 1");
        }
    }

    @Override
    public String toString() {
        return count + "x " + String.join("|", types);
    }
}
