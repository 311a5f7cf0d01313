package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Cron-scheduled functions and scheduled floors in a real server, on a clock the test moves forward: the server
 * starts two minutes before the top of an hour ({@code TOP}), and the test jumps to the moments that matter.
 */
class ScheduleTest {

    private static final Instant TOP = Instant.now().truncatedTo(ChronoUnit.HOURS).plus(Duration.ofHours(2));

    private final AtomicReference<Duration> ahead = new AtomicReference<>(
            Duration.between(Instant.now(), TOP.minus(Duration.ofMinutes(2))));
    private final InstantSource clock = () -> Instant.now().plus(ahead.get());

    @RegisterExtension
    final TestServer hearth = TestServer.withFunctions("hourly", "floored").onClock(clock);

    /** Moves the server's clock forward to {@code t} (plus the time that passes from then on). */
    private void jumpTo(Instant t) {
        ahead.set(Duration.between(Instant.now(), t));
    }

    @Test
    void aCronScheduledFunctionRunsOneJobWithItsInputAtTheTick() {
        JsonNode schedule = hearth.get("/v1/functions/hourly").json().get("schedule");
        assertThat(schedule.get("nextRun").asText()).isEqualTo(TOP.toString());
        assertThat(hearth.get("/v1/functions/hourly/jobs").json().get("jobs")).isEmpty();

        jumpTo(TOP.plusSeconds(2));

        JsonNode[] jobs = new JsonNode[1];
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            jobs[0] = hearth.get("/v1/functions/hourly/jobs").json().get("jobs");
            return !jobs[0].isEmpty();
        });
        assertThat(jobs[0]).hasSize(1);
        JsonNode done = hearth.awaitFinal("hourly", jobs[0].get(0).get("id").asText());
        assertThat(done.get("status").asText()).isEqualTo("COMPLETED");
        assertThat(done.get("output")).isEqualTo(TestServer.JSON.createObjectNode().put("kind", "hourly"));
        assertThat(hearth.get("/v1/functions/hourly").json().get("schedule").get("nextRun").asText())
                .isEqualTo(TOP.plus(Duration.ofHours(1)).toString());
    }

    @Test
    void aScheduledFloorKeepsAWorkerForItsDurationFromEachTick() {
        assertThat(floor().get("minWorkersNow").asInt()).isZero();
        assertThat(floor().get("schedule").get(0).get("active").asBoolean()).isFalse();
        assertThat(hearth.workerCount("floored")).isZero();

        jumpTo(TOP.plusSeconds(5));

        assertThat(floor().get("minWorkersNow").asInt()).isEqualTo(1);
        assertThat(floor().get("schedule").get(0).get("active").asBoolean()).isTrue();
        await().atMost(Duration.ofSeconds(30)).until(() -> hearth.workerCount("floored") == 1);

        jumpTo(TOP.plus(Duration.ofMinutes(11)));

        assertThat(floor().get("minWorkersNow").asInt()).isZero();
        await().atMost(Duration.ofSeconds(30)).until(() -> hearth.workerCount("floored") == 0);
    }

    private JsonNode floor() {
        return hearth.get("/v1/functions/floored").json().get("scaling");
    }
}
