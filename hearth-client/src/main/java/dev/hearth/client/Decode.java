package dev.hearth.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the server's JSON into the client's records. Lenient on purpose: a missing or extra field must not break a
 * client talking to a slightly newer or older server, so absent fields become null, 0 or empty.
 */
final class Decode {

    private Decode() {
    }

    static JobStatus jobStatus(JsonNode n) {
        String state = text(n, "status");
        if (state == null) {
            throw new HearthClientException("the server's answer has no job status: " + n);
        }
        JobState parsed;
        try {
            parsed = JobState.valueOf(state);
        } catch (IllegalArgumentException e) {
            throw new HearthClientException("unknown job status '" + state + "' from the server", e);
        }
        JsonNode output = n.get("output");
        return new JobStatus(text(n, "id"), parsed, longOrNull(n, "delayTime"), longOrNull(n, "executionTime"),
                output, errorText(n.get("error")), boolOrNull(n, "coldStart"),
                longOrNull(n, "initTime"), text(n, "workerId"), intOrNull(n, "version"), intOrNull(n, "attempts"),
                text(n, "reason"));
    }

    static List<JobStatus> jobs(JsonNode n) {
        List<JobStatus> jobs = new ArrayList<>();
        for (JsonNode j : n.path("jobs")) {
            jobs.add(jobStatus(j));
        }
        return List.copyOf(jobs);
    }

    static NodeInfo node(JsonNode n) {
        List<NodeInfo.NodeGpu> gpus = new ArrayList<>();
        for (JsonNode g : n.path("gpus")) {
            gpus.add(new NodeInfo.NodeGpu(g.path("index").asInt(), text(g, "type"), text(g, "group"),
                    text(g, "worker")));
        }
        return new NodeInfo(text(n, "name"), text(n, "state"), instant(n.get("graceEndsAt")),
                n.path("gpusTotal").asInt(), n.path("gpusFree").asInt(), n.path("workers").asInt(),
                n.path("inFlight").asInt(), gpus);
    }

    static List<NodeInfo> nodes(JsonNode n) {
        List<NodeInfo> nodes = new ArrayList<>();
        n.path("nodes").forEach(x -> nodes.add(node(x)));
        return List.copyOf(nodes);
    }

    static List<EnvInfo> envs(JsonNode arr) {
        List<EnvInfo> out = new ArrayList<>();
        for (JsonNode e : arr) {
            List<String> requirements = new ArrayList<>();
            e.path("requirements").forEach(r -> requirements.add(r.asText()));
            List<String> usedBy = new ArrayList<>();
            e.path("usedBy").forEach(u -> usedBy.add(u.asText()));
            out.add(new EnvInfo(text(e, "hash"), text(e, "path"), text(e, "interpreter"), text(e, "pythonVersion"),
                    e.path("systemSitePackages").asBoolean(), requirements, e.path("sizeBytes").asLong(),
                    instant(e.get("builtAt")), instant(e.get("lastUsed")), usedBy));
        }
        return out;
    }

    static Deployment deployment(JsonNode n) {
        return new Deployment(text(n, "name"), n.path("version").asInt(), text(n, "bundleSha256"));
    }

    static FunctionInfo function(JsonNode n) {
        JsonNode s = n.path("scaling");
        FunctionInfo.Scaling scaling = new FunctionInfo.Scaling(s.path("minWorkers").asInt(),
                s.path("maxWorkers").asInt(), text(s, "idleTimeout"), s.path("concurrency").asInt(1));
        return new FunctionInfo(text(n, "name"), n.path("version").asInt(), instant(n.get("deployedAt")),
                text(n, "runtime"), gpu(n.get("gpu")), scaling, n.path("workers").asInt(), n.path("inQueue").asInt(),
                n.path("inProgress").asInt(), text(n, "manifest"), text(n, "state"),
                text(n.path("crashLoop"), "error"));
    }

    static List<FunctionInfo> functions(JsonNode n) {
        List<FunctionInfo> functions = new ArrayList<>();
        for (JsonNode f : n.path("functions")) {
            functions.add(function(f));
        }
        return List.copyOf(functions);
    }

    static List<WorkerInfo> workers(JsonNode n) {
        List<WorkerInfo> workers = new ArrayList<>();
        for (JsonNode w : n.path("workers")) {
            List<String> gpus = new ArrayList<>();
            JsonNode g = w.path("gpus");
            if (g.isArray()) {
                g.forEach(x -> gpus.add(gpuName(x)));
            } else if (!g.isMissingNode() && !g.isNull()) {
                gpus.add(gpuName(g));
            }
            workers.add(new WorkerInfo(text(w, "id"), text(w, "function"), w.path("version").asInt(),
                    text(w, "state"), gpus, w.path("pid").asLong(), instant(w.get("startedAt")),
                    w.path("inFlight").asInt(), w.path("jobsDone").asLong(), text(w, "node")));
        }
        return List.copyOf(workers);
    }

    static List<PreinitInfo> preinitialized(JsonNode n) {
        List<PreinitInfo> out = new ArrayList<>();
        for (JsonNode p : n.path("preinitialized")) {
            out.add(new PreinitInfo(text(p, "id"), text(p, "function"), p.path("version").asInt(), text(p, "state"),
                    p.path("pid").asLong(), instant(p.get("startedAt"))));
        }
        return List.copyOf(out);
    }

    /** A GPU request may come as text, or as {@code {"type": [..], "count": n}} like the manifest writes it. */
    static String gpu(JsonNode g) {
        if (g == null || g.isNull() || g.isMissingNode()) {
            return null;
        }
        if (!g.isObject()) {
            return g.asText();
        }
        JsonNode type = g.path("type").isMissingNode() ? g.path("types") : g.path("type");
        List<String> types = new ArrayList<>();
        if (type.isArray()) {
            type.forEach(t -> types.add(t.asText()));
        } else if (!type.isMissingNode()) {
            types.add(type.asText());
        }
        if (types.isEmpty()) {
            return g.toString();
        }
        return g.path("count").asInt(1) + "x " + String.join("|", types);
    }

    private static String gpuName(JsonNode x) {
        if (x.isObject() && x.has("type")) {
            return x.path("type").asText() + (x.has("index") ? "#" + x.path("index").asText() : "");
        }
        return x.isValueNode() ? x.asText() : x.toString();
    }

    /** RunPod workers report errors as text, some of it JSON text; keep objects readable either way. */
    private static String errorText(JsonNode e) {
        if (e == null || e.isNull() || e.isMissingNode()) {
            return null;
        }
        return e.isTextual() ? e.asText() : e.toString();
    }

    static Instant instant(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return null;
        }
        if (n.isNumber()) {
            return Instant.ofEpochMilli(n.asLong());
        }
        try {
            return Instant.parse(n.asText());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    static Long longOrNull(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asLong();
    }

    static Integer intOrNull(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asInt();
    }

    static Boolean boolOrNull(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asBoolean();
    }

    static JsonNode orNull(JsonNode n) {
        return n == null ? NullNode.getInstance() : n;
    }
}
