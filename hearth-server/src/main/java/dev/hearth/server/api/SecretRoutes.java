package dev.hearth.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.errors.HearthException;
import dev.hearth.secrets.SealedSecret;
import dev.hearth.secrets.SecretRules;
import dev.hearth.server.secrets.SecretService;
import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Secrets at {@code /v1/secrets}: set, list and remove. No answer carries a value, not even an error about one:
 * what a body got wrong is said by key, never by quoting it.
 */
final class SecretRoutes {

    private static final long BODY_LIMIT = SecretRules.MAX_BYTES * 2L;

    private final SecretService secrets;

    SecretRoutes(SecretService secrets) {
        this.secrets = secrets;
    }

    void register(Router r) {
        Router.Access c = Router.Access.CLIENT;
        r.add("GET", "/v1/secrets", c, this::list)
                .add("PUT", "/v1/secrets/{name}", c, this::set)
                .add("DELETE", "/v1/secrets/{name}", c, this::remove);
    }

    private void list(Call call) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        ArrayNode arr = n.putArray("secrets");
        secrets.list().forEach(s -> arr.add(json(s)));
        call.json(200, n);
    }

    private void set(Call call) {
        JsonNode body;
        try {
            body = Json.MAPPER.readTree(call.body(BODY_LIMIT, "secrets"));
        } catch (IOException e) {
            // Jackson's message may quote the token it choked on: a value
            throw new HearthException.BadRequest("the body must be a JSON object of strings, such as "
                    + "{\"HF_TOKEN\": \"hf_...\"}; this one is not valid JSON");
        }
        if (body == null || !body.isObject()) {
            throw new HearthException.BadRequest("the body must be a JSON object of strings, such as "
                    + "{\"HF_TOKEN\": \"hf_...\"}");
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new HearthException.BadRequest("the value of " + e.getKey() + " must be a string");
            }
            values.put(e.getKey(), e.getValue().asText());
        }
        call.json(200, json(secrets.set(call.param("name"), values)));
    }

    private void remove(Call call) {
        String name = call.param("name");
        secrets.remove(name);
        call.json(200, Map.of("name", name, "deleted", true));
    }

    /** Name, keys and when it was set: all a client may know of a secret. */
    private static ObjectNode json(SealedSecret s) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("name", s.name());
        ArrayNode keys = o.putArray("keys");
        s.keys().forEach(keys::add);
        o.put("updatedAt", s.updatedAt().toString());
        return o;
    }
}
