package dev.hearth.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CronTriggerTest {

    static final Cron EVERY_5 = Cron.parse("*/5 * * * *");

    static Instant t(String hhmmss) {
        return Instant.parse("2026-01-05T" + hhmmss + "Z");
    }

    @Test
    void aTickFiresOnceWhenItsMinuteComes() {
        assertThat(CronTrigger.due(EVERY_5, ZoneOffset.UTC, t("10:03:00"), t("10:04:59"))).isEmpty();
        assertThat(CronTrigger.due(EVERY_5, ZoneOffset.UTC, t("10:03:00"), t("10:05:00"))).contains(t("10:05:00"));
        assertThat(CronTrigger.due(EVERY_5, ZoneOffset.UTC, t("10:05:00"), t("10:05:40"))).isEmpty();
    }

    @Test
    void afterDowntimeOnlyTheLatestMissedTickFires() {
        assertThat(CronTrigger.due(EVERY_5, ZoneOffset.UTC, t("10:05:00"), t("10:31:00"))).contains(t("10:30:00"));
        assertThat(CronTrigger.due(EVERY_5, ZoneOffset.UTC, Instant.parse("2025-01-01T00:00:00Z"), t("10:31:00")))
                .contains(t("10:30:00"));
    }

    @Test
    void aSchedulerPollingEveryMinuteFiresADailyTickOnceOnEitherDstChangeDay() {
        java.time.ZoneId paris = java.time.ZoneId.of("Europe/Paris");
        Cron daily = Cron.parse("30 2 * * *");
        for (String day : java.util.List.of("2026-03-28T22:00:00Z", "2026-10-24T22:00:00Z")) {
            Instant last = Instant.parse(day);
            int fired = 0;
            for (Instant now = last; now.isBefore(Instant.parse(day).plus(java.time.Duration.ofHours(6)));
                    now = now.plusSeconds(60)) {
                Optional<Instant> due = CronTrigger.due(daily, paris, last, now);
                if (due.isPresent()) {
                    fired++;
                    last = due.get();
                }
            }
            assertThat(fired).as("ticks fired in the night after " + day).isEqualTo(1);
        }
    }
}
