package dev.hearth.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScenarioParserTest {

    @TempDir
    Path dir;

    @Test
    void readsTheIssuesExample() {
        Scenario s = ScenarioParser.parse("""
                gpus: H100:8
                slo: p95 < 2s
                seed: 1
                functions:
                  - name: chat
                    gpu: H100
                    execution: {p50: 800ms, p95: 2s}
                    init: 2s
                    concurrency: 1
                    traffic: poisson 2/s for 1h
                    policies: [{name: d2, dedicated: 2}, {name: zero30, minWorkers: 0, maxWorkers: 4, idleTimeout: 30s}]
                """, dir);

        assertThat(s.gpus()).hasSize(8);
        assertThat(s.slo()).isEqualTo(new Slo("p95", Duration.ofSeconds(2)));
        FunctionSpec f = s.functions().getFirst();
        assertThat(f.execution()).isEqualTo(new Distribution.LogNormal(800, 2000));
        assertThat(f.init()).isEqualTo(new Distribution.Fixed(2000));
        assertThat(f.traffic()).isEqualTo(new Traffic.Poisson(2, 3_600_000));
        assertThat(f.policies()).extracting(Policy::name).containsExactly("d2", "zero30");
        assertThat(f.policies().get(0).scaling().minWorkers()).isEqualTo(2);
        assertThat(f.policies().get(0).scaling().maxWorkers()).isEqualTo(2);
        assertThat(f.policies().get(1).scaling().idleTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void replaysATraceRelativeToItsFirstTimestampWithExecutionTimesFromItsColumns() throws Exception {
        Files.writeString(dir.resolve("trace.csv"), """
                TIMESTAMP,ContextTokens,GeneratedTokens
                2023-11-16 18:17:04.0319600,3180,8
                2023-11-16 18:17:03.9799600,4808,10
                2023-11-16 18:17:05.9799600,100,1
                """);

        Scenario s = ScenarioParser.parse("""
                gpus: H100:1
                slo: p99 < 10s
                functions:
                  - name: code
                    gpu: H100
                    traffic: {trace: trace.csv, timestamp: TIMESTAMP,
                              executionMs: "20 + 0.05*ContextTokens + 30*GeneratedTokens"}
                """, dir);

        Arrivals a = s.functions().getFirst().traffic().generate(new java.util.SplittableRandom(1), null);
        assertThat(a.at()).containsExactly(0, 52, 2000);
        assertThat(a.exec()).containsExactly(20 + 240 + 300, 20 + 159 + 240, 20 + 5 + 30);
    }

    @Test
    void readsTheAzureFunctions2019PerMinuteFormatSpreadingEachMinutesCountWithinThatMinute() throws Exception {
        Files.writeString(dir.resolve("invocations_per_function_md.anon.d01.csv"), """
                HashOwner,HashApp,HashFunction,Trigger,1,2,3
                o1,a1,f1,http,2,0,3
                o2,a2,f2,timer,1,1,1
                """);
        String scenario = """
                gpus: H100:1
                slo: p95 < 2s
                functions:
                  - name: fn
                    gpu: H100
                    execution: 100ms
                    traffic: {trace: invocations_per_function_md.anon.d01.csv, format: azure-functions-2019%s}
                """;

        Arrivals one = ScenarioParser.parse(scenario.formatted(", function: f1"), dir).functions().getFirst()
                .traffic().generate(new java.util.SplittableRandom(1), new Distribution.Fixed(100));
        Arrivals all = ScenarioParser.parse(scenario.formatted(""), dir).functions().getFirst()
                .traffic().generate(new java.util.SplittableRandom(1), new Distribution.Fixed(100));

        assertThat(one.count()).isEqualTo(5);
        assertThat(one.at()).isSorted();
        assertThat(java.util.Arrays.stream(one.at()).filter(t -> t < 60_000).count()).isEqualTo(2);
        assertThat(java.util.Arrays.stream(one.at()).filter(t -> t >= 60_000 && t < 120_000).count()).isZero();
        assertThat(java.util.Arrays.stream(one.at()).filter(t -> t >= 120_000 && t < 180_000).count()).isEqualTo(3);
        assertThat(one.exec()).containsOnly(100);
        assertThat(one.horizon()).isEqualTo(180_000);
        assertThat(all.count()).isEqualTo(8);
        assertThatThrownBy(() -> ScenarioParser.parse(scenario.formatted(", function: nope"), dir))
                .hasMessageContaining("functions[0].traffic").hasMessageContaining("no function with HashFunction 'nope'");
    }

    @Test
    void readsEpochSecondsAndMilliseconds() {
        assertThat(TraceReader.timestamp("1700158623.5", dir, 2)).isEqualTo(1_700_158_623_500L);
        assertThat(TraceReader.timestamp("1700158623500", dir, 2)).isEqualTo(1_700_158_623_500L);
        assertThat(TraceReader.timestamp("2023-11-16T18:17:03.5+01:00", dir, 2)).isEqualTo(1_700_155_023_500L);
    }

    @Test
    void mistakesNameTheFieldAndShowWhatToWrite() {
        assertThatThrownBy(() -> ScenarioParser.parse("gpus: H100:1\nslo: fast\nfunctions: []\n", dir))
                .hasMessageContaining("'slo'").hasMessageContaining("p95 < 2s");
        assertThatThrownBy(() -> ScenarioParser.parse("""
                gpus: H100:1
                slo: p95 < 2s
                functions:
                  - {name: a, gpu: H100, execution: 1s, traffic: poisson 2/s for 1h, colour: red}
                """, dir)).hasMessageContaining("unknown field 'functions[0].colour'");
        assertThatThrownBy(() -> ScenarioParser.parse("""
                gpus: H100:1
                slo: p95 < 2s
                functions:
                  - {name: a, gpu: A100, execution: 1s, traffic: poisson 2/s for 1h}
                """, dir)).hasMessageContaining("functions[0].gpu").hasMessageContaining("does not fit");
        assertThatThrownBy(() -> ScenarioParser.parse("""
                gpus: H100:1
                slo: p95 < 2s
                functions:
                  - {name: a, gpu: H100, execution: {p50: 1s}, traffic: poisson 2/s for 1h}
                """, dir)).hasMessageContaining("functions[0].execution").hasMessageContaining("{p50: 800ms, p95: 2s}");
    }
}
