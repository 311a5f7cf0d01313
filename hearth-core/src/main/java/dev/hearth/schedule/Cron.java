package dev.hearth.schedule;

import com.cronutils.model.definition.CronDefinition;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A standard five-field cron expression, {@code minute hour day-of-month month day-of-week}, evaluated at minute
 * precision. Parsing and matching are cron-utils' (the Unix crontab definition plus the {@code @hourly}-style macros);
 * this class adds the field names to its errors and the daylight-saving policy.
 *
 * <p>The expression is matched against wall-clock time in a zone. A wall-clock tick fires at most once: in spring a
 * tick inside the skipped hour fires at the first instant after the gap (once, however many ticks the gap swallowed);
 * in autumn a tick inside the repeated hour fires at its first occurrence only.
 */
public final class Cron {

    private static final List<String> FIELDS = List.of("minute", "hour", "day of month", "month", "day of week");
    private static final CronDefinition DEFINITION = CronDefinitionBuilder.defineCron()
            .withMinutes().withValidRange(0, 59).withStrictRange().and()
            .withHours().withValidRange(0, 23).withStrictRange().and()
            .withDayOfMonth().withValidRange(1, 31).withStrictRange().and()
            .withMonth().withValidRange(1, 12).withStrictRange().and()
            .withDayOfWeek().withValidRange(0, 7).withMondayDoWValue(1).withIntMapping(7, 0).withStrictRange().and()
            .withSupportedNicknameYearly().withSupportedNicknameAnnually().withSupportedNicknameMonthly()
            .withSupportedNicknameWeekly().withSupportedNicknameDaily().withSupportedNicknameMidnight()
            .withSupportedNicknameHourly()
            .instance();
    private static final CronParser PARSER = new CronParser(DEFINITION);
    private static final Pattern BLANKS = Pattern.compile("\\s+");
    /** How many ticks one wall-clock hour can hold; bounds the walk past ticks a DST change already consumed. */
    private static final int MAX_TICKS_PER_HOUR = 60;

    private final String expression;
    private final ExecutionTime execution;

    private Cron(String expression, ExecutionTime execution) {
        this.expression = expression;
        this.execution = execution;
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
        if (text.startsWith("@")) {
            return new Cron(text, ExecutionTime.forCron(checked(text, text, null)));
        }
        String[] parts = BLANKS.split(text);
        if (parts.length != FIELDS.size()) {
            throw new IllegalArgumentException("cron expression '" + text + "' has " + parts.length
                    + " fields; it needs 5: minute hour day-of-month month day-of-week");
        }
        // '?' (any day) is what Quartz users write; the Unix definition knows only '*'.
        for (int day : new int[] {2, 4}) {
            parts[day] = parts[day].equals("?") ? "*" : parts[day];
        }
        for (int i = 0; i < parts.length; i++) {
            String[] alone = {"*", "*", "*", "*", "*"};
            alone[i] = parts[i];
            checked(String.join(" ", alone), text, FIELDS.get(i));
        }
        com.cronutils.model.Cron cron = checked(String.join(" ", parts), text, null);
        return new Cron(text, ExecutionTime.forCron(cron));
    }

    /** Parses with cron-utils, turning its error into one that names the expression and, when known, the field. */
    private static com.cronutils.model.Cron checked(String candidate, String text, String field) {
        try {
            return PARSER.parse(candidate).validate();
        } catch (RuntimeException e) {  // cron-utils mostly throws IllegalArgumentException; any failure is bad input
            String why = e.getMessage() == null ? "not understood" : e.getMessage().replace(candidate, text)
                    .replace("Failed to parse cron expression. ", "");
            if (text.startsWith("@")) {
                throw new IllegalArgumentException("unknown cron macro '" + text
                        + "'; known: @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly");
            }
            throw new IllegalArgumentException("cron '" + text + "'" + (field == null ? "" : ", " + field
                    + " field") + ": " + why);
        }
    }

    /** Whether the minute that contains {@code t} is a tick (its wall-clock time matches). */
    public boolean matches(ZonedDateTime t) {
        return execution.isMatch(wall(t.toLocalDateTime().truncatedTo(ChronoUnit.MINUTES)));
    }

    /** Whether the minute that contains {@code t} is a tick in {@code zone}. */
    public boolean matches(Instant t, ZoneId zone) {
        return matches(t.atZone(zone));
    }

    /** The first tick strictly after {@code after}, at the start of its minute, in {@code after}'s zone. */
    public ZonedDateTime next(ZonedDateTime after) {
        return next(after.toInstant(), after.getZone()).atZone(after.getZone());
    }

    /**
     * The first tick strictly after {@code after} in {@code zone}. Ticks are found in wall-clock time and then placed
     * on the time line; one that lands at or before {@code after} (the repeated autumn hour, several ticks in one
     * spring gap) has already fired and is passed over.
     */
    public Instant next(Instant after, ZoneId zone) {
        LocalDateTime from = after.atZone(zone).toLocalDateTime();
        for (int i = 0; i <= MAX_TICKS_PER_HOUR; i++) {
            LocalDateTime tick = nextWallTick(from);
            Instant at = firstInstantOf(tick, zone);
            if (at.isAfter(after)) {
                return at;
            }
            from = tick;
        }
        throw new IllegalStateException("cron '" + expression + "' found no tick after " + after + " in " + zone);
    }

    /** Whether any tick lies in {@code (from, to]}. */
    public boolean ticksBetween(Instant from, Instant to, ZoneId zone) {
        return !next(from, zone).isAfter(to);
    }

    private LocalDateTime nextWallTick(LocalDateTime after) {
        // Wall-clock time carried as UTC, which has no gaps or overlaps: the zone's rules are applied afterwards.
        Optional<ZonedDateTime> next = execution.nextExecution(wall(after));
        return next.orElseThrow(() -> new IllegalStateException("cron '" + expression + "' has no tick after "
                + after)).toLocalDateTime();
    }

    /** The earliest instant showing {@code wall} in {@code zone}, or the end of the gap when the clocks skip it. */
    private static Instant firstInstantOf(LocalDateTime wall, ZoneId zone) {
        ZoneOffsetTransition gap = zone.getRules().getTransition(wall);
        if (gap != null && gap.isGap()) {
            return gap.getInstant();
        }
        // For a time in the repeated hour, atZone picks the earlier offset: the first occurrence.
        return wall.atZone(zone).toInstant();
    }

    private static ZonedDateTime wall(LocalDateTime t) {
        return t.atZone(ZoneOffset.UTC);
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
