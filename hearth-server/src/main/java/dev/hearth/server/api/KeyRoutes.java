package dev.hearth.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.errors.HearthException;
import java.util.ArrayList;
import java.util.List;

/**
 * API keys at {@code /v1/keys} (admin only): make one with a scope (shown once), list them (never the secrets),
 * revoke one; and {@code GET /v1/whoami}, which tells any key its own name, scope and functions (the dashboard hides
 * the actions a key may not take).
 */
final class KeyRoutes {

    private static final long BODY_LIMIT = 64 << 10;

    private final ApiKeys keys;

    KeyRoutes(ApiKeys keys) {
        this.keys = keys;
    }

    void register(Router r) {
        Router.Access c = Router.Access.CLIENT;
        r.add("POST", "/v1/keys", c, this::create)
                .add("GET", "/v1/keys", c, this::list)
                .add("DELETE", "/v1/keys/{id}", c, this::revoke)
                .add("GET", "/v1/whoami", c, call -> call.json(200, json(call.key())));
    }

    private void create(Call call) {
        JsonNode body = call.json(BODY_LIMIT, "keys");
        if (!body.isObject()) {
            throw new HearthException.BadRequest("the body must be a JSON object such as {\"name\": \"ci\", \"scope\": "
                    + "\"invoke\", \"functions\": [\"echo\"]}");
        }
        for (var it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!List.of("name", "scope", "functions").contains(f)) {
                throw new HearthException.BadRequest("unknown field '" + f + "'; a key takes name, scope and functions");
            }
        }
        List<String> functions = new ArrayList<>();
        JsonNode fns = body.get("functions");
        if (fns != null && !fns.isNull()) {
            if (!fns.isArray() || fns.size() > 1000) {
                throw new HearthException.BadRequest("'functions' must be a list of function names (at most 1000)");
            }
            for (JsonNode f : fns) {
                if (!f.isTextual() || f.asText().isBlank()) {
                    throw new HearthException.BadRequest("'functions' must hold function names, got " + f);
                }
                functions.add(f.asText().trim());
            }
        }
        JsonNode scope = body.get("scope");
        if (scope == null || !scope.isTextual()) {
            throw new HearthException.BadRequest("'scope' is required: read, invoke, deploy or admin");
        }
        JsonNode name = body.get("name");
        ApiKeys.Created made = keys.create(name == null || !name.isTextual() ? null : name.asText(),
                KeyScope.fromWire(scope.asText()), functions);
        ObjectNode n = json(made.key());
        call.audit(made.key().name(), n.toString());
        n.put("key", made.secret());
        call.json(201, n);
    }

    private void list(Call call) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        ArrayNode arr = n.putArray("keys");
        keys.list().forEach(k -> arr.add(json(k)));
        call.json(200, n);
    }

    private void revoke(Call call) {
        ObjectNode n = json(keys.revoke(call.param("id")));
        call.audit(n.get("name").asText(), n.toString());
        n.put("revoked", true);
        call.json(200, n);
    }

    private static ObjectNode json(ApiKeys.Key k) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("id", k.id());
        n.put("name", k.name());
        n.put("scope", k.scope().wire());
        ArrayNode fns = n.putArray("functions");
        k.functions().forEach(fns::add);
        if (!k.id().equals("admin")) {
            n.put("createdAt", k.createdAt().toString());
        }
        return n;
    }
}
