package dev.hearth.server.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.errors.HearthException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.server.workers.NodeCaches;
import dev.hearth.server.workers.Worker;
import dev.hearth.server.workers.WorkerDownloads;
import dev.hearth.server.workers.WorkerRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a worker started on another machine fetches before it runs, with its own token: its launch (command and
 * environment), its code bundle and the worker library (zips); and where it sends its output. See the Slurm runtime's
 * bootstrap.
 */
final class WorkerBootRoutes {

    /** The largest batch of output a worker may send at once (413 beyond). */
    static final long LOG_BATCH_LIMIT = 1L << 20;
    /** The batch size a worker is told to send at most: small enough to retry cheaply. */
    private static final int LOG_BATCH_SENT = 64 << 10;

    private final WorkerRegistry workers;
    private final WorkerDownloads downloads;
    private final NodeCaches caches;

    WorkerBootRoutes(WorkerRegistry workers, WorkerDownloads downloads, NodeCaches caches) {
        this.workers = workers;
        this.downloads = downloads;
        this.caches = caches;
    }

    void register(Router r) {
        Router.Access w = Router.Access.WORKER;
        r.add("GET", "/v2/{fn}/worker-boot/{worker}", w, this::boot)
                .add("GET", "/v2/{fn}/worker-bundle/{worker}", w, this::bundle)
                .add("GET", "/v2/{fn}/worker-library/{worker}", w, this::library)
                .add("POST", "/v2/{fn}/worker-log/{worker}", w, this::log)
                .add("POST", "/v2/{fn}/worker-cache/{worker}", w, this::cache);
    }

    private Worker worker(Call call) {
        String token = ApiKeys.bearer(call.header("Authorization"));
        return workers.authenticate(call.param("fn"), call.param("worker"), token)
                .orElseThrow(() -> new HearthException.Unauthorized("unknown worker '" + call.param("worker")
                        + "' or wrong worker token for function '" + call.param("fn") + "'"));
    }

    private void boot(Call call) {
        Worker w = worker(call);
        WorkerDownloads.Boot boot = downloads.boot(w);
        ObjectNode n = Json.MAPPER.createObjectNode();
        boot.command().forEach(n.putArray("command")::add);
        ObjectNode env = n.putObject("env");
        boot.env().forEach(env::put);
        ObjectNode bundle = n.putObject("bundle");
        bundle.put("sha256", boot.bundleSha256());
        bundle.put("dir", boot.bundleDir().toString());
        bundle.put("url", sibling(boot.env().get("HEARTH_BOOT_URL"), "worker-bundle", w.id()));
        ObjectNode library = n.putObject("library");
        library.put("sha256", boot.librarySha256());
        library.put("dir", boot.libraryDir().toString());
        library.put("url", sibling(boot.env().get("HEARTH_BOOT_URL"), "worker-library", w.id()));
        if (boot.python() != null) { // the node builds (or reuses) the environment in its cache, by hash
            var pyEnv = boot.python();
            ObjectNode py = n.putObject("python");
            py.put("hash", pyEnv.hash());
            py.put("dir", pyEnv.dir().toAbsolutePath().toString());
            py.put("interpreter", pyEnv.interpreter());
            py.put("pythonVersion", pyEnv.pythonVersion());
            py.put("systemSitePackages", pyEnv.systemSitePackages());
            pyEnv.requirements().forEach(py.putArray("requirements")::add);
            pyEnv.pipArgs().forEach(py.putArray("pipArgs")::add);
        }
        ObjectNode log = n.putObject("log");
        log.put("url", sibling(boot.env().get("HEARTH_BOOT_URL"), "worker-log", w.id()));
        log.put("maxBatch", LOG_BATCH_SENT);
        n.putObject("cache").put("url", sibling(boot.env().get("HEARTH_BOOT_URL"), "worker-cache", w.id()));
        call.json(200, n);
    }

    /** {@code .../v2/fn/worker-boot/w} to {@code .../v2/fn/<route>/w}: the URL as the worker reaches this server. */
    private static String sibling(String bootUrl, String route, String worker) {
        return bootUrl.substring(0, bootUrl.lastIndexOf("/worker-boot/")) + "/" + route + "/" + worker;
    }

    /**
     * A batch of the worker's output: {@code offset} is how many bytes it had sent before (so a batch sent again is
     * written once); the answer's {@code next} is where its next batch starts.
     */
    private void log(Call call) {
        Worker w = worker(call);
        long offset = call.queryLong("offset", -1, -1, Long.MAX_VALUE);
        if (offset < 0) {
            throw new HearthException.BadRequest("'offset' must be given, a whole number >= 0: how many bytes of "
                    + "its output the worker sent before this batch");
        }
        byte[] batch = call.body(LOG_BATCH_LIMIT, "a batch of worker output");
        call.json(200, java.util.Map.of("next", downloads.appendLog(w, offset, batch)));
    }

    /**
     * What the worker's node holds in its cache ({@code envs} and {@code bundles}: hashes) and whether this start
     * found what it needed there ({@code cold}, {@code fetched}: what it fetched or built), for placement and the
     * worker's cold start.
     */
    private void cache(Call call) {
        Worker w = worker(call);
        JsonNode body = call.json(1L << 20, "a node's cache report");
        List<String> envs = hashes(body, "envs");
        List<String> bundles = hashes(body, "bundles");
        List<String> fetched = strings(body, "fetched");
        String node = body.path("node").asText("");
        caches.report(node.isBlank() ? w.node() : node, envs, bundles);
        w.cache(body.path("cold").asBoolean(false) ? "cold cache (" + String.join(", ", fetched) + ")"
                : "warm cache");
        call.empty(204);
    }

    private static List<String> hashes(JsonNode body, String field) {
        List<String> list = strings(body, field);
        for (String h : list) {
            if (!h.matches("[0-9a-f]{8,64}")) {
                throw new HearthException.BadRequest("'" + field + "' holds hex hashes, got '" + h + "'");
            }
        }
        return list;
    }

    private static List<String> strings(JsonNode body, String field) {
        JsonNode a = body.path(field);
        if (a.isMissingNode()) {
            return List.of();
        }
        if (!a.isArray()) {
            throw new HearthException.BadRequest("'" + field + "' must be a list of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : a) {
            if (!e.isTextual()) {
                throw new HearthException.BadRequest("'" + field + "' must be a list of strings, got " + e);
            }
            out.add(e.asText());
        }
        return out;
    }

    private void bundle(Call call) throws IOException {
        send(call, downloads.bundleZip(worker(call)));
    }

    private void library(Call call) throws IOException {
        worker(call);
        send(call, downloads.libraryZip());
    }

    private static void send(Call call, Path zip) throws IOException {
        try (InputStream in = Files.newInputStream(zip)) {
            call.stream(200, "application/zip", Files.size(zip), in);
        }
    }
}
