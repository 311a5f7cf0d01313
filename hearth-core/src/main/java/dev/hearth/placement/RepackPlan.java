package dev.hearth.placement;

import java.util.List;

/**
 * How to make room for a worker that does not fit as the GPUs are held now: idle workers to drain and replace on the
 * GPUs named here, after which {@code target} is free for the new worker.
 *
 * @param target the GPUs the new worker will get once the moved workers are gone
 * @param moves  the idle workers to move, each with the GPUs its replacement takes (outside {@code target})
 */
public record RepackPlan(List<Gpu> target, List<Move> moves) {

    public RepackPlan {
        target = List.copyOf(target);
        moves = List.copyOf(moves);
    }

    /** One idle worker to drain, and where its replacement goes. */
    public record Move(String workerId, String function, List<Gpu> to) {
        public Move {
            to = List.copyOf(to);
        }
    }
}
