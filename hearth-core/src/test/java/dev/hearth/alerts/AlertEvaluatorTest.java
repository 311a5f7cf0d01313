package dev.hearth.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rule state machine on a clock the test moves: ok → pending → firing → resolved, with hysteresis. */
class AlertEvaluatorTest {

    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    private Instant now = T0;
    private final AlertEvaluator evaluator = new AlertEvaluator(() -> now);

    private static AlertRule rule(String when) {
        return new AlertRule("slow", "echo", AlertCondition.parse(when), null, T0);
    }

    private AlertStatus.Step at(long seconds, AlertRule rule, Double value) {
        now = T0.plusSeconds(seconds);
        return evaluator.observe(rule, value);
    }

    @Test
    void aBreachFiresOnlyOnceItHeldForItsDuration() {
        AlertRule r = rule("p95 latency > 2s for 5m");

        assertThat(at(0, r, 3.0).status().state()).isEqualTo(AlertState.PENDING);
        assertThat(at(299, r, 3.0).change()).isEqualTo(AlertStatus.Change.NONE);
        AlertStatus.Step fired = at(300, r, 3.0);

        assertThat(fired.change()).isEqualTo(AlertStatus.Change.FIRED);
        assertThat(fired.status().state()).isEqualTo(AlertState.FIRING);
        assertThat(fired.status().since()).isEqualTo(T0.plusSeconds(300));
        assertThat(fired.status().breachingSince()).isEqualTo(T0);
    }

    @Test
    void aBreakInTheBreachStartsTheDurationAgain() {
        AlertRule r = rule("p95 latency > 2s for 5m");

        at(0, r, 3.0);
        assertThat(at(200, r, 1.0).status().state()).isEqualTo(AlertState.OK);
        assertThat(at(260, r, 3.0).status().state()).isEqualTo(AlertState.PENDING);

        assertThat(at(500, r, 3.0).change()).isEqualTo(AlertStatus.Change.NONE);
        assertThat(at(560, r, 3.0).change()).isEqualTo(AlertStatus.Change.FIRED);
    }

    @Test
    void withoutADurationABreachFiresAtOnce() {
        assertThat(at(0, rule("crash loop"), 1.0).change()).isEqualTo(AlertStatus.Change.FIRED);
    }

    @Test
    void aFiringRuleResolvesOnceTheValueClearsTheBandAndMayFireAgain() {
        AlertRule r = rule("p95 latency > 2s");
        at(0, r, 2.5);

        AlertStatus.Step resolved = at(10, r, 1.5);

        assertThat(resolved.change()).isEqualTo(AlertStatus.Change.RESOLVED);
        assertThat(resolved.status().state()).isEqualTo(AlertState.RESOLVED);
        assertThat(resolved.status().value()).isEqualTo(1.5);
        assertThat(at(20, r, 1.0).status().state()).isEqualTo(AlertState.RESOLVED);
        assertThat(at(30, r, 2.5).change()).isEqualTo(AlertStatus.Change.FIRED);
    }

    @Test
    void aValueHoveringAtTheThresholdFiresOnceAndDoesNotFlap() {
        AlertRule r = rule("p95 latency > 2s");
        List<AlertStatus.Change> changes = new ArrayList<>();

        double[] hovering = {2.05, 1.95, 2.1, 1.85, 2.01, 1.9, 2.2, 1.82, 1.99, 2.05};
        for (int i = 0; i < hovering.length; i++) {
            AlertStatus.Step s = at(i * 10L, r, hovering[i]);
            if (s.change() != AlertStatus.Change.NONE) {
                changes.add(s.change());
            }
        }

        assertThat(changes).containsExactly(AlertStatus.Change.FIRED);
        assertThat(evaluator.status("slow").orElseThrow().state()).isEqualTo(AlertState.FIRING);
        assertThat(evaluator.status("slow").orElseThrow().value()).isEqualTo(2.05);
    }

    @Test
    void noValueAnyMoreResolvesAFiringRuleAndKeepsAQuietOneQuiet() {
        AlertRule r = rule("p95 latency > 2s");
        assertThat(at(0, r, null).status().state()).isEqualTo(AlertState.OK);
        at(10, r, 3.0);

        assertThat(at(20, r, null).change()).isEqualTo(AlertStatus.Change.RESOLVED);
    }

    @Test
    void aRuleWatchingForLowValuesFiresBelowAndResolvesAboveTheBand() {
        AlertRule r = rule("cold start share < 50%");

        assertThat(at(0, r, 0.4).change()).isEqualTo(AlertStatus.Change.FIRED);
        assertThat(at(10, r, 0.52).change()).isEqualTo(AlertStatus.Change.NONE);
        assertThat(at(20, r, 0.56).change()).isEqualTo(AlertStatus.Change.RESOLVED);
    }

    @Test
    void aForgottenRuleStartsAgainFromOk() {
        AlertRule r = rule("p95 latency > 2s");
        at(0, r, 3.0);

        evaluator.forget("slow");

        assertThat(evaluator.status("slow")).isEmpty();
        assertThat(at(10, r, 1.0).status().state()).isEqualTo(AlertState.OK);
    }

    @Test
    void statusesAreKeptPerRuleAndReadTheInjectedClock() {
        InstantSource fixed = InstantSource.fixed(T0.plus(Duration.ofHours(1)));
        AlertEvaluator other = new AlertEvaluator(fixed);

        AlertStatus s = other.observe(rule("crash loop"), 0.0).status();

        assertThat(s.evaluatedAt()).isEqualTo(fixed.instant());
        assertThat(other.status("slow")).contains(s);
        assertThat(other.status("other")).isEmpty();
    }
}
