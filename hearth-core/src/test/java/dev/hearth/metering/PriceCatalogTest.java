package dev.hearth.metering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.functions.GpuRequest;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PriceCatalogTest {

    private static final PriceCatalog DEFAULT = PriceCatalogParser.parse(PriceCatalogParser.defaultYaml());

    @Test
    void theDefaultCatalogSaysWhereItsFiguresComeFromAndPricesCommonGpus() {
        assertThat(PriceCatalogParser.defaultYaml()).contains("docs.runpod.io/serverless/pricing")
                .contains("Edit them to match your hardware's amortised");
        assertThat(DEFAULT.gpu("H100").onDemand()).isEqualByComparingTo("0.00116");
        assertThat(DEFAULT.gpu("h100").alwaysOn()).isEqualByComparingTo("0.00093");
        assertThat(DEFAULT.gpu("SomeFutureGpu")).isEqualTo(DEFAULT.otherGpu());
        assertThat(DEFAULT.cpu().onDemand()).isPositive();
    }

    @Test
    void aCostIsTheRateTimesTheMillisecondsTimesTheUnits() {
        // 1234 ms of 2 H100s on demand: 2 * 0.00116 * 1.234 = $0.00286288
        assertThat(DEFAULT.cost(Resources.gpus("H100", 2, 1), PriceTier.ON_DEMAND, 1234))
                .isEqualTo(Money.ofDollars("0.00286288"));
        assertThat(DEFAULT.cost(Resources.gpus("H100", 2, 1), PriceTier.ALWAYS_ON, 1234))
                .isEqualTo(Money.ofDollars("0.00229524"));
        // CPU workers are not free: 1 ms of half a core is a few nano-dollars, not zero
        assertThat(DEFAULT.cost(Resources.cpu(0.5), PriceTier.ON_DEMAND, 1).nanos()).isEqualTo(7);
    }

    @Test
    void ratesPerHourAreConvertedToPerSecond() {
        PriceCatalog c = PriceCatalogParser.parse("""
                unit: hour
                gpus: {A100: {onDemand: 3.6}}
                cpu: {onDemand: "$0.036", alwaysOn: 0.018}
                """);
        assertThat(c.cost(Resources.gpus("A100", 1, 1), PriceTier.ALWAYS_ON, 1000)).isEqualTo(Money.ofDollars("0.001"));
        assertThat(c.cost(Resources.cpu(1), PriceTier.ALWAYS_ON, 1000)).isEqualTo(Money.ofDollars("0.000005"));
        assertThat(c.prices("H100")).isFalse();
    }

    @Test
    void badCatalogsAreRefusedNamingTheField() {
        assertThatThrownBy(() -> PriceCatalogParser.parse("gpus: {}\ncpu: {onDemand: 1}\nfoo: 1"))
                .isInstanceOf(PriceCatalogException.class).hasMessageContaining("unknown field 'foo'");
        assertThatThrownBy(() -> PriceCatalogParser.parse("gpus: {H100: {onDemand: 1, spot: 2}}\ncpu: {onDemand: 1}"))
                .hasMessageContaining("unknown field 'gpus.H100.spot'");
        assertThatThrownBy(() -> PriceCatalogParser.parse("gpus: {H100: {onDemand: -1}}\ncpu: {onDemand: 1}"))
                .hasMessageContaining("'gpus.H100.onDemand' must not be negative");
        assertThatThrownBy(() -> PriceCatalogParser.parse("gpus: {H100: {onDemand: cheap}}\ncpu: {onDemand: 1}"))
                .hasMessageContaining("'gpus.H100.onDemand' must be a number of dollars");
        assertThatThrownBy(() -> PriceCatalogParser.parse("gpus: {}"))
                .hasMessageContaining("'cpu' is required");
        assertThatThrownBy(() -> PriceCatalogParser.parse("unit: minute\ncpu: {onDemand: 1}"))
                .hasMessageContaining("'unit' must be 'second' or 'hour'");
    }

    @Test
    void theMostAJobCanCostCoversEveryAttemptAtTheDearestAcceptedGpu() {
        GpuRequest h100OrA100 = new GpuRequest(List.of("A100", "H100"), 2);
        // 2 GPUs * $0.00116/s (H100, the dearer) * 60 s * 2 attempts
        assertThat(DEFAULT.maxJobCost(h100OrA100, 1, Duration.ofSeconds(60), 1))
                .isEqualTo(Money.ofDollars(new BigDecimal("0.2784")));
    }

    @Test
    void moneyPrintsAsDollars() {
        assertThat(Money.ofDollars("1.5")).hasToString("$1.50");
        assertThat(Money.ofDollars("0.0042")).hasToString("$0.0042");
        assertThat(new Money(7)).hasToString("$0.000000007");
        assertThat(Money.ofDollars("0.009970174").rounded(6)).isEqualTo("$0.00997");
        assertThat(Money.ofDollars("12").rounded(6)).isEqualTo("$12.00");
    }
}
