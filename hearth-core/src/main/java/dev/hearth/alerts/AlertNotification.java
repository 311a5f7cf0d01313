package dev.hearth.alerts;

import dev.hearth.errors.HearthException;
import java.util.Objects;

/**
 * Where a rule's firings and resolutions are sent.
 *
 * @param url        the webhook (checked against the server's webhook targets when the rule is made)
 * @param format     the body's shape
 * @param routingKey PagerDuty's integration key; required for {@link AlertFormat#PAGERDUTY}, refused otherwise
 */
public record AlertNotification(String url, AlertFormat format, String routingKey) {

    public AlertNotification {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(format, "format");
        if (format == AlertFormat.PAGERDUTY && (routingKey == null || routingKey.isBlank())) {
            throw new HearthException.BadRequest("'routingKey' is required with the pagerduty format: the "
                    + "integration key of the PagerDuty service (Events API v2) the alert goes to");
        }
        if (format != AlertFormat.PAGERDUTY && routingKey != null) {
            throw new HearthException.BadRequest("'routingKey' is for the pagerduty format only; this rule's format "
                    + "is " + format.wire());
        }
        if (routingKey != null && (routingKey.length() > 128 || !routingKey.matches("[A-Za-z0-9_-]+"))) {
            throw new HearthException.BadRequest("'routingKey' must be a PagerDuty integration key: letters, digits, "
                    + "'-' and '_', at most 128 characters");
        }
    }
}
