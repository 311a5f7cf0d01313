package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** When GPUs are scarce, functions share them by priority: a busy low-priority function cannot starve a high-priority one. */
class GpuFairShareTest {

    @RegisterExtension
    final TestServer hearth = TestServer.withFunctions();

    @Test
    void aLowPriorityFunctionBusyOnEveryGpuGivesOneBackForAHighPriorityFunctionsFirstWorker() {
        hearth.deploy("bulk");
        hearth.deploy("vip");
        List<String> bulk = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            bulk.add(hearth.run("bulk", "{\"seconds\":2}"));
        }
        // both H100s are busy with bulk's jobs, and bulk has plenty more queued
        await().atMost(Duration.ofSeconds(30)).until(() -> inFlight("bulk") == 2);

        String vip = hearth.run("vip", "{\"seconds\":0.1}");

        assertThat(hearth.awaitFinal("vip", vip).get("status").asText()).isEqualTo("COMPLETED");
        long bulkDone = bulk.stream().filter(id -> hearth.status("bulk", id).get("status").asText()
                .equals("COMPLETED")).count();
        // vip did not wait for bulk's queue to empty (then at least 5 would be done): it got the first GPU a bulk
        // job freed
        assertThat(bulkDone).isLessThan(5);
        assertThat(hearth.get("/v1/functions/bulk/events").body()).contains("fair share", "gives its GPUs to vip");
        for (String id : bulk) {
            assertThat(hearth.awaitFinal("bulk", id).get("status").asText()).isEqualTo("COMPLETED");
        }
    }

    private int inFlight(String function) {
        int n = 0;
        for (JsonNode w : hearth.get("/v1/workers?function=" + function).json().get("workers")) {
            n += w.get("inFlight").asInt();
        }
        return n;
    }
}
