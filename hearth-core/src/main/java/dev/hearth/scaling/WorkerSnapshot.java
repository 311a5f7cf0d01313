package dev.hearth.scaling;

import java.time.Instant;

/**
 * One worker as the autoscaler sees it.
 *
 * @param idleSince when its last job finished (or when it became ready), null while it runs jobs
 */
public record WorkerSnapshot(String id, WorkerPhase phase, int inFlight, Instant startedAt, Instant idleSince) {
}
