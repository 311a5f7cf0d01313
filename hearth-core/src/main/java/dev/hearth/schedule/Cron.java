package dev.hearth.schedule;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A standard five-field cron expression, {@code minute hour day-of-month month day-of-week}, evaluated at minute
 * precision.
 *
 * <p>Each field takes {@code *}, a number, a range {@code a-b}, a step (every n-th value: <code>*&#47;n</code>), {@code a-b/n} or {@code a/n}
 * (from {@code a} to the field's end), and comma-separated lists of these. Months also take {@code JAN}-{@code DEC},
 * days of the week {@code SUN}-{@code SAT} (0 and 7 are both Sunday). As in Vixie cron, when both day fields are
 * restricted a day matches if either does. The macros {@code @hourly}, {@code @daily} ({@code @midnight}),
 * {@code @weekly}, {@code @monthly} and {@code @yearly} ({@code @annually}) are accepted too.
 */
public final class Cron {

    private record Field(String name, int min, int max, Map<String, Integer> names) {
    }

    private static final Map<String, Integer> MONTHS = Map.ofEntries(Map.entry("JAN", 1), Map.entry("FEB", 2),
            Map.entry("MAR", 3), Map.entry("APR", 4), Map.entry("MAY", 5), Map.entry("JUN", 6), Map.entry("JUL", 7),
            Map.entry("AUG", 8), Map.entry("SEP", 9), Map.entry("OCT", 10), Map.entry("NOV", 11),
            Map.entry("DEC", 12));
    private static final Map<String, Integer> DAYS = Map.of("SUN", 0, "MON", 1, "TUE", 2, "WED", 3, "THU", 4,
            "FRI", 5, "SAT", 6);
    private static final List<Field> FIELDS = List.of(new Field("minute", 0, 59, Map.of()),
            new Field("hour", 0, 23, Map.of()), new Field("day of month", 1, 31, Map.of()),
            new Field("month", 1, 12, MONTHS), new Field("day of week", 0, 7, DAYS));
    private static final Map<String, String> MACROS = Map.of("@yearly", "0 0 1 1 *", "@annually", "0 0 1 1 *",
            "@monthly", "0 0 1 * *", "@weekly", "0 0 * * 0", "@daily", "0 0 * * *", "@midnight", "0 0 * * *",
            "@hourly", "0 * * * *");
    /** Far enough for any satisfiable expression (Feb 29 on a given weekday recurs within 28 years). */
    private static final int SEARCH_YEARS = 30;

    private final String expression;
    private final long minutes;
    private final long hours;
    private final long daysOfMonth;
    private final long months;
    private final long daysOfWeek;
    private final boolean anyDayOfMonth;
    private final boolean anyDayOfWeek;

    private Cron(String expression, long[] masks, boolean anyDayOfMonth, boolean anyDayOfWeek) {
        this.expression = expression;
        this.minutes = masks[0];
        this.hours = masks[1];
        this.daysOfMonth = masks[2];
        this.months = masks[3];
        // Sunday is both 0 and 7; fold 7 onto 0.
        this.daysOfWeek = (masks[4] | (masks[4] >>> 7)) & 0x7F;
        this.anyDayOfMonth = anyDayOfMonth;
        this.anyDayOfWeek = anyDayOfWeek;
    }

    /**
     * Parses an expression.
     *
     * @throws IllegalArgumentException naming the field that is wrong and why
     */
    public static Cron parse(String expression) {
        if (expression == null || expression.isBlank()) {
            throw new IllegalArgumentException("a cron expression is required, e.g. '*/5 * * * *'");
        }
        String text = expression.trim();
        String expanded = MACROS.getOrDefault(text.toLowerCase(Locale.ROOT), text);
        if (expanded.startsWith("@")) {
            throw new IllegalArgumentException("unknown cron macro '" + text + "'; known: "
                    + MACROS.keySet().stream().sorted().toList());
        }
        String[] parts = expanded.split("\\s+");
        if (parts.length != 5) {
            throw new IllegalArgumentException("cron expression '" + text + "' has " + parts.length
                    + " fields; it needs 5: minute hour day-of-month month day-of-week");
        }
        long[] masks = new long[5];
        for (int i = 0; i < 5; i++) {
            masks[i] = field(parts[i], FIELDS.get(i), text);
        }
        if (masks[4] != 0 && ((masks[4] | (masks[4] >>> 7)) & 0x7F) == 0) {
            throw new IllegalArgumentException("cron expression '" + text + "' matches no day of the week");
        }
        return new Cron(text, masks, parts[2].equals("*") || parts[2].equals("?"),
                parts[4].equals("*") || parts[4].equals("?"));
    }

    private static long field(String text, Field f, String expression) {
        long mask = 0;
        for (String item : text.split(",", -1)) {
            mask |= item(item, f, expression);
        }
        return mask;
    }

    private static long item(String item, Field f, String expression) {
        String where = "cron '" + expression + "', " + f.name() + " field: ";
        if (item.isEmpty()) {
            throw new IllegalArgumentException(where + "empty list entry");
        }
        String range = item;
        int step = 1;
        int slash = item.indexOf('/');
        if (slash >= 0) {
            range = item.substring(0, slash);
            step = number(item.substring(slash + 1), where + "step");
            if (step < 1) {
                throw new IllegalArgumentException(where + "step must be at least 1 in '" + item + "'");
            }
        }
        int lo;
        int hi;
        if (range.equals("*") || range.equals("?")) {
            lo = f.min();
            hi = f.name().equals("day of week") ? 6 : f.max();
        } else if (range.contains("-")) {
            String[] ab = range.split("-", -1);
            if (ab.length != 2) {
                throw new IllegalArgumentException(where + "bad range '" + range + "'");
            }
            lo = value(ab[0], f, where);
            hi = value(ab[1], f, where);
            if (hi < lo) {
                throw new IllegalArgumentException(where + "range '" + range + "' runs backwards");
            }
        } else {
            lo = value(range, f, where);
            hi = slash >= 0 ? f.max() : lo;
        }
        long mask = 0;
        for (int v = lo; v <= hi; v += step) {
            mask |= 1L << v;
        }
        return mask;
    }

    private static int value(String text, Field f, String where) {
        Integer named = f.names().get(text.toUpperCase(Locale.ROOT));
        int v = named != null ? named : number(text, where + "value");
        if (v < f.min() || v > f.max()) {
            throw new IllegalArgumentException(where + "'" + text + "' is out of range " + f.min() + "-" + f.max());
        }
        return v;
    }

    private static int number(String text, String what) {
        if (!text.matches("\\d{1,4}")) {
            throw new IllegalArgumentException(what + " '" + text + "' is not a number");
        }
        return Integer.parseInt(text);
    }

    /** Whether the minute that contains {@code t} is a tick. */
    public boolean matches(ZonedDateTime t) {
        return has(minutes, t.getMinute()) && has(hours, t.getHour()) && has(months, t.getMonthValue()) && dayMatches(t);
    }

    /** Whether the minute that contains {@code t} is a tick in {@code zone}. */
    public boolean matches(Instant t, ZoneId zone) {
        return matches(t.atZone(zone));
    }

    /** The first tick strictly after {@code after}, at the start of its minute. */
    public ZonedDateTime next(ZonedDateTime after) {
        ZonedDateTime t = after.truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
        ZonedDateTime limit = t.plusYears(SEARCH_YEARS);
        while (t.isBefore(limit)) {
            if (!has(months, t.getMonthValue())) {
                t = t.withDayOfMonth(1).truncatedTo(ChronoUnit.DAYS).plusMonths(1);
            } else if (!dayMatches(t)) {
                t = t.truncatedTo(ChronoUnit.DAYS).plusDays(1);
            } else if (!has(hours, t.getHour())) {
                t = t.truncatedTo(ChronoUnit.HOURS).plusHours(1);
            } else if (!has(minutes, t.getMinute())) {
                t = t.plusMinutes(1);
            } else {
                return t;
            }
        }
        throw new IllegalStateException("cron '" + expression + "' has no tick within " + SEARCH_YEARS + " years");
    }

    /** The first tick strictly after {@code after} in {@code zone}. */
    public Instant next(Instant after, ZoneId zone) {
        return next(after.atZone(zone)).toInstant();
    }

    /** Whether any tick lies in {@code (from, to]}. */
    public boolean ticksBetween(Instant from, Instant to, ZoneId zone) {
        return !next(from, zone).isAfter(to);
    }

    private boolean dayMatches(ZonedDateTime t) {
        boolean dom = has(daysOfMonth, t.getDayOfMonth());
        boolean dow = has(daysOfWeek, t.getDayOfWeek() == DayOfWeek.SUNDAY ? 0 : t.getDayOfWeek().getValue());
        if (anyDayOfMonth || anyDayOfWeek) {
            return dom && dow;
        }
        return dom || dow;
    }

    private static boolean has(long mask, int v) {
        return (mask & (1L << v)) != 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cron c && c.expression.equals(expression);
    }

    @Override
    public int hashCode() {
        return expression.hashCode();
    }

    /** The expression as written. */
    @Override
    public String toString() {
        return expression;
    }
}
