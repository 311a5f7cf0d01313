package dev.hearth.releases;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.errors.HearthException;
import org.junit.jupiter.api.Test;

class CanarySplitTest {

    // seeded: the test is deterministic, and the ids as random as real ones (80 random bits)
    private final java.util.Random random = new java.util.Random(42);

    private String jobId() {
        return "job-" + Long.toString(System.currentTimeMillis(), 36) + "-" + Long.toHexString(random.nextLong());
    }

    @Test
    void theShareOfManyJobsIsThePercentWithinFiveStandardDeviations() {
        int n = 20_000;
        for (int percent : new int[] {1, 10, 50, 90}) {
            int canary = 0;
            for (int i = 0; i < n; i++) {
                if (CanarySplit.toCanary(jobId(), percent)) {
                    canary++;
                }
            }
            double p = percent / 100.0;
            double sigma = Math.sqrt(p * (1 - p) / n);
            assertThat((double) canary / n).as("share at %d%%", percent).isCloseTo(p,
                    org.assertj.core.data.Offset.offset(5 * sigma));
        }
    }

    @Test
    void aKnownIdGoesToTheCanaryFromThePercentItsHashNames() {
        // worked out apart from Hearth (Python: int.from_bytes(sha256(id)[:8], "big") % 10000): buckets 362 and 1306
        assertThat(CanarySplit.bucket("job-mf3k2a-1f2e3d4c5b6a7988")).isEqualTo(362);
        assertThat(CanarySplit.toCanary("job-mf3k2a-1f2e3d4c5b6a7988", 3)).isFalse();
        assertThat(CanarySplit.toCanary("job-mf3k2a-1f2e3d4c5b6a7988", 4)).isTrue();
        assertThat(CanarySplit.bucket("job-mf3k2a-00000000000000a1")).isEqualTo(1306);
        assertThat(CanarySplit.toCanary("job-mf3k2a-00000000000000a1", 13)).isFalse();
        assertThat(CanarySplit.toCanary("job-mf3k2a-00000000000000a1", 14)).isTrue();
    }

    @Test
    void aJobOnTheCanaryAtOnePercentStaysOnItAtAHigherPercent() {
        for (int i = 0; i < 10_000; i++) {
            String id = jobId();
            if (CanarySplit.toCanary(id, 5)) {
                assertThat(CanarySplit.toCanary(id, 25)).isTrue();
            }
        }
    }

    @Test
    void percentIsAWholeNumberFromOneToNinetyNine() {
        assertThat(CanarySplit.parsePercent("10%")).isEqualTo(10);
        assertThat(CanarySplit.parsePercent(" 25 ")).isEqualTo(25);
        assertThatThrownBy(() -> CanarySplit.parsePercent("ten")).isInstanceOf(HearthException.BadRequest.class)
                .hasMessageContaining("like 10%");
        assertThatThrownBy(() -> CanarySplit.parsePercent("100%")).isInstanceOf(HearthException.BadRequest.class)
                .hasMessageContaining("promote");
        assertThatThrownBy(() -> CanarySplit.parsePercent("0")).isInstanceOf(HearthException.BadRequest.class);
        assertThatThrownBy(() -> CanarySplit.parsePercent("2.5%")).isInstanceOf(HearthException.BadRequest.class);
    }
}
