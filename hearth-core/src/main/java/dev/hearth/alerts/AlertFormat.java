package dev.hearth.alerts;

import dev.hearth.errors.HearthException;
import java.util.Locale;

/** The body a rule's webhook receives: plain JSON, a Slack incoming webhook message, or a PagerDuty Events v2 event. */
public enum AlertFormat {
    JSON, SLACK, PAGERDUTY;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws HearthException.BadRequest naming the field and the formats there are */
    public static AlertFormat fromWire(String s, String field) {
        if (s == null || s.isBlank()) {
            return JSON;
        }
        for (AlertFormat f : values()) {
            if (f.wire().equals(s.trim().toLowerCase(Locale.ROOT))) {
                return f;
            }
        }
        throw new HearthException.BadRequest("'" + field + "' must be json, slack or pagerduty, got '" + s + "'");
    }
}
