package dev.hearth.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class VirtualClockTest {

    @Test
    void aSleepOnTheVirtualClockLetsItsTimePassAtOnceForInstantsAndNanosAlike() {
        Instant start = Instant.parse("2026-01-05T00:00:00Z");
        VirtualClock clock = new VirtualClock(start);
        long before = clock.nanoTime();

        clock.sleep(Duration.ofHours(3));

        assertThat(clock.instant()).isEqualTo(start.plus(Duration.ofHours(3)));
        assertThat(clock.nanoTime() - before).isEqualTo(Duration.ofHours(3).toNanos());
    }
}
