package dev.hearth.budgets;

import dev.hearth.metering.Money;
import java.math.BigDecimal;
import java.util.Objects;

/**
 * A spending cap over a period, for one function or (function null) for all of them together.
 *
 * @param limit   the hard cap: new jobs are refused (402) once they could take spend past it
 * @param soft    a warning threshold (logged, and POSTed to {@code webhook}) once spend reaches it; null for none
 * @param webhook where the soft-threshold warning is POSTed, or null
 */
public record Budget(String function, BudgetPeriod period, Money limit, Money soft, String webhook) {

    /** The largest limit: a billion dollars, far below what overflows when spend and reservations are added up. */
    public static final BigDecimal MAX_DOLLARS = BigDecimal.valueOf(1_000_000_000);

    public Budget {
        Objects.requireNonNull(period, "period");
        Objects.requireNonNull(limit, "limit");
        if (limit.nanos() <= 0) {
            throw new IllegalArgumentException("a budget's limit must be above $0, got " + limit);
        }
        if (soft != null && (soft.nanos() <= 0 || soft.isGreaterThan(limit))) {
            throw new IllegalArgumentException("a budget's soft threshold must be above $0 and at most its limit ("
                    + limit + "), got " + soft);
        }
    }

    public boolean isGlobal() {
        return function == null;
    }

    /** Whether spend of {@code fn} counts against this budget. */
    public boolean covers(String fn) {
        return function == null || function.equals(fn);
    }

    /** {@code the daily budget of function 'echo'}, {@code the hourly budget of all functions}. */
    public String describe() {
        return "the " + period.adjective() + " budget of " + (function == null ? "all functions"
                : "function '" + function + "'");
    }
}
