package dev.hearth.budgets;

import dev.hearth.metering.Money;
import java.time.Instant;
import java.util.List;

/**
 * Whether a new job may start spending. A job's real cost is unknown at submission, so the policy admits it only if
 * its most expensive outcome still fits every budget that covers it: {@code spent + reserved + estimate <= limit}.
 * The caller reserves the estimate for the job until it finishes, and checks and reserves under one lock, so
 * concurrent submissions cannot together overshoot. Pure.
 */
public final class BudgetPolicy {

    private BudgetPolicy() {
    }

    /**
     * @param standings the budgets that cover the job's function, in their current period
     * @param estimate  the most the job can cost
     */
    public static Admission admit(List<BudgetStanding> standings, Money estimate, Instant now) {
        for (BudgetStanding s : standings) {
            if (s.committed().plus(estimate).isGreaterThan(s.budget().limit())) {
                return new Admission.Refused(s, estimate, s.budget().period().resetsAt(now));
            }
        }
        return new Admission.Admitted();
    }

    /** Whether spend going from {@code before} to {@code after} reached the budget's soft threshold just now. */
    public static boolean reachedSoft(Budget budget, Money before, Money after) {
        return budget.soft() != null && before.compareTo(budget.soft()) < 0 && after.compareTo(budget.soft()) >= 0;
    }
}
