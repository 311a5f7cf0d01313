package dev.hearth.sim;

import dev.hearth.functions.Durations;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The latency target a policy must meet: {@code p95 < 2s}, on end-to-end latency (submission to result).
 *
 * @param statistic {@code mean}, {@code p50}, {@code p95} or {@code p99}
 */
public record Slo(String statistic, Duration limit) {

    private static final Pattern FORM = Pattern.compile("(mean|p50|p95|p99)\\s*<\\s*(\\S+)");

    /** @throws IllegalArgumentException showing the accepted form */
    public static Slo parse(String text) {
        Matcher m = FORM.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not an SLO; write e.g. 'p95 < 2s' (mean, p50, p95 or "
                    + "p99 of end-to-end latency)");
        }
        return new Slo(m.group(1), Durations.parse(m.group(2)));
    }

    /** Whether the latency's statistic is below the limit. */
    public boolean metBy(Latency latency) {
        double value = switch (statistic) {
            case "mean" -> latency.mean();
            case "p50" -> latency.p50();
            case "p95" -> latency.p95();
            default -> latency.p99();
        };
        return value < limit.toMillis();
    }

    @Override
    public String toString() {
        return statistic + " < " + Durations.format(limit);
    }
}
