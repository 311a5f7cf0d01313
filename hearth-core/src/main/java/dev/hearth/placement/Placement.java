package dev.hearth.placement;

import java.util.List;

/** The outcome of placing one worker: the GPUs it gets, or why it cannot start now. */
public sealed interface Placement {

    record Placed(List<Gpu> gpus) implements Placement {
        public Placed {
            gpus = List.copyOf(gpus);
        }
    }

    record Unplaceable(String reason) implements Placement {
    }
}
