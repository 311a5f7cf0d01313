package dev.hearth.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.errors.HearthException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AlertConditionTest {

    @Test
    void aLatencyConditionReadsItsThresholdInSecondsItsDefaultWindowAndItsHoldDuration() {
        AlertCondition c = AlertCondition.parse("p95 latency > 2s for 5m");

        assertThat(c.metric()).isEqualTo(AlertMetric.LATENCY_P95);
        assertThat(c.comparison()).isEqualTo(Comparison.ABOVE);
        assertThat(c.threshold()).isEqualTo(2.0);
        assertThat(c.window()).isEqualTo(AlertCondition.DEFAULT_WINDOW);
        assertThat(c.holdFor()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void sharesTakePercentagesOrFractionsAndSpendTakesDollarsPerHour() {
        assertThat(AlertCondition.parse("failure rate > 5% over 10m").threshold()).isEqualTo(0.05);
        assertThat(AlertCondition.parse("failure rate > 5% over 10m").window()).isEqualTo(Duration.ofMinutes(10));
        assertThat(AlertCondition.parse("cold start share >= 0.25").threshold()).isEqualTo(0.25);
        assertThat(AlertCondition.parse("spend rate > $3.5/h").threshold()).isEqualTo(3.5);
        assertThat(AlertCondition.parse("budget share > 80%").threshold()).isEqualTo(0.8);
        assertThat(AlertCondition.parse("queue delay p95 < 500ms").threshold()).isEqualTo(0.5);
        assertThat(AlertCondition.parse("oldest queued age > 1m").metric()).isEqualTo(AlertMetric.QUEUE_AGE);
    }

    @Test
    void statesTakeNoComparisonAndNoFreeGpuSaysForHowLongItMayLast() {
        AlertCondition loop = AlertCondition.parse("crash loop");
        AlertCondition gpu = AlertCondition.parse("No free GPU for 10m");

        assertThat(loop.metric()).isEqualTo(AlertMetric.CRASH_LOOP);
        assertThat(loop.holdFor()).isZero();
        assertThat(gpu.metric()).isEqualTo(AlertMetric.NO_FREE_GPU);
        assertThat(gpu.holdFor()).isEqualTo(Duration.ofMinutes(10));
        assertThat(gpu.breaches(1)).isTrue();
        assertThat(gpu.breaches(0)).isFalse();
    }

    @Test
    void theCanonicalTextReadsBackToTheSameCondition() {
        for (String text : new String[] {"p95 latency > 2s over 5m for 5m", "failure rate > 5% over 10m",
                "spend rate > $3/h over 1h",
            "crash loop", "no free gpu for 10m", "oldest queued age >= 30s for 1m", "p99 latency < 250ms over 5m",
            "budget share > 80%"}) {
            AlertCondition c = AlertCondition.parse(text);

            assertThat(c.text()).isEqualTo(text);
            assertThat(AlertCondition.parse(c.text())).isEqualTo(c);
        }
    }

    @Test
    void anUnknownMetricIsRefusedNamingTheMetricsThereAre() {
        assertThatThrownBy(() -> AlertCondition.parse("p96 latency > 2s"))
                .isInstanceOf(HearthException.BadRequest.class)
                .hasMessageContaining("'when'").hasMessageContaining("'p96 latency'")
                .hasMessageContaining("p95 latency").hasMessageContaining("crash loop");
    }

    @Test
    void aThresholdOfTheWrongKindIsRefusedSayingWhatTheMetricTakes() {
        assertThatThrownBy(() -> AlertCondition.parse("p95 latency > 5%"))
                .isInstanceOf(HearthException.BadRequest.class).hasMessageContaining("'5%'")
                .hasMessageContaining("500ms, 2s or 1m");
        assertThatThrownBy(() -> AlertCondition.parse("failure rate > 150%"))
                .hasMessageContaining("percentage (5%) or a fraction (0.05)");
        assertThatThrownBy(() -> AlertCondition.parse("spend rate > lots"))
                .hasMessageContaining("$3/h");
    }

    @Test
    void wordsAfterTheThresholdOtherThanOverAndForAreRefused() {
        assertThatThrownBy(() -> AlertCondition.parse("p95 latency > 2s during 5m"))
                .isInstanceOf(HearthException.BadRequest.class).hasMessageContaining("'during 5m'")
                .hasMessageContaining("over <window>");
    }

    @Test
    void aWindowOnAMetricReadAsItIsNowIsRefused() {
        assertThatThrownBy(() -> AlertCondition.parse("oldest queued age > 1m over 5m"))
                .isInstanceOf(HearthException.BadRequest.class).hasMessageContaining("not over a window");
    }

    @Test
    void aComparisonOnAStateAndAMetricWithoutOneAreRefused() {
        assertThatThrownBy(() -> AlertCondition.parse("crash loop > 1")).hasMessageContaining("is a state");
        assertThatThrownBy(() -> AlertCondition.parse("p95 latency for 5m")).hasMessageContaining("no comparison")
                .hasMessageContaining("p95 latency > 2s for 5m");
    }

    @Test
    void durationsOutOfRangeAndEmptyOrOverlongTextAreRefused() {
        assertThatThrownBy(() -> AlertCondition.parse("p95 latency > 2s over 2d")).hasMessageContaining("between");
        assertThatThrownBy(() -> AlertCondition.parse("p95 latency > 2s for soon"))
                .hasMessageContaining("not a duration");
        assertThatThrownBy(() -> AlertCondition.parse(" ")).hasMessageContaining("is missing");
        assertThatThrownBy(() -> AlertCondition.parse("p95 latency > 2s" + " ".repeat(300)))
                .hasMessageContaining("at most 200");
    }

    @Test
    void aFiringRuleClearsOnlyPastTheHysteresisBand() {
        AlertCondition above = AlertCondition.parse("p95 latency > 2s");
        AlertCondition below = AlertCondition.parse("p95 latency < 2s");

        assertThat(above.clears(1.9)).isFalse();
        assertThat(above.clears(1.79)).isTrue();
        assertThat(below.clears(2.1)).isFalse();
        assertThat(below.clears(2.21)).isTrue();
    }

    @Test
    void valuesAreFormattedInTheMetricsUnit() {
        assertThat(AlertCondition.parse("p95 latency > 2s").format(3.25)).isEqualTo("3.25s");
        assertThat(AlertCondition.parse("p95 latency > 2s").format(0.42)).isEqualTo("420ms");
        assertThat(AlertCondition.parse("failure rate > 5%").format(0.125)).isEqualTo("12.5%");
        assertThat(AlertCondition.parse("spend rate > $3/h").format(4.5)).isEqualTo("$4.5/h");
        assertThat(AlertCondition.parse("crash loop").format(1)).isEqualTo("yes");
    }
}
