package dev.hearth.sim;

/** A scenario (or a trace it names) that cannot be used; the message names the field and says what to write. */
public final class ScenarioException extends RuntimeException {

    public ScenarioException(String message) {
        super(message, null, false, false);
    }
}
