package dev.hearth.replicate;

import java.time.Duration;
import java.util.Optional;

/**
 * The {@code Prefer} header of a create: {@code wait} holds the answer up to 60 s, {@code wait=n} up to n seconds
 * (1 to 60). Other preferences in the header are ignored, as RFC 7240 asks.
 */
public final class PreferWait {

    public static final Duration LONGEST = Duration.ofSeconds(60);

    private PreferWait() {
    }

    /**
     * How long to hold the answer; empty without a {@code wait} preference.
     *
     * @throws IllegalArgumentException for a {@code wait=} that is not a whole number from 1 to 60
     */
    public static Optional<Duration> parse(String header) {
        if (header == null) {
            return Optional.empty();
        }
        for (String part : header.split(",")) {
            String p = part.trim();
            int semi = p.indexOf(';');
            if (semi >= 0) {
                p = p.substring(0, semi).trim();
            }
            if (p.equalsIgnoreCase("wait")) {
                return Optional.of(LONGEST);
            }
            if (p.regionMatches(true, 0, "wait=", 0, 5)) {
                String n = p.substring(5).trim();
                if (n.startsWith("\"") && n.endsWith("\"") && n.length() >= 2) {
                    n = n.substring(1, n.length() - 1);
                }
                if (!n.matches("[0-9]{1,3}") || Integer.parseInt(n) < 1 || Integer.parseInt(n) > 60) {
                    throw new IllegalArgumentException("Prefer: wait=" + n + " is not valid; send 'Prefer: wait' "
                            + "(60 s) or 'Prefer: wait=n' with n a whole number of seconds from 1 to 60");
                }
                return Optional.of(Duration.ofSeconds(Integer.parseInt(n)));
            }
        }
        return Optional.empty();
    }
}
