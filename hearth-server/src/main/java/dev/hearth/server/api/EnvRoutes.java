package dev.hearth.server.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.server.envs.PythonEnvs;
import dev.hearth.server.functions.FunctionRegistry;
import java.util.List;

/** Functions' Python environments: {@code GET /v1/envs} lists them, {@code POST /v1/envs/prune} removes unused ones. */
final class EnvRoutes {

    private final PythonEnvs envs;
    private final FunctionRegistry functions;

    EnvRoutes(PythonEnvs envs, FunctionRegistry functions) {
        this.envs = envs;
        this.functions = functions;
    }

    void register(Router r) {
        r.add("GET", "/v1/envs", Router.Access.CLIENT, c -> c.json(200, json("envs",
                        envs.list(functions.allVersions()))))
                .add("POST", "/v1/envs/prune", Router.Access.CLIENT, c -> c.json(200, json("removed",
                        envs.prune(functions.allVersions()))));
    }

    private static ObjectNode json(String field, List<PythonEnvs.EnvInfo> list) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        ArrayNode arr = n.putArray(field);
        for (PythonEnvs.EnvInfo e : list) {
            ObjectNode o = arr.addObject();
            o.put("hash", e.hash());
            o.put("path", e.dir().toString());
            o.put("interpreter", e.interpreter());
            o.put("pythonVersion", e.pythonVersion());
            o.put("systemSitePackages", e.systemSitePackages());
            e.requirements().forEach(o.putArray("requirements")::add);
            o.put("sizeBytes", e.sizeBytes());
            o.put("builtAt", e.builtAt().toString());
            o.put("lastUsed", e.lastUsed() == null ? null : e.lastUsed().toString());
            e.usedBy().forEach(o.putArray("usedBy")::add);
        }
        return n;
    }
}
