package dev.hearth.alerts;

import java.time.Duration;
import java.time.Instant;

/**
 * A rule's state after its latest evaluation, and the one step of the state machine that gets the next.
 *
 * @param state          where it stands
 * @param since          when it entered that state
 * @param value          the value last seen; null when there was none (no job finished in the window, no budget)
 * @param breachingSince when the condition began to hold without a break, or null while it does not
 * @param evaluatedAt    when it was last evaluated
 */
public record AlertStatus(AlertState state, Instant since, Double value, Instant breachingSince,
                          Instant evaluatedAt) {

    /** What an evaluation changed: nothing to tell, or a firing or resolution to notify and record. */
    public enum Change { NONE, FIRED, RESOLVED }

    /** A status and what changed to reach it. */
    public record Step(AlertStatus status, Change change) {
    }

    /** A rule never evaluated. */
    public static AlertStatus initial(Instant now) {
        return new AlertStatus(AlertState.OK, now, null, null, now);
    }

    /**
     * The next status, for {@code value} seen at {@code now}. The condition must hold without a break for its
     * {@code for} duration before the rule fires; a firing rule resolves only once the value clears the hysteresis
     * band, or when there is no value any more (nothing to measure is no evidence of a breach). Pure.
     */
    public Step next(AlertCondition condition, Double value, Instant now) {
        boolean breach = value != null && condition.breaches(value);
        if (state == AlertState.FIRING) {
            if (value == null || condition.clears(value)) {
                return new Step(new AlertStatus(AlertState.RESOLVED, now, value, null, now), Change.RESOLVED);
            }
            return new Step(new AlertStatus(AlertState.FIRING, since, value, breach ? breachingSince(now) : null,
                    now), Change.NONE);
        }
        if (!breach) {
            AlertState rest = state == AlertState.PENDING ? AlertState.OK : state;
            return new Step(new AlertStatus(rest, rest == state ? since : now, value, null, now), Change.NONE);
        }
        Instant began = breachingSince(now);
        if (!Duration.between(began, now).minus(condition.holdFor()).isNegative()) {
            return new Step(new AlertStatus(AlertState.FIRING, now, value, began, now), Change.FIRED);
        }
        return new Step(new AlertStatus(AlertState.PENDING, state == AlertState.PENDING ? since : now, value, began,
                now), Change.NONE);
    }

    private Instant breachingSince(Instant now) {
        return breachingSince == null ? now : breachingSince;
    }
}
