package dev.hearth.alerts;

import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps each rule's {@link AlertStatus} and moves it on with each value observed, on an injected clock. No I/O: the
 * caller measures the values, and notifies and records what {@link #observe} says changed.
 */
public final class AlertEvaluator {

    private final InstantSource clock;
    private final Map<String, AlertStatus> statuses = new ConcurrentHashMap<>();

    public AlertEvaluator(InstantSource clock) {
        this.clock = clock;
    }

    /** Evaluates the rule on the value measured now (null: nothing to measure); returns its new status. */
    public AlertStatus.Step observe(AlertRule rule, Double value) {
        AlertStatus.Step[] step = new AlertStatus.Step[1];
        statuses.compute(rule.name(), (name, previous) -> {
            AlertStatus from = previous != null ? previous : AlertStatus.initial(clock.instant());
            step[0] = from.next(rule.condition(), value, clock.instant());
            return step[0].status();
        });
        return step[0];
    }

    /** The rule's status, empty until it is first evaluated. */
    public Optional<AlertStatus> status(String rule) {
        return Optional.ofNullable(statuses.get(rule));
    }

    /** Forgets a rule (deleted, or replaced by a new condition that starts from ok). */
    public void forget(String rule) {
        statuses.remove(rule);
    }
}
