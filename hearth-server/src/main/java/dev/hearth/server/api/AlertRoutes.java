package dev.hearth.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.alerts.AlertCondition;
import dev.hearth.alerts.AlertEvent;
import dev.hearth.alerts.AlertFormat;
import dev.hearth.alerts.AlertNotification;
import dev.hearth.alerts.AlertRule;
import dev.hearth.alerts.AlertState;
import dev.hearth.alerts.AlertStatus;
import dev.hearth.alerts.PrometheusRules;
import dev.hearth.errors.HearthException;
import dev.hearth.functions.Durations;
import dev.hearth.server.alerts.AlertService;
import dev.hearth.server.functions.FunctionRegistry;
import java.time.InstantSource;
import java.util.Iterator;
import java.util.Set;

/**
 * Alert rules at {@code /v1/alerts}: create or replace, list with their state and last value, show, delete, the
 * record of firings and resolutions, and the rules as Prometheus alerting rules ({@code ?format=prometheus}).
 */
final class AlertRoutes {

    private static final long BODY_LIMIT = 16 * 1024;
    private static final Set<String> FIELDS = Set.of("name", "function", "when", "webhook", "format", "routingKey");

    private final AlertService alerts;
    private final FunctionRegistry functions;
    private final InstantSource clock;

    AlertRoutes(AlertService alerts, FunctionRegistry functions, InstantSource clock) {
        this.alerts = alerts;
        this.functions = functions;
        this.clock = clock;
    }

    void register(Router r) {
        Router.Access c = Router.Access.CLIENT;
        r.add("GET", "/v1/alerts", c, this::list)
                .add("POST", "/v1/alerts", c, this::put)
                .add("GET", "/v1/alerts/{name}", c, call -> call.json(200, view(alerts.find(call.param("name")))))
                .add("DELETE", "/v1/alerts/{name}", c, this::delete)
                .add("GET", "/v1/alerts/{name}/history", c, this::history);
    }

    private void list(Call call) {
        if ("prometheus".equals(call.query("format"))) {
            PrometheusRules.Export e = PrometheusRules.of(alerts.list().stream().map(AlertService.View::rule).toList());
            StringBuilder text = new StringBuilder();
            e.skipped().forEach(s -> text.append("# not exported: ").append(s).append('\n'));
            call.text(200, "application/yaml; charset=utf-8", text.append(e.yaml()).toString());
            return;
        }
        if (call.query("format") != null) {
            throw new HearthException.BadRequest("query parameter 'format' may only be 'prometheus', got '"
                    + call.query("format") + "'");
        }
        ObjectNode n = Json.MAPPER.createObjectNode();
        ArrayNode arr = n.putArray("alerts");
        String state = call.query("state");
        for (AlertService.View v : alerts.list()) {
            ObjectNode o = view(v);
            if (state == null || state.equals(o.get("state").asText())) {
                arr.add(o);
            }
        }
        call.json(200, n);
    }

    private void put(Call call) {
        JsonNode body = call.json(BODY_LIMIT, "alert rule");
        if (!body.isObject()) {
            throw new HearthException.BadRequest("the body must be a JSON object such as {\"name\": \"slow-echo\", "
                    + "\"function\": \"echo\", \"when\": \"p95 latency > 2s for 5m\"}");
        }
        // what the audit log keeps should the rule be refused: the body, never the PagerDuty key
        ObjectNode redacted = ((ObjectNode) body).deepCopy();
        if (redacted.has("routingKey")) {
            redacted.put("routingKey", "***");
        }
        call.audit(body.path("name").isTextual() ? body.get("name").asText() : null, redacted.toString());
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw new HearthException.BadRequest("unknown field '" + f + "'; an alert rule has name, function, "
                        + "when, webhook, format and routingKey");
            }
        }
        String name = AlertRule.checkName(text(body, "name"));
        String function = text(body, "function");
        if (function != null) {
            functions.require(function);
        }
        AlertCondition condition = AlertCondition.parse(text(body, "when"));
        String webhook = text(body, "webhook");
        AlertFormat format = AlertFormat.fromWire(text(body, "format"), "format");
        String routingKey = text(body, "routingKey");
        if (webhook == null && (body.has("format") || routingKey != null)) {
            throw new HearthException.BadRequest("'format' and 'routingKey' say how to notify a 'webhook', and "
                    + "there is none; add \"webhook\": \"https://...\"");
        }
        AlertRule rule = new AlertRule(name, function, condition,
                webhook == null ? null : new AlertNotification(webhook, format, routingKey), clock.instant());
        boolean replaced = alerts.put(rule);
        call.audit(name, "when: " + condition.text() + "; function: " + rule.scope()
                + (webhook == null ? "" : "; webhook: " + webhook + " (" + format.wire() + ")"));
        call.json(replaced ? 200 : 201, view(alerts.find(name)));
    }

    private void delete(Call call) {
        AlertRule r = alerts.delete(call.param("name"));
        call.audit(r.name(), "deleted: " + r.condition().text() + " on " + r.scope());
        call.json(200, java.util.Map.of("name", r.name(), "deleted", true));
    }

    private void history(Call call) {
        String name = call.param("name");
        int limit = (int) call.queryLong("limit", 50, 1, 1000);
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("name", name);
        ArrayNode arr = n.putArray("events");
        for (AlertEvent e : alerts.history(name, limit)) {
            ObjectNode o = arr.addObject();
            o.put("id", e.id());
            o.put("at", e.at().toString());
            o.put("state", e.state().wire());
            if (e.function() != null) {
                o.put("function", e.function());
            }
            if (e.value() != null) {
                o.put("value", e.value());
            }
            o.put("summary", e.summary());
            o.put("notification", e.notification());
        }
        call.json(200, n);
    }

    private static String text(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new HearthException.BadRequest("'" + field + "' must be a string");
        }
        return v.asText().isBlank() ? null : v.asText().trim();
    }

    /** A rule as answers show it; a PagerDuty routing key is said to be set, never shown. */
    static ObjectNode view(AlertService.View v) {
        AlertRule r = v.rule();
        AlertCondition c = r.condition();
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("name", r.name());
        if (r.function() != null) {
            o.put("function", r.function());
        } else {
            o.putNull("function");
        }
        o.put("when", c.text());
        o.put("metric", c.metric().phrase());
        o.put("threshold", c.threshold());
        o.put("thresholdText", c.format(c.threshold()));
        o.put("clearsAt", c.format(c.clearLevel()));
        if (c.window() != null) {
            o.put("window", Durations.format(c.window()));
        }
        o.put("for", Durations.format(c.holdFor()));
        if (r.notification() != null) {
            o.put("webhook", r.notification().url());
            o.put("format", r.notification().format().wire());
            if (r.notification().routingKey() != null) {
                o.put("routingKey", "set");
            }
        }
        o.put("createdAt", r.createdAt().toString());
        AlertStatus s = v.status().orElse(null);
        o.put("state", s == null ? AlertState.OK.wire() : s.state().wire());
        if (s != null) {
            o.put("since", s.since().toString());
            o.put("evaluatedAt", s.evaluatedAt().toString());
            if (s.value() != null) {
                o.put("value", s.value());
                o.put("valueText", c.format(s.value()));
            }
        }
        return o;
    }
}
