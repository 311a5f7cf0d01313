package dev.hearth.alerts;

import dev.hearth.errors.HearthException;
import dev.hearth.functions.Durations;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * When a rule fires: a metric compared with a threshold, computed over a window ({@code over 5m}, for metrics of
 * recent jobs or spend), holding for a while before it fires ({@code for 5m}). Written as people say it:
 * {@code p95 latency > 2s for 5m}, {@code failure rate > 5% over 10m}, {@code spend rate > $3/h}, {@code crash loop},
 * {@code no free gpu for 10m}.
 *
 * <p>Hysteresis: a firing rule resolves only once the value is {@value #HYSTERESIS_PERCENT}% of the threshold clear of
 * it (below 1.8 s for {@code > 2s}), so a value hovering at the threshold does not fire and resolve over and over.
 *
 * @param metric     what is watched
 * @param comparison how the value is compared with the threshold
 * @param threshold  in the metric's base unit (seconds, a fraction, dollars per hour; 0.5 for states)
 * @param window     how far back a windowed metric looks; null for metrics read as they are now
 * @param holdFor    how long the condition must hold before the rule fires (zero: at once)
 */
public record AlertCondition(AlertMetric metric, Comparison comparison, double threshold, Duration window,
                             Duration holdFor) {

    public static final int HYSTERESIS_PERCENT = 10;
    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(5);
    public static final Duration MIN_WINDOW = Duration.ofSeconds(1);
    public static final Duration MAX_WINDOW = Duration.ofDays(1);
    public static final Duration MAX_HOLD = Duration.ofDays(1);
    /** The longest condition text read: longer ones are not conditions. */
    public static final int MAX_LENGTH = 200;

    private static final String FIELD = "'when'";
    private static final Pattern COMPARED = Pattern.compile(
            "(?<metric>.+?)\\s*(?<op>>=|<=|>|<)\\s*(?<threshold>\\S+)(?<rest>.*)");
    private static final Pattern TAIL = Pattern.compile(
            "(?:\\s+over\\s+(?<window>\\S+))?(?:\\s+for\\s+(?<hold>\\S+))?\\s*");

    public AlertCondition {
        Objects.requireNonNull(metric, "metric");
        Objects.requireNonNull(comparison, "comparison");
        Objects.requireNonNull(holdFor, "holdFor");
        if (metric.windowed() != (window != null)) {
            throw new IllegalArgumentException("a window is for windowed metrics only: " + metric);
        }
    }

    /**
     * Reads a condition as a user wrote it.
     *
     * @throws HearthException.BadRequest naming what is wrong and how to write it
     */
    public static AlertCondition parse(String text) {
        if (text == null || text.isBlank()) {
            throw bad("is missing; write a condition such as \"p95 latency > 2s for 5m\"");
        }
        if (text.length() > MAX_LENGTH) {
            throw bad("is " + text.length() + " characters long; a condition is at most " + MAX_LENGTH);
        }
        String s = text.trim().toLowerCase(Locale.ROOT).replaceAll("\\s+", " ");
        Matcher m = COMPARED.matcher(s);
        if (!m.matches()) {
            return state(s, text);
        }
        AlertMetric metric = metric(m.group("metric"), text);
        if (metric.unit() == AlertMetric.Unit.STATE) {
            throw bad("'" + metric.phrase() + "' is a state, not a number: write \"" + metric.phrase()
                    + "\" or \"" + metric.phrase() + " for 10m\" without a comparison");
        }
        Comparison comparison = Comparison.of(m.group("op"));
        double threshold = threshold(metric, m.group("threshold"));
        Matcher tail = TAIL.matcher(m.group("rest"));
        if (!tail.matches()) {
            throw bad("has '" + m.group("rest").trim() + "' after the threshold, which is not understood; after it "
                    + "only \"over <window>\" and \"for <duration>\" may follow, e.g. \"" + metric.phrase() + " "
                    + comparison.symbol() + " " + m.group("threshold") + " over 5m for 5m\"");
        }
        Duration window = null;
        if (metric.windowed()) {
            window = tail.group("window") == null ? DEFAULT_WINDOW
                    : duration(tail.group("window"), "the window (over ...)", MIN_WINDOW, MAX_WINDOW);
        } else if (tail.group("window") != null) {
            throw bad("has \"over " + tail.group("window") + "\", but '" + metric.phrase() + "' is read as it is "
                    + "now, not over a window; leave \"over\" out (\"for\" still says how long it must hold)");
        }
        return new AlertCondition(metric, comparison, threshold, window, hold(tail.group("hold")));
    }

    private static AlertCondition state(String s, String original) {
        Matcher m = Pattern.compile("(?<metric>.+?)(?:\\s+for\\s+(?<hold>\\S+))?").matcher(s);
        if (!m.matches()) {
            throw bad("'" + original + "' is not a condition; write e.g. \"p95 latency > 2s for 5m\"");
        }
        AlertMetric metric = metric(m.group("metric"), original);
        if (metric.unit() != AlertMetric.Unit.STATE) {
            throw bad("'" + original + "' has no comparison; write e.g. \"" + metric.phrase() + " > "
                    + example(metric) + " for 5m\"");
        }
        return new AlertCondition(metric, Comparison.ABOVE, 0.5, null, hold(m.group("hold")));
    }

    private static AlertMetric metric(String words, String original) {
        String w = words.trim();
        for (AlertMetric metric : AlertMetric.values()) {
            if (metric.phrase().equals(w) || metric.aliases().contains(w)) {
                return metric;
            }
        }
        List<String> known = new ArrayList<>();
        for (AlertMetric metric : AlertMetric.values()) {
            known.add(metric.phrase());
        }
        throw bad("names '" + w + "', which is not a metric alerts watch (in '" + original + "'); use one of: "
                + String.join(", ", known));
    }

    private static double threshold(AlertMetric metric, String t) {
        try {
            return switch (metric.unit()) {
                case SECONDS -> Durations.parse(t).toMillis() / 1000.0;
                case SHARE -> share(t);
                case DOLLARS_PER_HOUR -> dollarsPerHour(t);
                case STATE -> 0.5;
            };
        } catch (IllegalArgumentException e) {
            throw bad("has the threshold '" + t + "', which is not " + switch (metric.unit()) {
                case SECONDS -> "a duration: '" + metric.phrase() + "' takes e.g. 500ms, 2s or 1m";
                case SHARE -> "a share: '" + metric.phrase() + "' takes a percentage (5%) or a fraction (0.05)";
                case DOLLARS_PER_HOUR -> "a spend rate: '" + metric.phrase() + "' takes US dollars per hour, "
                        + "e.g. $3/h";
                case STATE -> "needed";
            });
        }
    }

    private static double share(String t) {
        double v = t.endsWith("%") ? number(t.substring(0, t.length() - 1)) / 100 : number(t);
        if (v < 0 || v > 1) {
            throw new IllegalArgumentException(t);
        }
        return v;
    }

    private static double dollarsPerHour(String t) {
        String s = t.startsWith("$") ? t.substring(1) : t;
        s = s.endsWith("/h") ? s.substring(0, s.length() - 2) : s;
        double v = number(s);
        if (v < 0) {
            throw new IllegalArgumentException(t);
        }
        return v;
    }

    private static double number(String s) {
        if (!s.matches("\\d+(\\.\\d+)?")) {
            throw new IllegalArgumentException(s);
        }
        return Double.parseDouble(s);
    }

    private static Duration hold(String text) {
        return text == null ? Duration.ZERO : duration(text, "the duration (for ...)", Duration.ZERO, MAX_HOLD);
    }

    private static Duration duration(String text, String what, Duration min, Duration max) {
        Duration d;
        try {
            d = Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw bad("has " + what + " '" + text + "', which is not a duration; write e.g. 30s, 5m or 1h");
        }
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw bad("has " + what + " '" + text + "'; it must be between " + Durations.format(min) + " and "
                    + Durations.format(max));
        }
        return d;
    }

    private static String example(AlertMetric metric) {
        return switch (metric.unit()) {
            case SECONDS -> "2s";
            case SHARE -> "5%";
            case DOLLARS_PER_HOUR -> "$3/h";
            case STATE -> "";
        };
    }

    private static HearthException.BadRequest bad(String what) {
        return new HearthException.BadRequest(FIELD + " " + what);
    }

    /** Whether the value breaks the rule. */
    public boolean breaches(double value) {
        return comparison.holds(value, threshold);
    }

    /** Whether the value is far enough from the threshold (by the hysteresis) for a firing rule to resolve. */
    public boolean clears(double value) {
        if (metric.unit() == AlertMetric.Unit.STATE) {
            return value < 0.5;
        }
        double band = Math.abs(threshold) * HYSTERESIS_PERCENT / 100.0;
        return comparison.upward() ? value < threshold - band : value > threshold + band;
    }

    /** The level a firing rule's value must pass to resolve. */
    public double clearLevel() {
        double band = Math.abs(threshold) * HYSTERESIS_PERCENT / 100.0;
        return comparison.upward() ? threshold - band : threshold + band;
    }

    /** The condition in its canonical spelling, which {@link #parse} reads back to an equal condition. */
    public String text() {
        StringBuilder s = new StringBuilder(metric.phrase());
        if (metric.unit() != AlertMetric.Unit.STATE) {
            s.append(' ').append(comparison.symbol()).append(' ').append(format(threshold));
        }
        if (window != null) {
            s.append(" over ").append(Durations.format(window));
        }
        if (!holdFor.isZero()) {
            s.append(" for ").append(Durations.format(holdFor));
        }
        return s.toString();
    }

    /** A value of this metric as people read it: {@code 2.4s}, {@code 12.5%}, {@code $3.2/h}, {@code yes}. */
    public String format(double value) {
        return switch (metric.unit()) {
            case SECONDS -> value >= 1 || value == 0 ? plain(value) + "s" : plain(value * 1000) + "ms";
            case SHARE -> plain(value * 100) + "%";
            case DOLLARS_PER_HOUR -> "$" + plain(value) + "/h";
            case STATE -> value >= 0.5 ? "yes" : "no";
        };
    }

    private static String plain(double v) {
        return new BigDecimal(v).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString();
    }
}
