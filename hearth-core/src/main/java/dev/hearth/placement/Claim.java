package dev.hearth.placement;

import java.time.Instant;

/**
 * One function's claim on GPUs in a scheduling round, as the {@link FairShare} policy sees it.
 *
 * @param function      the function
 * @param priority      its manifest {@code priority} (1..100): its weight when GPUs are scarce
 * @param gpusPerWorker GPUs each of its workers takes (0 for a CPU function)
 * @param workers       workers it has now (starting, ready or draining)
 * @param heldGpus      GPUs those workers hold
 * @param wantedStarts  workers its autoscaler wants to start now
 * @param waitingSince  since when it has wanted a worker it did not get, or null if it is not waiting
 */
public record Claim(String function, int priority, int gpusPerWorker, int workers, int heldGpus, int wantedStarts,
                    Instant waitingSince) {

    public Claim {
        if (priority < 1) {
            throw new IllegalArgumentException("priority must be at least 1, got " + priority);
        }
    }
}
