package dev.hearth.releases;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.errors.HearthException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReleaseTest {

    static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void aPlainDeployMakesTheNewVersionActiveAndCancelsACanary() {
        Release r = Release.first("f", 1, T).withCanary(2, 10, T).deployed(3, T);
        assertThat(r.active()).isEqualTo(3);
        assertThat(r.canary()).isNull();
    }

    @Test
    void promoteMakesTheCanaryActive() {
        Release r = Release.first("f", 1, T).withCanary(2, 10, T).promoted(T);
        assertThat(r.active()).isEqualTo(2);
        assertThat(r.canary()).isNull();
        assertThatThrownBy(() -> r.promoted(T)).isInstanceOf(HearthException.Conflict.class)
                .hasMessageContaining("no canary");
    }

    @Test
    void rollbackWithoutAVersionGoesToThePreviousActiveVersionSkippingCanariesThatNeverWereActive() {
        Release v1 = Release.first("f", 1, T);
        Release v2 = v1.deployed(2, T);
        Release canary = v2.withCanary(3, 10, T);
        Release cancelled = canary.rolledBack(null, List.of(v1, v2, canary), List.of(1, 2, 3), T);
        assertThat(cancelled.active()).isEqualTo(2);
        assertThat(cancelled.canary()).isNull();
        Release v4 = cancelled.deployed(4, T);
        List<Release> history = List.of(v1, v2, canary, cancelled, v4);

        Release back = v4.rolledBack(null, history, List.of(1, 2, 3, 4), T);

        assertThat(back.active()).isEqualTo(2);
    }

    @Test
    void rollbackToANamedVersionCancelsTheCanary() {
        Release r = Release.first("f", 1, T).deployed(2, T).withCanary(3, 10, T);
        Release back = r.rolledBack(1, List.of(), List.of(1, 2, 3), T);
        assertThat(back.active()).isEqualTo(1);
        assertThat(back.canary()).isNull();
    }

    @Test
    void rollbackRefusesWhatCannotBeDone() {
        Release v1 = Release.first("f", 1, T);
        assertThatThrownBy(() -> v1.rolledBack(null, List.of(v1), List.of(1), T))
                .isInstanceOf(HearthException.Conflict.class).hasMessageContaining("hearth rollback f <version>");
        assertThatThrownBy(() -> v1.rolledBack(1, List.of(v1), List.of(1), T))
                .isInstanceOf(HearthException.Conflict.class).hasMessageContaining("already active");
        assertThatThrownBy(() -> v1.rolledBack(7, List.of(v1), List.of(1), T))
                .isInstanceOf(HearthException.NotFound.class).hasMessageContaining("no version 7");
    }
}
