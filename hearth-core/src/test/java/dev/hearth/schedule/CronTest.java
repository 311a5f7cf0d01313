package dev.hearth.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

class CronTest {

    static final ZoneId UTC = ZoneOffset.UTC;

    static ZonedDateTime at(String iso) {
        return ZonedDateTime.parse(iso);
    }

    static ZonedDateTime next(String cron, String after) {
        return Cron.parse(cron).next(at(after));
    }

    @Test
    void everyFiveMinutesTicksOnMultiplesOfFive() {
        assertThat(next("*/5 * * * *", "2026-03-02T10:03:27Z")).isEqualTo(at("2026-03-02T10:05:00Z"));
        assertThat(next("*/5 * * * *", "2026-03-02T10:05:00Z")).isEqualTo(at("2026-03-02T10:10:00Z"));
        assertThat(next("*/5 * * * *", "2026-03-02T23:58:00Z")).isEqualTo(at("2026-03-03T00:00:00Z"));
    }

    @Test
    void weekdayMorningsSkipTheWeekend() {
        // 2026-03-06 is a Friday
        assertThat(next("0 9 * * 1-5", "2026-03-06T09:00:00Z")).isEqualTo(at("2026-03-09T09:00:00Z"));
        assertThat(next("0 9 * * MON-FRI", "2026-03-05T12:00:00Z")).isEqualTo(at("2026-03-06T09:00:00Z"));
    }

    @Test
    void listsRangesAndStepsCombine() {
        Cron c = Cron.parse("0,30 8-18/2 * * *");

        assertThat(c.matches(at("2026-01-01T08:30:00Z"))).isTrue();
        assertThat(c.matches(at("2026-01-01T10:00:00Z"))).isTrue();
        assertThat(c.matches(at("2026-01-01T09:00:00Z"))).isFalse();
        assertThat(c.matches(at("2026-01-01T20:00:00Z"))).isFalse();
        assertThat(c.matches(at("2026-01-01T10:15:00Z"))).isFalse();
    }

    @Test
    void aStartWithAStepRunsToTheEndOfTheField() {
        Cron c = Cron.parse("10/20 * * * *");

        assertThat(c.matches(at("2026-01-01T00:10:00Z"))).isTrue();
        assertThat(c.matches(at("2026-01-01T00:30:00Z"))).isTrue();
        assertThat(c.matches(at("2026-01-01T00:50:00Z"))).isTrue();
        assertThat(c.matches(at("2026-01-01T00:00:00Z"))).isFalse();
    }

    @Test
    void monthNamesAndSundayAsSevenWork() {
        assertThat(next("0 0 1 jan *", "2026-03-01T00:00:00Z")).isEqualTo(at("2027-01-01T00:00:00Z"));
        // 2026-03-08 is a Sunday
        assertThat(next("0 12 * * 7", "2026-03-05T00:00:00Z")).isEqualTo(at("2026-03-08T12:00:00Z"));
        assertThat(next("0 12 * * SUN", "2026-03-05T00:00:00Z")).isEqualTo(at("2026-03-08T12:00:00Z"));
    }

    @Test
    void bothDayFieldsRestrictedMatchEither() {
        Cron c = Cron.parse("0 0 13 * 5");  // the 13th, or any Friday

        assertThat(c.matches(at("2026-03-13T00:00:00Z"))).isTrue();  // a Friday the 13th
        assertThat(c.matches(at("2026-04-13T00:00:00Z"))).isTrue();  // a Monday
        assertThat(c.matches(at("2026-04-17T00:00:00Z"))).isTrue();  // a Friday
        assertThat(c.matches(at("2026-04-14T00:00:00Z"))).isFalse();
    }

    @Test
    void leapDaysAreFoundYearsAhead() {
        assertThat(next("0 0 29 2 *", "2026-01-01T00:00:00Z")).isEqualTo(at("2028-02-29T00:00:00Z"));
    }

    @Test
    void macrosExpand() {
        assertThat(next("@hourly", "2026-01-01T10:15:00Z")).isEqualTo(at("2026-01-01T11:00:00Z"));
        assertThat(next("@daily", "2026-01-01T10:15:00Z")).isEqualTo(at("2026-01-02T00:00:00Z"));
    }

    @Test
    void ticksAreEvaluatedInTheGivenZone() {
        ZoneId paris = ZoneId.of("Europe/Paris");
        Instant next = Cron.parse("0 9 * * *").next(Instant.parse("2026-01-10T00:00:00Z"), paris);

        assertThat(next).isEqualTo(Instant.parse("2026-01-10T08:00:00Z"));
    }

