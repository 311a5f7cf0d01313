package dev.hearth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlanCommandTest {

    private static final String SCENARIO = """
            gpus: H100:4
            slo: p95 < 5s
            seed: 1
            functions:
              - name: chat
                gpu: H100
                execution: {p50: 800ms, p95: 2s}
                init: 2s
                traffic: poisson 1/s for 10m
                policies: [{name: d2, dedicated: 2}, {name: zero30, minWorkers: 0, maxWorkers: 4, idleTimeout: 30s}]
            """;

    @TempDir
    Path dir;

    private Cli cli() {
        return new Cli(Map.of(), dir);
    }

    @Test
    void printsEveryPolicyAndTheRecommendationWithoutAServer() throws Exception {
        Files.writeString(dir.resolve("plan.yaml"), SCENARIO);

        Cli.Result r = cli().run("plan", "--scenario", "plan.yaml");

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("chat: ", "POLICY", "current", "d2", "zero30", "recommended: ");
    }

    @Test
    void jsonHasOneEntryPerPolicyWithCostLatencyAndTheRecommendation() throws Exception {
        Files.writeString(dir.resolve("plan.yaml"), SCENARIO);

        Cli.Result r = cli().run("plan", "--scenario", "plan.yaml", "--json");

        assertThat(r.code()).as(r.err()).isZero();
        JsonNode fn = Json.MAPPER.readTree(r.out()).get("functions").get(0);
        assertThat(fn.get("name").asText()).isEqualTo("chat");
        assertThat(fn.get("policies")).hasSize(3);
        JsonNode d2 = fn.get("policies").get(1);
        assertThat(d2.get("name").asText()).isEqualTo("d2");
        assertThat(d2.get("scaling").get("minWorkers").asInt()).isEqualTo(2);
        for (String number : new String[] {"cost", "billedGpuSeconds", "busyGpuSeconds", "utilization",
                "coldStarts", "coldStartShare", "requests", "peakWorkers"}) {
            assertThat(d2.get(number).isNumber()).as(number).isTrue();
        }
        for (String stat : new String[] {"mean", "p50", "p95", "p99"}) {
            assertThat(d2.get("latency").get(stat).isNumber()).as("latency." + stat).isTrue();
            assertThat(d2.get("queueDelay").get(stat).isNumber()).as("queueDelay." + stat).isTrue();
        }
        assertThat(d2.get("meetsSlo").isBoolean()).isTrue();
        assertThat(d2.get("peakWorkers").asInt()).isEqualTo(2);
        // two always-on H100s for the 10 minutes (and until the last result) at $0.00093 a second each
        assertThat(d2.get("billedGpuSeconds").asDouble()).isGreaterThanOrEqualTo(1200);
        assertThat(d2.get("cost").decimalValue()).isEqualByComparingTo(d2.get("billedGpuSeconds").decimalValue()
                .multiply(new java.math.BigDecimal("0.00093")));
        JsonNode rec = fn.get("recommendation");
        assertThat(rec.get("policy").asText()).isIn("current", "d2", "zero30");
        assertThat(rec.get("savingVsCurrent").isNumber()).isTrue();
    }

    @Test
    void aBadScenarioIsAUsageErrorNamingTheField() throws Exception {
        Files.writeString(dir.resolve("plan.yaml"), SCENARIO.replace("poisson 1/s for 10m", "lots"));

        Cli.Result r = cli().run("plan", "--scenario", "plan.yaml");

        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("functions[0].traffic", "poisson 2/s for 1h");
    }
}
