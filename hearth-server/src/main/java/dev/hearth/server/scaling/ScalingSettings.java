package dev.hearth.server.scaling;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.errors.HearthException;
import dev.hearth.functions.Durations;
import dev.hearth.functions.FunctionVersion;
import dev.hearth.functions.Scaler;
import dev.hearth.functions.ScalingConfig;
import dev.hearth.functions.ScalingUpdate;
import dev.hearth.store.SettingsStore;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Live scaling updates ({@code hearth scale}, {@code PATCH /v1/functions/{fn}/scaling}): laid over the deployed
 * manifest's scaling without a redeploy, stored durably in the settings table so that they survive a restart, and
 * reset by the next deploy (as Modal's {@code update_autoscaler}).
 */
public final class ScalingSettings {

    private static final String PREFIX = "scaling.update.";
    private static final Set<String> FIELDS = Set.of("minWorkers", "maxWorkers", "bufferWorkers", "idleTimeout",
            "targetConcurrency", "scaler", "scalerValue");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SettingsStore store;
    private final ConcurrentHashMap<String, ScalingUpdate> updates = new ConcurrentHashMap<>();

    public ScalingSettings(SettingsStore store) {
        this.store = store;
    }

    /** The scaling in force: the manifest's, with the live update applied. */
    public ScalingConfig effective(FunctionVersion fn) {
        ScalingUpdate u = update(fn.name());
        if (u.isEmpty()) {
            return fn.manifest().scaling();
        }
        try {
            return fn.manifest().scaling().with(u);
        } catch (IllegalArgumentException e) {
            return fn.manifest().scaling();  // validated when stored; a manifest change may not fit it, deploys reset
        }
    }

    /** The live update of a function, {@link ScalingUpdate#NONE} if none. */
    public ScalingUpdate update(String function) {
        return updates.computeIfAbsent(function, f -> store.get(PREFIX + f).map(ScalingSettings::read)
                .orElse(ScalingUpdate.NONE));
    }

    /**
     * Validates and stores a live update (a JSON object of the fields to change) over what is in force.
     *
     * @return the scaling now in force
     * @throws HearthException.BadRequest naming the field when the body or the result is not valid
     */
    public synchronized ScalingConfig apply(FunctionVersion fn, JsonNode body) {
        ScalingUpdate change = parse(body);
        ScalingUpdate merged = update(fn.name()).then(change);
        ScalingConfig result;
        try {
            result = fn.manifest().scaling().with(merged);
        } catch (IllegalArgumentException e) {
            throw new HearthException.BadRequest(e.getMessage());
        }
        store.put(PREFIX + fn.name(), write(merged));
        updates.put(fn.name(), merged);
        return result;
    }

    /** Drops the live update: the manifest's scaling is in force again (after a deploy, or on request). */
    public synchronized void reset(String function) {
        if (!update(function).isEmpty()) {
            store.put(PREFIX + function, "{}");
        }
        updates.put(function, ScalingUpdate.NONE);
    }

    static ScalingUpdate parse(JsonNode body) {
        if (body == null || !body.isObject() || body.isEmpty()) {
            throw new HearthException.BadRequest("send a JSON object with the scaling fields to change, e.g. "
                    + "{\"minWorkers\": 1, \"maxWorkers\": 8, \"idleTimeout\": \"30s\"}; fields: "
                    + FIELDS.stream().sorted().toList());
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!FIELDS.contains(k)) {
                throw new HearthException.BadRequest("unknown field '" + k + "'" + (k.equals("concurrency")
                        ? "; concurrency changes with a deploy, since workers are started with it" : "")
                        + "; allowed: " + FIELDS.stream().sorted().toList());
            }
        }
        return new ScalingUpdate(integer(body, "minWorkers"), integer(body, "maxWorkers"),
                integer(body, "bufferWorkers"), body.hasNonNull("idleTimeout") ? duration(body.get("idleTimeout"))
                : null, number(body, "targetConcurrency"), body.hasNonNull("scaler") ? scaler(body.get("scaler"))
                : null, number(body, "scalerValue"));
    }

    private static Integer integer(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isIntegralNumber() || n.asLong() < 0 || n.asLong() > 1000) {
            throw new HearthException.BadRequest("'" + field + "' must be a whole number from 0 to 1000, got "
                    + n);
        }
        return n.asInt();
    }

    private static Double number(JsonNode body, String field) {
        JsonNode n = body.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isNumber() || n.asDouble() <= 0) {
            throw new HearthException.BadRequest("'" + field + "' must be a number above 0, got " + n);
        }
        return n.asDouble();
    }

    private static java.time.Duration duration(JsonNode n) {
        try {
            // a number is seconds; written out in full it gets the same checks as text (3650 days at most)
            return Durations.parse(n.isNumber() ? n.decimalValue().toPlainString() : n.asText());
        } catch (IllegalArgumentException e) {
            throw new HearthException.BadRequest("'idleTimeout': " + e.getMessage());
        }
    }

    private static Scaler scaler(JsonNode n) {
        try {
            return Scaler.fromWire(n.asText());
        } catch (IllegalArgumentException e) {
            throw new HearthException.BadRequest("'scaler' " + e.getMessage());
        }
    }

    private static String write(ScalingUpdate u) {
        ObjectNode n = JSON.createObjectNode();
        if (u.minWorkers() != null) {
            n.put("minWorkers", u.minWorkers());
        }
        if (u.maxWorkers() != null) {
            n.put("maxWorkers", u.maxWorkers());
        }
        if (u.bufferWorkers() != null) {
            n.put("bufferWorkers", u.bufferWorkers());
        }
        if (u.idleTimeout() != null) {
            n.put("idleTimeout", Durations.format(u.idleTimeout()));
        }
        if (u.targetConcurrency() != null) {
            n.put("targetConcurrency", u.targetConcurrency());
        }
        if (u.scaler() != null) {
            n.put("scaler", u.scaler().wire());
        }
        if (u.scalerValue() != null) {
            n.put("scalerValue", u.scalerValue());
        }
        return n.toString();
    }

    /** The update as JSON, for the API. */
    public static ObjectNode toJson(ScalingUpdate u) {
        try {
            return (ObjectNode) JSON.readTree(write(u));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ScalingUpdate read(String json) {
        try {
            JsonNode n = JSON.readTree(json);
            return n == null || n.isEmpty() ? ScalingUpdate.NONE : parse(n);
        } catch (JsonProcessingException | HearthException e) {
            return ScalingUpdate.NONE;  // unreadable: the manifest's scaling is the safe fallback
        }
    }
}