    @Test
    void ticksBetweenIsExclusiveOfTheStartAndInclusiveOfTheEnd() {
        Cron c = Cron.parse("*/5 * * * *");

        assertThat(c.ticksBetween(Instant.parse("2026-01-01T10:00:00Z"), Instant.parse("2026-01-01T10:05:00Z"),
                UTC)).isTrue();
        assertThat(c.ticksBetween(Instant.parse("2026-01-01T10:00:00Z"), Instant.parse("2026-01-01T10:04:59Z"),
                UTC)).isFalse();
    }

    static final ZoneId PARIS = ZoneId.of("Europe/Paris");

    static java.util.List<Instant> ticks(String cron, String from, String to) {
        Cron c = Cron.parse(cron);
        java.util.List<Instant> out = new java.util.ArrayList<>();
        for (Instant t = c.next(Instant.parse(from), PARIS); !t.isAfter(Instant.parse(to)); t = c.next(t, PARIS)) {
            out.add(t);
        }
        return out;
    }

    @Test
    void aDailyTickInTheSkippedSpringHourFiresOnceWhenTheClocksHaveJumped() {
        // 2026-03-29: Paris goes from 02:00 CET straight to 03:00 CEST (01:00Z); 02:30 does not exist that day.
        assertThat(ticks("30 2 * * *", "2026-03-28T00:00:00Z", "2026-03-30T23:59:00Z")).containsExactly(
                Instant.parse("2026-03-28T01:30:00Z"),   // 02:30 CET
                Instant.parse("2026-03-29T01:00:00Z"),   // 03:00 CEST, the first instant after the gap
                Instant.parse("2026-03-30T00:30:00Z"));  // 02:30 CEST
    }

    @Test
    void aDailyTickInTheRepeatedAutumnHourFiresOnlyAtItsFirstOccurrence() {
        // 2026-10-25: Paris shows 02:00-03:00 twice, first CEST (00:00Z-01:00Z) then CET (01:00Z-02:00Z).
        assertThat(ticks("30 2 * * *", "2026-10-24T00:00:00Z", "2026-10-26T23:59:00Z")).containsExactly(
                Instant.parse("2026-10-24T00:30:00Z"),   // 02:30 CEST
                Instant.parse("2026-10-25T00:30:00Z"),   // 02:30 CEST, the first of the two
                Instant.parse("2026-10-26T01:30:00Z"));  // 02:30 CET
    }

    @Test
    void ticksSwallowedBySpringGapFireOnceAndTheRepeatedHourIsNotRunAgain() {
        assertThat(ticks("*/15 2 * * *", "2026-03-29T00:00:00Z", "2026-03-29T02:00:00Z"))
                .containsExactly(Instant.parse("2026-03-29T01:00:00Z"));
        assertThat(ticks("0 * * * *", "2026-10-24T23:30:00Z", "2026-10-25T02:30:00Z")).containsExactly(
                Instant.parse("2026-10-25T00:00:00Z"),   // 02:00 CEST
                Instant.parse("2026-10-25T02:00:00Z"));  // 03:00 CET; 02:00 CET was already fired as CEST
    }

    @Test
    void badExpressionsNameTheField() {
        assertThatThrownBy(() -> Cron.parse("* * *")).hasMessageContaining("needs 5");
        assertThatThrownBy(() -> Cron.parse("60 * * * *")).hasMessageContaining("minute").hasMessageContaining("[0, 59]");
        assertThatThrownBy(() -> Cron.parse("* 24 * * *")).hasMessageContaining("hour").hasMessageContaining("23");
        assertThatThrownBy(() -> Cron.parse("*/0 * * * *")).hasMessageContaining("minute").hasMessageContaining("Period 0");
        assertThatThrownBy(() -> Cron.parse("* * * FOO *")).hasMessageContaining("month");
        assertThatThrownBy(() -> Cron.parse("* * 0 * *")).hasMessageContaining("day of month");
        assertThatThrownBy(() -> Cron.parse("* * * * 8")).hasMessageContaining("day of week");
        assertThatThrownBy(() -> Cron.parse("@sometimes")).hasMessageContaining("macro");
        assertThatThrownBy(() -> Cron.parse("0 0 31 2 *").next(at("2026-01-01T00:00:00Z")))
                .hasMessageContaining("no tick");
    }
}
