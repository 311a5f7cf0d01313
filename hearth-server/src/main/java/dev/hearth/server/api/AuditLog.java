package dev.hearth.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.audit.AuditEntry;
import dev.hearth.audit.AuditStore;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Records every management action in the audit log, at the API's one front door: who (the key's name and the caller's
 * address), what (the action, its function and target, the change) and how it ended (the status, and the problem's
 * detail when refused). Reads are not recorded, nor the client calls at {@code /v2} except purging a queue. A change
 * is what the route said it was ({@link Call#audit}), or else the request's JSON body; a secret's values never.
 */
final class AuditLog {

    private static final Logger LOG = Logger.getLogger(AuditLog.class.getName());
    private static final int MAX_CHANGE = 4096;

    /** Action names by route; a mutation not listed is recorded as its method and route. */
    private static final Map<String, String> ACTIONS = Map.ofEntries(
            Map.entry("POST /v1/functions", "deploy"),
            Map.entry("DELETE /v1/functions/{fn}", "delete"),
            Map.entry("POST /v1/functions/{fn}/promote", "promote"),
            Map.entry("POST /v1/functions/{fn}/rollback", "rollback"),
            Map.entry("POST /v1/functions/{fn}/canary", "canary"),
            Map.entry("POST /v1/functions/{fn}/restart", "restart"),
            Map.entry("PATCH /v1/functions/{fn}/scaling", "scale"),
            Map.entry("POST /v1/functions/{fn}/scaling", "scale"),
            Map.entry("DELETE /v1/functions/{fn}/scaling", "scale.reset"),
            Map.entry("POST /v1/nodes/{node}/drain", "node.drain"),
            Map.entry("POST /v1/nodes/{node}/undrain", "node.undrain"),
            Map.entry("PUT /v1/budgets/global/{period}", "budget.set"),
            Map.entry("DELETE /v1/budgets/global/{period}", "budget.remove"),
            Map.entry("PUT /v1/budgets/functions/{fn}/{period}", "budget.set"),
            Map.entry("DELETE /v1/budgets/functions/{fn}/{period}", "budget.remove"),
            Map.entry("POST /v1/keys", "key.create"),
            Map.entry("DELETE /v1/keys/{id}", "key.revoke"),
            Map.entry("PUT /v1/secrets/{name}", "secret.set"),
            Map.entry("DELETE /v1/secrets/{name}", "secret.remove"),
            Map.entry("POST /v1/alerts", "alert.set"),
            Map.entry("DELETE /v1/alerts/{name}", "alert.delete"),
            Map.entry("POST /v2/{fn}/purge-queue", "purge"));

    private final AuditStore store;
    private final InstantSource clock;
    private final java.util.concurrent.atomic.AtomicLong sequence = new java.util.concurrent.atomic.AtomicLong();

    AuditLog(AuditStore store, InstantSource clock) {
        this.store = store;
        this.clock = clock;
    }

    /** Whether a request to this route is a management action the log keeps. */
    static boolean audited(String method, String template) {
        if (method.equals("GET") || method.equals("HEAD") || template.equals(KeyScope.JOB_BY_ID + "/cancel")
                || ReplicateRoutes.isClientRoute(template)) {
            return false; // reads, and cancelling a job by id (a client call, as /v2/{fn}/cancel/{id})
        }
        // client calls (every submit passes here) are not management actions, but for purging a queue
        return !template.startsWith("/v2/") || method.equals("POST") && template.equals("/v2/{fn}/purge-queue");
    }

    /** Records a management call that was answered; never fails the call. */
    void record(Call call, Router.Route route, Map<String, String> params, String problem) {
        if (call.key() == null || !audited(route.method(), route.template())) {
            return;
        }
        String action = ACTIONS.getOrDefault(route.method() + " " + route.template(),
                route.method() + " " + route.template());
        String fn = params.get("fn");
        String target = call.auditTarget() != null ? call.auditTarget()
                : fn != null ? fn : params.getOrDefault("node", params.getOrDefault("id",
                        params.getOrDefault("name", params.get("period"))));
        if (fn == null && action.equals("deploy")) {
            fn = call.auditTarget();
        }
        String change = call.auditChange() != null ? call.auditChange() : change(route.template(), call.requestBody());
        Instant at = clock.instant();
        // ids order the entries of one millisecond as they were recorded (the log is read newest first)
        String id = String.format("%012x%08x", at.toEpochMilli(), sequence.incrementAndGet() & 0xffffffffL);
        try {
            store.append(new AuditEntry(id, at, call.key().name(), action, fn,
                    target, change, call.remoteAddress(), call.status(), problem == null ? "ok" : problem));
        } catch (RuntimeException e) {
            // the action happened; a log that cannot be written must not turn its answer into an error
            LOG.log(Level.SEVERE, "cannot append to the audit log: " + action + " by " + call.key().name(), e);
        }
    }

    /** The request body as the change: JSON kept (a secret's values replaced by its keys), other bodies left out. */
    private static String change(String template, byte[] body) {
        if (body == null || body.length == 0 || body[0] != '{' && body[0] != '[') {
            return null;
        }
        String text = new String(body, StandardCharsets.UTF_8);
        if (template.startsWith("/v1/secrets")) {
            try {
                JsonNode n = Json.MAPPER.readTree(text);
                return n.isObject() ? "keys: " + String.join(", ", (Iterable<String>) n::fieldNames) : null;
            } catch (java.io.IOException e) {
                return null;
            }
        }
        return text.length() <= MAX_CHANGE ? text : text.substring(0, MAX_CHANGE) + "…";
    }

    // ---------------------------------------------------------------- GET /v1/audit

    void register(Router r) {
        r.add("GET", "/v1/audit", Router.Access.CLIENT, this::list);
    }

    private void list(Call call) {
        Instant now = clock.instant();
        List<AuditEntry> entries = store.entries(blank(call.query("function")), blank(call.query("action")),
                blank(call.query("key")), call.queryInstant("since", now, null),
                (int) call.queryLong("limit", 100, 1, 1000));
        ObjectNode n = Json.MAPPER.createObjectNode();
        ArrayNode arr = n.putArray("entries");
        for (AuditEntry e : entries) {
            ObjectNode o = arr.addObject();
            o.put("at", e.at().toString());
            o.put("key", e.key());
            o.put("action", e.action());
            if (e.function() != null) {
                o.put("function", e.function());
            }
            if (e.target() != null) {
                o.put("target", e.target());
            }
            if (e.change() != null) {
                o.put("change", e.change());
            }
            if (e.address() != null) {
                o.put("address", e.address());
            }
            o.put("status", e.status());
            o.put("outcome", e.outcome());
        }
        call.json(200, n);
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
