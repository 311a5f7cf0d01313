package dev.hearth.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import org.junit.jupiter.api.Test;

class BackoffTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void theFirstRetryWaitsTheInitialDelayAndEachLaterOneCoefficientTimesLonger() {
        Backoff b = new Backoff(Duration.ofMillis(500), 3.0, Duration.ofMinutes(1));

        assertThat(b.delayBefore(1)).isEqualTo(Duration.ofMillis(500));
        assertThat(b.delayBefore(2)).isEqualTo(Duration.ofMillis(1_500));
        assertThat(b.delayBefore(3)).isEqualTo(Duration.ofMillis(4_500));
    }

    @Test
    void delaysNeverExceedTheMaximum() {
        assertThat(Backoff.DEFAULT.delayBefore(6)).isEqualTo(Duration.ofSeconds(32));
        assertThat(Backoff.DEFAULT.delayBefore(7)).isEqualTo(Duration.ofSeconds(60));
        assertThat(Backoff.DEFAULT.delayBefore(1_000)).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void notBeforeIsTheClocksNowPlusTheDelay() {
        InstantSource clock = InstantSource.fixed(T0);

        assertThat(Backoff.DEFAULT.notBefore(2, clock)).isEqualTo(T0.plusSeconds(2));
        assertThat(Backoff.NONE.notBefore(3, clock)).isEqualTo(T0);
        assertThat(Backoff.NONE.isNone()).isTrue();
    }

    @Test
    void aShrinkingOrInvertedBackoffIsRefused() {
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(1), 0.5, Duration.ofSeconds(5)))
                .hasMessageContaining("coefficient");
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(10), 2.0, Duration.ofSeconds(5)))
                .hasMessageContaining("maxDelay");
    }
}
