package dev.hearth.budgets;

import java.util.List;

/** Durable budgets, at most one per function (or global) and period. */
public interface BudgetStore {

    List<Budget> listBudgets();

    /** Creates the budget, or replaces the one of the same function and period. */
    void saveBudget(Budget budget);

    /** @param function null for the global budget; returns whether there was one */
    boolean deleteBudget(String function, BudgetPeriod period);
}
