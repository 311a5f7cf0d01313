package dev.hearth.server.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.errors.HearthException;
import dev.hearth.server.workers.Worker;
import dev.hearth.server.workers.WorkerDownloads;
import dev.hearth.server.workers.WorkerRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

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

    WorkerBootRoutes(WorkerRegistry workers, WorkerDownloads downloads) {
        this.workers = workers;
        this.downloads = downloads;
    }

    void register(Router r) {
        Router.Access w = Router.Access.WORKER;
        r.add("GET", "/v2/{fn}/worker-boot/{worker}", w, this::boot)
                .add("GET", "/v2/{fn}/worker-bundle/{worker}", w, this::bundle)
                .add("GET", "/v2/{fn}/worker-library/{worker}", w, this::library)
                .add("POST", "/v2/{fn}/worker-log/{worker}", w, this::log);
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
        ObjectNode log = n.putObject("log");
        log.put("url", sibling(boot.env().get("HEARTH_BOOT_URL"), "worker-log", w.id()));
        log.put("maxBatch", LOG_BATCH_SENT);
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
