package dev.hearth.server.alerts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.alerts.AlertCondition;
import dev.hearth.alerts.AlertEvent;
import dev.hearth.alerts.AlertRule;
import dev.hearth.alerts.AlertState;

/**
 * The body of an alert's notification in each format: plain JSON for receivers of one's own, Slack's incoming webhook
 * message ({@code {"text": ...}}), and a PagerDuty Events API v2 event (trigger on firing, resolve on resolution, one
 * {@code dedup_key} per rule so the resolution closes the incident the firing opened).
 */
final class AlertPayloads {

    private static final ObjectMapper JSON = new ObjectMapper();

    private AlertPayloads() {
    }

    static byte[] body(AlertRule rule, AlertEvent event) {
        ObjectNode n = switch (rule.notification().format()) {
            case JSON -> json(rule, event);
            case SLACK -> slack(rule, event);
            case PAGERDUTY -> pagerDuty(rule, event);
        };
        try {
            return JSON.writeValueAsBytes(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode json(AlertRule rule, AlertEvent event) {
        AlertCondition c = rule.condition();
        ObjectNode n = JSON.createObjectNode();
        n.put("event", event.state() == AlertState.FIRING ? "alert.firing" : "alert.resolved");
        n.put("alert", rule.name());
        if (rule.function() != null) {
            n.put("function", rule.function());
        }
        n.put("condition", c.text());
        n.put("state", event.state().wire());
        n.put("metric", c.metric().phrase());
        if (event.value() != null) {
            n.put("value", event.value());
        } else {
            n.putNull("value");
        }
        n.put("threshold", c.threshold());
        n.put("at", event.at().toString());
        n.put("summary", event.summary());
        return n;
    }

    private static ObjectNode slack(AlertRule rule, AlertEvent event) {
        ObjectNode n = JSON.createObjectNode();
        String mark = event.state() == AlertState.FIRING ? ":rotating_light: *FIRING*"
                : ":white_check_mark: *RESOLVED*";
        n.put("text", mark + " `" + rule.name() + "`: " + event.summary());
        return n;
    }

    private static ObjectNode pagerDuty(AlertRule rule, AlertEvent event) {
        ObjectNode n = JSON.createObjectNode();
        n.put("routing_key", rule.notification().routingKey());
        n.put("event_action", event.state() == AlertState.FIRING ? "trigger" : "resolve");
        n.put("dedup_key", dedupKey(rule));
        if (event.state() == AlertState.FIRING) {
            ObjectNode p = n.putObject("payload");
            p.put("summary", rule.name() + ": " + event.summary());
            p.put("severity", "error");
            p.put("source", "hearth/" + (rule.function() == null ? "all-functions" : rule.function()));
            p.put("timestamp", event.at().toString());
            p.put("component", rule.function() == null ? "all functions" : rule.function());
            ObjectNode d = p.putObject("custom_details");
            d.put("condition", rule.condition().text());
            if (event.value() != null) {
                d.put("value", rule.condition().format(event.value()));
            }
        }
        return n;
    }

    /** The same for every firing and resolution of a rule, so PagerDuty keeps one incident per rule. */
    static String dedupKey(AlertRule rule) {
        return "hearth-alert-" + rule.name();
    }
}
