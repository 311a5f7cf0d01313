package dev.hearth.scaling;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A cold start's phases from the moments its worker reports, and their round trip through a timeline detail. */
class ColdStartPhasesTest {

    private static final Instant LAUNCHED = Instant.ofEpochMilli(1_000_000);

    @Test
    void eachPhaseIsTheTimeBetweenTwoMoments() {
        ColdStartPhases p = ColdStartPhases.of(LAUNCHED, new long[] {1_000_040, 1_002_040, 1_002_540}, null,
                Instant.ofEpochMilli(1_002_545)).orElseThrow();

        assertThat(p).isEqualTo(new ColdStartPhases(40, 2000, 500, 5, null));
        assertThat(p.coldStart().toMillis()).isEqualTo(2545);
    }

    @Test
    void aPreinitializedWorkersColdStartIsItsFirstTakeAfterTheHandOver() {
        ColdStartPhases p = ColdStartPhases.of(LAUNCHED, new long[] {1_000_040, 1_002_040, 1_002_540},
                Instant.ofEpochMilli(1_010_000), Instant.ofEpochMilli(1_010_007)).orElseThrow();

        assertThat(p.pooledMs()).isEqualTo(7460);
        assertThat(p.firstTakeMs()).isEqualTo(7);
        assertThat(p.coldStart().toMillis()).isEqualTo(7);
    }

    @Test
    void clocksThatDisagreeByAMillisecondGiveNoNegativePhase() {
        ColdStartPhases p = ColdStartPhases.of(LAUNCHED, new long[] {999_999, 1_000_010, 1_000_009}, null,
                Instant.ofEpochMilli(1_000_008)).orElseThrow();

        assertThat(p.asMap().values()).allMatch(ms -> ms >= 0);
    }

    @Test
    void withoutMarksThereAreNoPhases() {
        assertThat(ColdStartPhases.parseMarks(null)).isNull();
        assertThat(ColdStartPhases.parseMarks("1,2")).isNull();
        assertThat(ColdStartPhases.parseMarks("1,x,3")).isNull();
        assertThat(ColdStartPhases.of(LAUNCHED, null, null, LAUNCHED)).isEmpty();
    }

    @Test
    void theTimelineDetailReadsBackAsTheSamePhases() {
        ColdStartPhases cold = new ColdStartPhases(40, 2000, 500, 5, null);
        ColdStartPhases pooled = new ColdStartPhases(40, 2000, 500, 5, 7460L);

        assertThat(ColdStartPhases.parse(cold.detail())).contains(cold);
        assertThat(ColdStartPhases.parse(pooled.detail())).contains(pooled);
        assertThat(ColdStartPhases.parse("worker lost")).isEmpty();
    }

    @Test
    void aDetailThatEndsWithTheNodesCacheStateReadsBackAsItsPhases() {
        ColdStartPhases cold = new ColdStartPhases(40, 2000, 500, 5, null);

        assertThat(ColdStartPhases.parse(cold.detail() + "; cold cache (bundle, environment)")).contains(cold);
        assertThat(ColdStartPhases.parse(cold.detail() + "; warm cache")).contains(cold);
        assertThat(ColdStartPhases.parse(cold.detail() + "; something else")).isEmpty();
    }
}
