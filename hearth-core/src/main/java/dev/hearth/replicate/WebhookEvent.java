package dev.hearth.replicate;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The events a prediction's webhook may ask for ({@code webhook_events_filter}): {@code start}, {@code output},
 * {@code logs} and {@code completed}. Without a filter it gets them all, as on Replicate.
 */
public enum WebhookEvent {
    START, OUTPUT, LOGS, COMPLETED;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param names the filter as sent; null for none
     * @throws IllegalArgumentException naming the events there are
     */
    public static Set<WebhookEvent> filter(Iterable<String> names) {
        if (names == null) {
            return EnumSet.allOf(WebhookEvent.class);
        }
        Set<WebhookEvent> out = EnumSet.noneOf(WebhookEvent.class);
        for (String n : names) {
            WebhookEvent found = null;
            for (WebhookEvent e : values()) {
                if (e.wire().equals(n)) {
                    found = e;
                }
            }
            if (found == null) {
                throw new IllegalArgumentException("'webhook_events_filter' takes start, output, logs and completed, "
                        + "got '" + n + "'");
            }
            out.add(found);
        }
        return out;
    }
}
