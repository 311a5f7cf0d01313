package dev.hearth.functions;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses durations as users write them: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 1h30m}, or seconds. */
public final class Durations {

    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)");
    /**
     * The longest duration anything in Hearth takes (retentions included); longer ones are typing mistakes, and
     * overflow arithmetic in nanoseconds past 292 years.
     */
    public static final Duration MAX = Duration.ofDays(3650);

    private Durations() {
    }

    /**
     * @throws IllegalArgumentException with a message that shows the accepted forms, or the longest accepted (3650
     *                                  days)
     */
    public static Duration parse(String text) {
        String s = text.trim();
        if (s.matches("\\d+(\\.\\d+)?")) {
            return bounded(Double.parseDouble(s) * 1000, text);
        }
        Matcher m = PART.matcher(s);
        double millis = 0;
        int end = 0;
        while (m.find()) {
            if (m.start() != end) {
                break;
            }
            double value = Double.parseDouble(m.group(1));
            millis += value * switch (m.group(2)) {
                case "ms" -> 1;
                case "s" -> 1_000;
                case "m" -> 60_000;
                case "h" -> 3_600_000;
                default -> 86_400_000;
            };
            end = m.end();
        }
        if (end == 0 || end != s.length()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration; write e.g. 500ms, 30s, 5m, 1h or 1h30m");
        }
        return bounded(millis, text);
    }

    private static Duration bounded(double millis, String text) {
        if (!(millis <= MAX.toMillis())) {
            throw new IllegalArgumentException("'" + text + "' is longer than 3650d (10 years), the longest duration "
                    + "accepted");
        }
        return Duration.ofMillis(Math.round(millis));
    }

    /** The shortest readable form, e.g. {@code 90s} → {@code 1m30s}. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms % 1000 != 0) {
            return ms + "ms";
        }
        long s = ms / 1000;
        StringBuilder out = new StringBuilder();
        if (s >= 3600) {
            out.append(s / 3600).append('h');
            s %= 3600;
        }
        if (s >= 60) {
            out.append(s / 60).append('m');
            s %= 60;
        }
        if (s > 0 || out.isEmpty()) {
            out.append(s).append('s');
        }
        return out.toString();
    }
}
