package dev.hearth.placement;

/** Whether a node takes new workers. A wire value of {@code GET /v1/nodes}. */
public enum NodeState {
    /** Takes new workers. */
    ACTIVE,
    /** Takes no new workers; its workers finish their jobs within the drain's grace period, then stop. */
    DRAINING,
    /** Drained: no workers left on it, and none placed there until it is undrained. */
    DRAINED
}
