package dev.hearth.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.functions.GpuRequest;
import dev.hearth.functions.ScalingConfig;
import dev.hearth.metering.Money;
import dev.hearth.metering.PriceCatalogParser;
import dev.hearth.placement.ConfiguredGpuInventory;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HistoryTest {

    private static final Instant FROM = Instant.parse("2026-01-05T10:00:00Z");

    private static History history(long[] at, long[] exec, long[] init) {
        return new History("chat", FROM, FROM.plus(Duration.ofHours(1)), new GpuRequest(List.of("H100"), 1), 1, 10,
                new ScalingConfig(0, 4, Duration.ofSeconds(30), 1),
                ConfiguredGpuInventory.parse("H100:2", "local").gpus(),
                PriceCatalogParser.parse(PriceCatalogParser.defaultYaml()), at, exec, false, init,
                new History.Measured(at.length, 1, new Latency(900, 800, 1500, 1900), Money.ofDollars("0.42")));
    }

    @Test
    void theServersJsonReadsBackAsTheSameHistory() {
        History h = history(new long[] {5, 1000, 2000}, new long[] {300, -1, 700}, new long[] {1800, 1200});

        History back = HistoryJson.read(HistoryJson.write(h));

        assertThat(back.function()).isEqualTo("chat");
        assertThat(back.from()).isEqualTo(h.from());
        assertThat(back.to()).isEqualTo(h.to());
        assertThat(back.gpu()).isEqualTo(h.gpu());
        assertThat(back.scaling()).isEqualTo(h.scaling());
        assertThat(back.fleet()).isEqualTo(h.fleet());
        assertThat(back.prices().gpu("H100").onDemand()).isEqualByComparingTo(h.prices().gpu("H100").onDemand());
        assertThat(back.prices().gpu("H100").alwaysOn()).isEqualByComparingTo(h.prices().gpu("H100").alwaysOn());
        assertThat(back.prices().cpu().onDemand()).isEqualByComparingTo(h.prices().cpu().onDemand());
        assertThat(back.submittedMs()).containsExactly(5, 1000, 2000);
        assertThat(back.executionMs()).containsExactly(300, -1, 700);
        assertThat(back.initMs()).containsExactly(1800, 1200);
        assertThat(back.measured()).isEqualTo(h.measured());
    }

    @Test
    void theReplayKeepsRealArrivalsAndExecutionTimesAndDrawsUnknownOnesFromTheKnown() {
        History h = history(new long[] {5, 1000, 2000}, new long[] {300, -1, 700}, new long[] {1800});

        Scenario s = h.scenario(Slo.parse("p95 < 2s"), null);
        FunctionSpec f = s.functions().getFirst();
        Arrivals a = f.traffic().generate(new SplittableRandom(1), f.execution());

        assertThat(a.at()).containsExactly(5, 1000, 2000);
        assertThat(a.exec()[0]).isEqualTo(300);
        assertThat(a.exec()[1]).isIn(300L, 700L);
        assertThat(a.exec()[2]).isEqualTo(700);
        assertThat(a.horizon()).isEqualTo(3_600_000);
        assertThat(f.current()).isEqualTo(h.scaling());
        assertThat(f.sweep()).isTrue();
    }

    @Test
    void workersStartInTheRealStartUpTimesInTheOrderTheRealWorkersStarted() {
        var sampler = history(new long[] {0}, new long[] {1}, new long[] {1800, 1200, 2500})
                .scenario(Slo.parse("p95 < 2s"), null).functions().getFirst().init().sampler(99);

        assertThat(new long[] {sampler.getAsLong(), sampler.getAsLong(), sampler.getAsLong(), sampler.getAsLong()})
                .containsExactly(1800, 1200, 2500, 1800);
    }

    @Test
    void aWindowInWhichNoJobRanHasNothingToReplay() {
        History h = history(new long[] {5}, new long[] {-1}, new long[0]);

        assertThatThrownBy(() -> h.scenario(Slo.parse("p95 < 2s"), null)).isInstanceOf(ScenarioException.class)
                .hasMessageContaining("no job of 'chat' ran");
    }

    @Test
    void theDefaultSloIsTheMeasuredP95PlusATenthRoundedUpTo100Ms() {
        assertThat(history(new long[0], new long[0], new long[0]).defaultSlo())
                .isEqualTo(new Slo("p95", Duration.ofMillis(1700)));
    }
}
