package dev.hearth.budgets;

import dev.hearth.metering.Money;

/**
 * Where a budget stands in its current period.
 *
 * @param spent        recorded spend this period
 * @param reserved     the most that accepted, unfinished jobs may still cost
 * @param reservedJobs how many jobs hold those reservations
 */
public record BudgetStanding(Budget budget, Money spent, Money reserved, int reservedJobs) {

    /** Spent plus reserved: what the budget is committed to. */
    public Money committed() {
        return spent.plus(reserved);
    }
}
