package dev.hearth.alerts;

import java.util.Locale;

/**
 * Where a rule stands: {@code ok} (never fired, or back to normal without firing), {@code pending} (the condition
 * holds, not yet for its {@code for} duration), {@code firing}, and {@code resolved} (it fired, and the value is
 * back past the hysteresis band).
 */
public enum AlertState {
    OK, PENDING, FIRING, RESOLVED;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
