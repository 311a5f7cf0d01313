package dev.hearth.alerts;

import java.util.List;

/**
 * What an alert rule watches, as the dashboard shows it. Each metric is in base units: seconds for times, a fraction
 * (0..1) for shares and rates, US dollars per hour for spend, and 0 or 1 for the two states (crash loop, no free GPU).
 */
public enum AlertMetric {
    LATENCY_P50("p50 latency", Unit.SECONDS, true),
    LATENCY_P95("p95 latency", Unit.SECONDS, true),
    LATENCY_P99("p99 latency", Unit.SECONDS, true),
    QUEUE_DELAY_P95("p95 queue delay", Unit.SECONDS, true),
    QUEUE_AGE("oldest queued age", Unit.SECONDS, false),
    FAILURE_RATE("failure rate", Unit.SHARE, true),
    COLD_START_SHARE("cold start share", Unit.SHARE, true),
    SPEND_RATE("spend rate", Unit.DOLLARS_PER_HOUR, true),
    BUDGET_SHARE("budget share", Unit.SHARE, false),
    CRASH_LOOP("crash loop", Unit.STATE, false),
    NO_FREE_GPU("no free gpu", Unit.STATE, false);

    /** How a metric's threshold is written and shown. */
    public enum Unit { SECONDS, SHARE, DOLLARS_PER_HOUR, STATE }

    private final String phrase;
    private final Unit unit;
    private final boolean windowed;

    AlertMetric(String phrase, Unit unit, boolean windowed) {
        this.phrase = phrase;
        this.unit = unit;
        this.windowed = windowed;
    }

    /** The words that name it in a condition, e.g. {@code p95 latency}. */
    public String phrase() {
        return phrase;
    }

    public Unit unit() {
        return unit;
    }

    /** Whether it is computed over a window of recent jobs or spend ({@code over 5m}) rather than read as it is. */
    public boolean windowed() {
        return windowed;
    }

    /** Other spellings accepted in a condition, beside {@link #phrase()}. */
    List<String> aliases() {
        return switch (this) {
            case LATENCY_P50 -> List.of("latency p50", "p50 end-to-end latency", "median latency");
            case LATENCY_P95 -> List.of("latency p95", "p95 end-to-end latency");
            case LATENCY_P99 -> List.of("latency p99", "p99 end-to-end latency");
            case QUEUE_DELAY_P95 -> List.of("queue delay p95", "queue delay", "p95 delay");
            case QUEUE_AGE -> List.of("queue age", "oldest queued job age", "oldest job age", "oldest queued job");
            case FAILURE_RATE -> List.of("failure share", "error rate");
            case COLD_START_SHARE -> List.of("cold-start share", "cold starts", "cold start rate");
            case SPEND_RATE -> List.of("spend", "spend per hour", "cost rate");
            case BUDGET_SHARE -> List.of("budget", "budget used", "budget spent");
            case CRASH_LOOP -> List.of("crash looping", "crashloop", "crash-loop");
            case NO_FREE_GPU -> List.of("no gpu", "no free gpus", "waiting for gpu", "waiting for a gpu");
        };
    }
}
