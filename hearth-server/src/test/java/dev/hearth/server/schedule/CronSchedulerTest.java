package dev.hearth.server.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.functions.FunctionVersion;
import dev.hearth.functions.ManifestParser;
import dev.hearth.store.sqlite.SqliteStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cron-scheduled functions against a real SQLite store and a clock the test moves. */
class CronSchedulerTest {

    static final String YAML = "name: report\nhandler: h.py:f\nschedule: \"*/5 * * * *\"\nscheduleInput: {kind: daily}\n";
    static final FunctionVersion REPORT = new FunctionVersion("report", 1, ManifestParser.parse(YAML), YAML, "ab",
            Instant.parse("2026-01-05T10:01:10Z"));

    @TempDir
    Path dir;

    Instant now = Instant.parse("2026-01-05T10:03:00Z");
    final List<String> submitted = new ArrayList<>();
    final InstantSource clock = () -> now;

    CronScheduler scheduler(SqliteStore store) {
        return new CronScheduler(() -> List.of(REPORT), store,
                (fn, input) -> submitted.add(fn + " " + input + " at " + now), clock);
    }

    @Test
    void eachTickSubmitsOneJobWithTheScheduleInput() {
        try (SqliteStore store = SqliteStore.open(dir)) {
            CronScheduler s = scheduler(store);
            s.runOnce();
            assertThat(submitted).isEmpty();

            now = Instant.parse("2026-01-05T10:05:01Z");
            s.runOnce();
            now = now.plus(Duration.ofSeconds(30));
            s.runOnce();

            assertThat(submitted).containsExactly("report {\"kind\":\"daily\"} at 2026-01-05T10:05:01Z");
            assertThat(s.lastFired("report")).contains(Instant.parse("2026-01-05T10:05:00Z"));
        }
    }

    @Test
    void aRestartInTheSameMinuteDoesNotFireTheTickAgain() {
        now = Instant.parse("2026-01-05T10:05:02Z");
        try (SqliteStore store = SqliteStore.open(dir)) {
            scheduler(store).runOnce();
        }
        now = Instant.parse("2026-01-05T10:05:40Z");
        try (SqliteStore store = SqliteStore.open(dir)) {
            scheduler(store).runOnce();
        }

        assertThat(submitted).hasSize(1);
    }

    @Test
    void afterDowntimeOnlyTheLatestMissedTickFires() {
        now = Instant.parse("2026-01-05T10:05:02Z");
        try (SqliteStore store = SqliteStore.open(dir)) {
            scheduler(store).runOnce();
            now = Instant.parse("2026-01-05T11:12:00Z");
            scheduler(store).runOnce();
            assertThat(scheduler(store).lastFired("report")).contains(Instant.parse("2026-01-05T11:10:00Z"));
        }

        assertThat(submitted).hasSize(2);
    }
}
