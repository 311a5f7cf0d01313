package dev.hearth.budgets;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/**
 * The period a budget's spend is counted over: calendar periods in UTC, so a cap resets at a time a user can be told.
 * {@link #HOUR} is the spend-rate cap (RunPod's account spend limit is per hour).
 */
public enum BudgetPeriod {
    HOUR("hourly"),
    DAY("daily"),
    MONTH("monthly");

    private final String adjective;

    BudgetPeriod(String adjective) {
        this.adjective = adjective;
    }

    /** When the period containing {@code now} began. */
    public Instant start(Instant now) {
        ZonedDateTime t = now.atZone(ZoneOffset.UTC);
        return switch (this) {
            case HOUR -> t.truncatedTo(ChronoUnit.HOURS).toInstant();
            case DAY -> t.truncatedTo(ChronoUnit.DAYS).toInstant();
            case MONTH -> t.truncatedTo(ChronoUnit.DAYS).withDayOfMonth(1).toInstant();
        };
    }

    /** When the period containing {@code now} ends and the budget resets. */
    public Instant resetsAt(Instant now) {
        ZonedDateTime s = start(now).atZone(ZoneOffset.UTC);
        return switch (this) {
            case HOUR -> s.plusHours(1).toInstant();
            case DAY -> s.plusDays(1).toInstant();
            case MONTH -> s.plusMonths(1).toInstant();
        };
    }

    public String adjective() {
        return adjective;
    }

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code hour}, {@code day} or {@code month} (also {@code hourly}, {@code daily}, {@code monthly}). */
    public static BudgetPeriod fromWire(String s) {
        for (BudgetPeriod p : values()) {
            if (p.wire().equalsIgnoreCase(s) || p.adjective.equalsIgnoreCase(s)) {
                return p;
            }
        }
        throw new IllegalArgumentException("period must be hour, day or month, got '" + s + "'");
    }
}
