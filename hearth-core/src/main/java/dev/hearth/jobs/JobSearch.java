package dev.hearth.jobs;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Which jobs a listing wants: of one function or all, in some states (empty: any), submitted in
 * {@code [submittedFrom, submittedTo)}, the newest first, at most {@code limit}.
 *
 * @param function      the function, or null for every function
 * @param submittedFrom the earliest submission time, inclusive, or null for no bound
 * @param submittedTo   the latest submission time, exclusive, or null for no bound
 */
public record JobSearch(String function, Set<JobState> states, Instant submittedFrom, Instant submittedTo,
                        int limit) {

    public JobSearch {
        states = states.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(states));
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative, got " + limit);
        }
    }

    /** The newest jobs of one function in some states (empty: any). */
    public static JobSearch ofFunction(String function, Set<JobState> states, int limit) {
        return new JobSearch(Objects.requireNonNull(function, "function"), states, null, null, limit);
    }
}
