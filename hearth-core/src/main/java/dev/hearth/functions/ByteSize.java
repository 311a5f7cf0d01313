package dev.hearth.functions;

import java.util.regex.Pattern;

/**
 * Sizes as people write them: bytes, or a number with a unit ({@code 512Mi}, {@code 16Gi}, {@code 2G}), which may end
 * in {@code B} ({@code 100MiB}, {@code 2GB}).
 */
public final class ByteSize {

    private static final Pattern SIZE = Pattern.compile("(\\d+)(Ki|Mi|Gi|Ti|K|M|G|T)?B?");

    private ByteSize() {
    }

    /**
     * The number of bytes, or an {@link IllegalArgumentException} saying what a size looks like; an
     * {@link ArithmeticException} when it is well-formed but more than a long holds.
     */
    public static long parse(String text) {
        var m = SIZE.matcher(text == null ? "" : text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("must be bytes or a size like 512Mi or 16Gi, got '" + text + "'");
        }
        if (m.group(1).length() > 15) {
            throw new ArithmeticException("'" + text + "' is too large");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "" : m.group(2);
        return Math.multiplyExact(n, switch (unit) {
            case "K" -> 1_000L;
            case "M" -> 1_000_000L;
            case "G" -> 1_000_000_000L;
            case "T" -> 1_000_000_000_000L;
            case "Ki" -> 1L << 10;
            case "Mi" -> 1L << 20;
            case "Gi" -> 1L << 30;
            case "Ti" -> 1L << 40;
            default -> 1L;
        });
    }

    /** {@code 1.5 GiB}, {@code 12 KiB}, {@code 300 B}: for messages and tables. */
    public static String format(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? bytes + " B" : (v >= 10 || v == Math.rint(v) ? String.format("%.0f", v)
                : String.format("%.1f", v)) + " " + units[u];
    }
}
