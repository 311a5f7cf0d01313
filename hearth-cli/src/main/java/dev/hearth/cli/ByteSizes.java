package dev.hearth.cli;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Sizes as operators write them on the command line: {@code 100MiB}, {@code 1GiB}, {@code 512Mi}, {@code 5000}. */
final class ByteSizes {

    private static final Pattern SIZE = Pattern.compile("(\\d{1,15})\\s*([a-z]*)");
    private static final Map<String, Long> UNITS = Map.ofEntries(Map.entry("", 1L), Map.entry("b", 1L),
            Map.entry("k", 1_000L), Map.entry("kb", 1_000L), Map.entry("ki", 1L << 10), Map.entry("kib", 1L << 10),
            Map.entry("m", 1_000_000L), Map.entry("mb", 1_000_000L), Map.entry("mi", 1L << 20),
            Map.entry("mib", 1L << 20), Map.entry("g", 1_000_000_000L), Map.entry("gb", 1_000_000_000L),
            Map.entry("gi", 1L << 30), Map.entry("gib", 1L << 30), Map.entry("ti", 1L << 40),
            Map.entry("tib", 1L << 40));

    private ByteSizes() {
    }

    /** @throws IllegalArgumentException saying what is accepted */
    static long parse(String text) {
        Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
        Long unit = m.matches() ? UNITS.get(m.group(2)) : null;
        if (unit == null) {
            throw new IllegalArgumentException("'" + text + "' is not a size; write e.g. 100MiB, 1GiB or 500000");
        }
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is too large");
        }
    }
}
