package dev.hearth.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.client.Hearth;
import dev.hearth.server.HearthServer;
import dev.hearth.server.ServerConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A restart with a deep queue, and a purge of it: {@code -Drestart.jobs} (100,000) jobs are queued for
 * {@code bench/functions/burst}, which needs an H100 on a server that has none, so they stay queued. Then the server
 * is started {@code -Drestart.runs} (3) times as a JVM of its own on the same data dir, the way an operator restarts
 * it, timing from the process start to the first {@code /healthz} answered and to the queue being served (the
 * function's health counting every job); the last start then purges the queue ({@code POST /v2/burst/purge-queue}).
 */
final class RestartBench {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String key;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofMillis(200)).build();

    RestartBench(String key) {
        this.key = key;
    }

    void run() throws Exception {
        int jobs = Integer.getInteger("restart.jobs", 100_000);
        int runs = Integer.getInteger("restart.runs", 3);
        // -Drestart.data=DIR: fill DIR once, and with -Drestart.purge=false keep its queue for the next run
        String kept = System.getProperty("restart.data");
        Path data = kept == null ? Files.createTempDirectory("hearth-bench") : Path.of(kept);
        boolean purge = Boolean.parseBoolean(System.getProperty("restart.purge", "true"));
        if (kept != null && Files.exists(data.resolve("hearth.db"))) {
            System.out.println("restart: reusing the queue in " + data);
        } else {
            fill(data, jobs);
        }
        restarts(data, jobs, runs, purge);
    }

    private void fill(Path data, int jobs) throws Exception {
        long t0 = System.nanoTime();
        try (HearthServer s = HearthServer.start(config(data, 0, key))) {
            Hearth.connect(s.url(), key).deploy(Path.of("bench/functions/burst/hearth.yaml"));
            int failed = new RawLoad(s.url(), key).post("/v2/burst/run", jobs, 32,
                    i -> "{\"input\":{\"i\":" + i + "}}");
            if (failed != 0) {
                throw new IllegalStateException(failed + " of " + jobs + " submits were refused");
            }
        }
        System.out.printf("restart: %,d jobs queued (no GPU for them) in %.1f s; hearth.db %,d MB%n", jobs,
                (System.nanoTime() - t0) / 1e9, Files.size(data.resolve("hearth.db")) >> 20);
    }

    private void restarts(Path data, int jobs, int runs, boolean purge) throws Exception {
        for (int run = 1; run <= runs; run++) {
            int port = freePort();
            URI base = URI.create("http://127.0.0.1:" + port);
            List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                    "-cp", System.getProperty("java.class.path")));
            String extra = System.getProperty("restart.jvmArgs");
            if (extra != null && !extra.isBlank()) {
                command.addAll(List.of(extra.strip().split("\\s+")));
            }
            command.addAll(List.of(RestartBench.class.getName(), data.toString(), Integer.toString(port), key));
            long start = System.nanoTime();
            Process server = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(data.resolve("server-" + run + ".log").toFile()).start();
            try {
                long healthy = awaitStatus(base.resolve("/healthz"), start);
                long healthyCpu = cpuMillis(server);
                long queued = awaitQueued(base, jobs, start);
                long queuedCpu = cpuMillis(server);
                // the server's CPU time too: on a shared machine the wall clock says as much about the neighbours
                System.out.printf("restart %d: /healthz answered after %,d ms (server CPU %,d ms), all %,d jobs "
                        + "served after %,d ms (server CPU %,d ms)%n", run, healthy / 1_000_000, healthyCpu, jobs,
                        queued / 1_000_000, queuedCpu);
                if (run == runs && purge) {
                    long p0 = System.nanoTime();
                    JsonNode purged = send(base.resolve("/v2/burst/purge-queue"), "{}");
                    System.out.printf("purge: %,d queued jobs cancelled in %,d ms%n", purged.get("removed").asInt(),
                            (System.nanoTime() - p0) / 1_000_000);
                }
            } finally {
                server.destroy();
                server.waitFor();
            }
        }
    }

    private long awaitStatus(URI uri, long since) throws InterruptedException {
        while (true) {
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET()
                        .build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return System.nanoTime() - since;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            check(since);
            Thread.sleep(5);
        }
    }

    private long awaitQueued(URI base, int jobs, long since) throws Exception {
        while (true) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/v2/burst/health"))
                    .header("Authorization", "Bearer " + key).GET().build(), HttpResponse.BodyHandlers.ofString());
            // 503 while the server is still loading its unfinished jobs
            if (r.statusCode() == 200 && JSON.readTree(r.body()).path("jobs").path("inQueue").asInt() >= jobs) {
                return System.nanoTime() - since;
            }
            check(since);
            Thread.sleep(5);
        }
    }

    private static void check(long since) {
        if (System.nanoTime() - since > 300_000_000_000L) {
            throw new IllegalStateException("the server did not come up within 5 minutes");
        }
    }

    private JsonNode send(URI uri, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + key)
                .timeout(Duration.ofMinutes(5));
        b = body == null ? b.GET() : b.POST(HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(uri + " answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    private static ServerConfig config(Path data, int port, String key) {
        return ServerConfig.builder().port(port).dataDir(data).gpus("none").apiKey(key)
                .workerGrace(Duration.ofSeconds(5)).build();
    }

    private static long cpuMillis(Process p) {
        return p.toHandle().info().totalCpuDuration().map(java.time.Duration::toMillis).orElse(-1L);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** The restarted server: data dir, port, API key; stopped gracefully by SIGTERM. */
    public static void main(String[] args) throws InterruptedException {
        HearthServer server = HearthServer.start(config(Path.of(args[0]), Integer.parseInt(args[1]), args[2]));
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        Thread.currentThread().join();
    }
}
