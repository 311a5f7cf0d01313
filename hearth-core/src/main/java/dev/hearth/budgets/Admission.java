package dev.hearth.budgets;

import dev.hearth.metering.Money;
import java.time.Instant;

/** The budgets' answer to a new job. */
public sealed interface Admission {

    record Admitted() implements Admission {
    }

    /** The job would take {@code standing}'s budget past its limit. */
    record Refused(BudgetStanding standing, Money estimate, Instant resetsAt) implements Admission {

        /** For the caller: which budget, its limit, where it stands, and when it resets. */
        public String message() {
            Budget b = standing.budget();
            String usage = standing.spent() + " spent" + (standing.reservedJobs() == 0 ? "" : " and "
                    + standing.reserved() + " reserved by " + standing.reservedJobs() + " unfinished job"
                    + (standing.reservedJobs() == 1 ? "" : "s"));
            if (estimate.isGreaterThan(b.limit())) {
                return b.describe() + " (" + b.limit() + " limit) cannot take this job: it alone could cost up to "
                        + estimate + " (its execution timeout at the catalog rate, for every attempt); lower "
                        + "policy.executionTimeout or raise the limit. " + usage + "; it resets at " + resetsAt + ".";
            }
            return b.describe() + " is used up: " + usage + " of its " + b.limit() + " limit; this job could cost "
                    + "up to " + estimate + ". It resets at " + resetsAt + ".";
        }
    }
}
