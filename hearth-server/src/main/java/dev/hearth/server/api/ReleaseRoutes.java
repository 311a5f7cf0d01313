package dev.hearth.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.errors.HearthException;
import dev.hearth.functions.FunctionVersion;
import dev.hearth.releases.CanarySplit;
import dev.hearth.releases.Release;
import dev.hearth.server.functions.FunctionRegistry;

/** Releases at {@code /v1/functions/{fn}}: list versions, roll back, promote a canary or change its share. */
final class ReleaseRoutes {

    private static final long BODY_LIMIT = 64 << 10;

    private final FunctionRegistry functions;

    ReleaseRoutes(FunctionRegistry functions) {
        this.functions = functions;
    }

    void register(Router r) {
        Router.Access c = Router.Access.CLIENT;
        r.add("GET", "/v1/functions/{fn}/versions", c, this::versions)
                .add("POST", "/v1/functions/{fn}/rollback", c, this::rollback)
                .add("POST", "/v1/functions/{fn}/promote", c, this::promote)
                .add("POST", "/v1/functions/{fn}/canary", c, this::canaryShare);
    }

    private void versions(Call call) {
        String fn = call.param("fn");
        Release release = functions.release(fn);
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("name", fn);
        n.set("release", json(release));
        ArrayNode arr = n.putArray("versions");
        for (FunctionVersion v : functions.versions(fn).reversed()) {
            ObjectNode o = arr.addObject();
            o.put("version", v.version());
            o.put("deployedAt", v.deployedAt().toString());
            o.put("bundleSha256", v.bundleSha256());
            o.put("status", v.version() == release.active() ? "active"
                    : release.canary() != null && release.canary().version() == v.version() ? "canary" : "inactive");
            if (release.canary() != null && release.canary().version() == v.version()) {
                o.put("canaryPercent", release.canary().percent());
            }
        }
        call.json(200, n);
    }

    private void rollback(Call call) {
        String fn = call.param("fn");
        Integer version = null;
        byte[] body = call.body(BODY_LIMIT, "rollbacks");
        if (body.length > 0) {
            JsonNode json;
            try {
                json = Json.MAPPER.readTree(body);
            } catch (java.io.IOException e) {
                throw new HearthException.BadRequest("the body must be JSON such as {\"version\": 2}, or empty to roll "
                        + "back to the previous active version");
            }
            JsonNode v = json == null || !json.isObject() ? null : json.get("version");
            if (v != null && !v.isNull()) {
                if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < 1) {
                    throw new HearthException.BadRequest("'version' must be a version number (1, 2, ...), got " + v
                            + "; leave it out to roll back to the previous active version");
                }
                version = v.asInt();
            }
        }
        call.json(200, json(functions.rollback(fn, version)));
    }

    private void promote(Call call) {
        call.json(200, json(functions.promote(call.param("fn"))));
    }

    /** {@code {"percent": 25}} (or {@code "25%"}): the running canary's new share of new jobs. */
    private void canaryShare(Call call) {
        JsonNode body = call.json(BODY_LIMIT, "canary changes");
        JsonNode p = body == null || !body.isObject() ? null : body.get("percent");
        if (p == null || !(p.isIntegralNumber() || p.isTextual())) {
            throw new HearthException.BadRequest("the body must be JSON such as {\"percent\": 25}: the share of new "
                    + "jobs, from 1 to 99, that the running canary receives");
        }
        int percent = CanarySplit.parsePercent(p.isTextual() ? p.asText() : p.toString());
        call.json(200, json(functions.setCanaryShare(call.param("fn"), percent)));
    }

    /** A release as the API shows it: {@code {"name", "active", "canary": {"version", "percent"}, "releasedAt"}}. */
    static ObjectNode json(Release r) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("name", r.function());
        n.put("active", r.active());
        if (r.canary() != null) {
            ObjectNode c = n.putObject("canary");
            c.put("version", r.canary().version());
            c.put("percent", r.canary().percent());
        }
        n.put("releasedAt", r.at().toString());
        return n;
    }
}
