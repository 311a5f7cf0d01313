package dev.hearth.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.errors.HearthException;
import dev.hearth.functions.FunctionVersion;
import dev.hearth.server.functions.FunctionRegistry;
import dev.hearth.server.volumes.Volumes;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Volumes at {@code /v1/volumes}: create, list and delete them, and put, get, list and remove their files by path.
 * Files travel as raw bytes, streamed to and from disk.
 */
final class VolumeRoutes {

    private final Volumes volumes;
    private final FunctionRegistry functions;

    VolumeRoutes(Volumes volumes, FunctionRegistry functions) {
        this.volumes = volumes;
        this.functions = functions;
    }

    void register(Router r) {
        Router.Access c = Router.Access.CLIENT;
        r.add("GET", "/v1/volumes", c, this::list)
                .add("POST", "/v1/volumes", c, this::create)
                .add("GET", "/v1/volumes/{volume}", c, this::get)
                .add("DELETE", "/v1/volumes/{volume}", c, this::delete)
                .add("GET", "/v1/volumes/{volume}/files", c, this::files)
                .add("PUT", "/v1/volumes/{volume}/files/{path*}", c, this::put)
                .add("GET", "/v1/volumes/{volume}/files/{path*}", c, this::download)
                .add("DELETE", "/v1/volumes/{volume}/files/{path*}", c, this::remove);
    }

    private void list(Call call) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        ArrayNode arr = n.putArray("volumes");
        volumes.list().forEach(v -> arr.add(json(v)));
        call.json(200, n);
    }

    private void create(Call call) {
        JsonNode body = call.json(64L * 1024, "volume creation");
        JsonNode name = body.get("name");
        if (name == null || !name.isTextual()) {
            throw new HearthException.BadRequest("send {\"name\": \"weights\"}: the new volume's name");
        }
        call.json(201, json(volumes.create(name.asText())));
    }

    private void get(Call call) {
        String name = call.param("volume");
        ObjectNode n = json(volumes.summary(name));
        ArrayNode users = n.putArray("usedBy");
        usedBy(name).forEach(users::add);
        call.json(200, n);
    }

    private void delete(Call call) {
        String name = call.param("volume");
        volumes.dir(name);
        List<String> users = usedBy(name);
        if (!users.isEmpty()) {
            throw new HearthException.Conflict("volume '" + name + "' is used by " + String.join(", ", users)
                    + "; delete those functions or deploy them without it first");
        }
        volumes.delete(name);
        call.json(200, Map.of("name", name, "deleted", true));
    }

    private void files(Call call) {
        String name = call.param("volume");
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("volume", name);
        ArrayNode arr = n.putArray("files");
        for (Volumes.FileEntry f : volumes.files(name, call.query("prefix"))) {
            arr.add(json(f));
        }
        call.json(200, n);
    }

    private void put(Call call) {
        String name = call.param("volume");
        ObjectNode n = json(volumes.write(name, call.param("path"), call.contentLength(), call.bodyStream()));
        n.put("volume", name);
        call.json(201, n);
    }

    private void download(Call call) throws IOException {
        Volumes.Download d = volumes.read(call.param("volume"), call.param("path"));
        try (InputStream in = d.in()) {
            call.stream(200, "application/octet-stream", d.size(), in);
        }
    }

    private void remove(Call call) {
        String name = call.param("volume");
        volumes.remove(name, call.param("path"));
        call.json(200, Map.of("volume", name, "path", call.param("path"), "deleted", true));
    }

    /** The deployed functions whose active version or canary names the volume. */
    private List<String> usedBy(String volume) {
        return functions.all().stream()
                .flatMap(v -> Stream.concat(Stream.of(v), functions.canary(v.name()).stream()))
                .filter(v -> v.manifest().volumes().containsKey(volume))
                .map(FunctionVersion::name).distinct().toList();
    }

    private static ObjectNode json(Volumes.Summary v) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("name", v.name());
        o.put("files", v.files());
        o.put("bytes", v.bytes());
        return o;
    }

    private static ObjectNode json(Volumes.FileEntry f) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("path", f.path());
        o.put("size", f.size());
        o.put("modifiedAt", f.modifiedAt().toString());
        return o;
    }
}
