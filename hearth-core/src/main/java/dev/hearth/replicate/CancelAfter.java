package dev.hearth.replicate;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code Cancel-After} header: how long after its creation a prediction is canceled if it has not finished.
 * Written as Replicate takes it: {@code 30s}, {@code 5m}, {@code 1h30m45s}, {@code 1500ms} or bare seconds
 * ({@code 90}); at least 5 s, at most 7 days.
 */
public final class CancelAfter {

    public static final Duration SHORTEST = Duration.ofSeconds(5);
    public static final Duration LONGEST = Duration.ofDays(7);
    private static final Pattern BARE = Pattern.compile("[0-9]{1,9}");
    private static final Pattern WHOLE = Pattern.compile("(?:[0-9]{1,9}(?:h|ms|m|s))+");
    private static final Pattern PART = Pattern.compile("([0-9]{1,9})(h|ms|m|s)");

    private CancelAfter() {
    }

    /** @throws IllegalArgumentException naming the forms it takes, for anything else or a value out of range */
    public static Duration parse(String header) {
        String v = header == null ? "" : header.trim();
        Duration d;
        if (BARE.matcher(v).matches()) {
            d = Duration.ofSeconds(Long.parseLong(v));
        } else if (WHOLE.matcher(v).matches()) {
            d = Duration.ZERO;
            Matcher m = PART.matcher(v);
            while (m.find()) {
                long n = Long.parseLong(m.group(1));
                d = d.plus(switch (m.group(2)) {
                    case "h" -> Duration.ofHours(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "s" -> Duration.ofSeconds(n);
                    default -> Duration.ofMillis(n);
                });
            }
        } else {
            throw new IllegalArgumentException("Cancel-After: '" + v + "' is not a duration; write it as 30s, 5m, "
                    + "1h30m45s or a number of seconds");
        }
        if (d.compareTo(SHORTEST) < 0 || d.compareTo(LONGEST) > 0) {
            throw new IllegalArgumentException("Cancel-After: " + v + " is out of range; it must be from 5s to 168h");
        }
        return d;
    }
}
