package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Workers start from zero on demand, run jobs concurrently, and go away after their idle timeout. */
class ScalingTest {

    @RegisterExtension
    final TestServer hearth = TestServer.withFunctions();

    @Test
    void theFirstJobIsAColdStartAndWorkersScaleBackToZeroAfterTheIdleTimeout() {
        hearth.deploy("echo");
        assertThat(hearth.workerCount("echo")).isZero();

        JsonNode cold = hearth.post("/v2/echo/runsync", "{\"input\":1}").json();

        assertThat(cold.get("coldStart").asBoolean()).isTrue();
        assertThat(cold.get("initTime").asLong()).isPositive();
        assertThat(hearth.workerCount("echo")).isEqualTo(1);
        await().atMost(Duration.ofSeconds(20)).until(() -> hearth.workerCount("echo") == 0);
        assertThat(hearth.get("/v1/functions/echo/events").body()).contains("idle");
    }

    @Test
    void aWorkerWithConcurrencyRunsSeveralJobsAtOnce() {
        hearth.deploy("concurrent");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ids.add(hearth.run("concurrent", "{\"seconds\":1.5}"));
        }

        Set<String> workers = new HashSet<>();
        double lastStart = 0;
        double firstEnd = Double.MAX_VALUE;
        for (String id : ids) {
            JsonNode done = hearth.awaitFinal("concurrent", id);
            assertThat(done.get("status").asText()).isEqualTo("COMPLETED");
            workers.add(done.get("workerId").asText());
            lastStart = Math.max(lastStart, done.get("output").get("started").asDouble());
            firstEnd = Math.min(firstEnd, done.get("output").get("ended").asDouble());
        }
        // maxWorkers is 1 and concurrency 4: one worker ran all four, and all four were running at one moment
        assertThat(workers).hasSize(1);
        assertThat(lastStart).as("the last job started before the first one ended").isLessThan(firstEnd);
        assertThat(hearth.get("/v1/functions/concurrent/events").body()).contains("concurrency 4");
    }

    @Test
    void aBurstScalesUpToMaxWorkersAndNoFurther() {
        hearth.deploy("sleepy");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            ids.add(hearth.run("sleepy", "{\"seconds\":1}"));
        }

        // eight one-second jobs keep one worker busy far longer than a second one takes to start
        Set<String> workers = new HashSet<>();
        for (String id : ids) {
            workers.add(hearth.awaitFinal("sleepy", id).get("workerId").asText());
        }
        assertThat(workers).as("sleepy's maxWorkers is 2: it scaled up to two workers, not beyond").hasSize(2);
    }
}
