package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Cold starts, with real workers: setup() runs once per worker before its first job, each cold start's phases reach
 * the job's timeline and the function's stats, and pre-initialized processes (scaling.preinit) wait without a GPU
 * and serve the first job on the GPU they are then given.
 */
class ColdStartTest {

    @RegisterExtension
    final TestServer hearth = TestServer.withFunctions("setup-hook", "setup-key", "preinit", "preinit-cuda")
            .onGpus("H100:2");

    @Test
    void setupRunsOnceInEachWorkerBeforeItsFirstJob() {
        JsonNode first = hearth.awaitFinal("setup-hook", hearth.run("setup-hook", "{}")).get("output");
        JsonNode second = hearth.awaitFinal("setup-hook", hearth.run("setup-hook", "{}")).get("output");

        assertThat(first.get("setups").asInt()).isEqualTo(1);
        assertThat(first.get("jobsBeforeSetup").asInt()).isZero();
        assertThat(second.get("worker").asText()).isEqualTo(first.get("worker").asText());
        assertThat(second.get("jobs").asInt()).isEqualTo(2);
        assertThat(second.get("setups").asInt()).isEqualTo(1);
    }

    @Test
    void theManifestsSetupKeyNamesTheSetupFunctionInsteadOfTheModulesOwn() {
        JsonNode out = hearth.awaitFinal("setup-key", hearth.run("setup-key", "{}"));

        assertThat(out.get("status").asText()).isEqualTo("COMPLETED");
        assertThat(out.get("output").get("loaded")).hasSize(1);
    }

    @Test
    void aColdStartsPhasesAreOnTheJobsTimelineAndInTheFunctionsStats() {
        String id = hearth.run("setup-hook", "{}");
        assertThat(hearth.awaitFinal("setup-hook", id).get("coldStart").asBoolean()).isTrue();

        JsonNode phases = workerStarted(id).get("phases");
        assertThat(phases.get("process").asLong()).isNotNegative();
        assertThat(phases.get("imports").asLong()).isNotNegative();
        assertThat(phases.get("setup").asLong()).isGreaterThanOrEqualTo(300); // the fixture's setup() sleeps 0.3 s
        assertThat(phases.get("firstTake").asLong()).isNotNegative();
        assertThat(phases.has("pooled")).isFalse();

        JsonNode stats = hearth.get("/v1/functions/setup-hook/stats").json().get("coldStartPhases");
        assertThat(stats.get("count").asInt()).isEqualTo(1);
        assertThat(stats.get("setup").get("p50").asLong()).isGreaterThanOrEqualTo(300);
        assertThat(stats.get("setup").get("p95").asLong()).isGreaterThanOrEqualTo(300);
        assertThat(stats.get("imports").get("count").asInt()).isEqualTo(1);
        assertThat(hearth.get("/metrics").body())
                .contains("hearth_worker_cold_start_phase_seconds_count{function=\"setup-hook\",phase=\"setup\"} 1");
    }

    @Test
    void aPreinitializedProcessWaitsWithoutAGpuAndServesTheFirstJobOnTheGpuItIsGiven() {
        JsonNode pooled = awaitWaitingPreinit("preinit");
        assertThat(hearth.workerCount("preinit")).isZero();

        String id = hearth.run("preinit", "{}");
        JsonNode done = hearth.awaitFinal("preinit", id);

        JsonNode out = done.get("output");
        assertThat(out.get("worker").asText()).isEqualTo(pooled.get("id").asText());
        assertThat(out.get("cudaVisibleDevicesAtSetup").asText()).isEmpty();
        JsonNode worker = hearth.get("/v1/workers?function=preinit").json().get("workers").get(0);
        assertThat(worker.get("id").asText()).isEqualTo(pooled.get("id").asText());
        String placed = worker.get("gpus").get(0).asText(); // "H100:<index>"
        assertThat(out.get("cudaVisibleDevices").asText()).isEqualTo(placed.substring(placed.indexOf(':') + 1));
        assertThat(out.get("gpuIds").asText()).isEqualTo(out.get("cudaVisibleDevices").asText());
        assertThat(workerStarted(id).get("phases").has("pooled")).isTrue();
    }

    @Test
    void theNextPreinitializedProcessReplacesTheOneThatBecameAWorker() {
        JsonNode pooled = awaitWaitingPreinit("preinit");
        hearth.awaitFinal("preinit", hearth.run("preinit", "{}"));

        JsonNode next = awaitWaitingPreinit("preinit");

        assertThat(next.get("id").asText()).isNotEqualTo(pooled.get("id").asText());
    }

    @Test
    void preinitializedProcessesAreBilledAtTheCpuRateApartFromGpuTime() {
        awaitWaitingPreinit("preinit");

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode line = MeteringTest.line(hearth.get("/v1/usage?function=preinit").json(), "preinit");
            assertThat(line.get("seconds").get("preinit").asDouble()).isPositive();
            assertThat(line.get("cost").get("preinit").decimalValue()).isPositive();
            assertThat(line.get("gpuSeconds").get("billed").asDouble()).isZero();
        });
    }

    @Test
    void aProcessWhoseSetupInitializedCudaIsNotUsedAndAScalingEventSaysWhy() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                hearth.get("/v1/functions/preinit-cuda/events").json().get("events").toString())
                .contains("initialized CUDA").contains("pycuda.autoinit"));
        await().atMost(Duration.ofSeconds(10)).until(() ->
                hearth.get("/v1/workers?function=preinit-cuda").json().get("preinitialized").isEmpty());

        String id = hearth.run("preinit-cuda", "{}");
        JsonNode done = hearth.awaitFinal("preinit-cuda", id);

        assertThat(done.get("status").asText()).isEqualTo("COMPLETED");
        assertThat(workerStarted(id).get("phases").has("pooled")).isFalse();
        assertThat(hearth.get("/v1/workers?function=preinit-cuda").json().get("preinitialized")).isEmpty();
    }

    private JsonNode awaitWaitingPreinit(String function) {
        JsonNode[] found = new JsonNode[1];
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode list = hearth.get("/v1/workers?function=" + function).json().get("preinitialized");
            assertThat(list).hasSize(1);
            assertThat(list.get(0).get("state").asText()).isEqualTo("WAITING_FOR_GPU");
            found[0] = list.get(0);
        });
        return found[0];
    }

    private JsonNode workerStarted(String jobId) {
        JsonNode[] found = new JsonNode[1];
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (JsonNode e : hearth.get("/v1/jobs/" + jobId + "/timeline").json().get("events")) {
                if (e.get("type").asText().equals("worker_started")) {
                    found[0] = e;
                }
            }
            assertThat(found[0]).isNotNull();
        });
        return found[0];
    }
}
