package dev.hearth.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.client.Hearth;
import dev.hearth.server.HearthServer;
import dev.hearth.server.ServerConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * {@code bench/run slowstart [--gpus H100:32]} ({@code -Dpart=first} or {@code -Dpart=burst} for one half): cold starts of a handler whose imports take 2 s
 * ({@code bench/functions/slow-import}), with and without a pool of pre-initialized workers ({@code scaling.preinit}):
 * <ul>
 *   <li>zero GPU workers to the first result ({@code runsync} round trip), p50 of several runs, with no pool and with
 *       {@code preinit: 1} (each run waits until the worker has scaled back to zero and the pool is full again);</li>
 *   <li>a burst of 200 jobs (0.5 s each) on zero workers, {@code maxWorkers} 32 on 32 fake GPUs: the time from the
 *       first submit until all 32 workers are busy, with no pool and with {@code preinit: 32}.</li>
 * </ul>
 */
final class ColdStartBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int RUNS_WITHOUT_POOL = Integer.getInteger("runs.cold", 5);
    private static final int RUNS_WITH_POOL = Integer.getInteger("runs.pool", 15);
    private static final int BURST_JOBS = Integer.getInteger("jobs", 200);
    /** {@code first} (first results only), {@code burst} (bursts only), or both. */
    private static final String PART = System.getProperty("part", "all");
    /** {@code -Dtrace=true}: print when 1, 8, 16, 24 and 32 workers of a burst were placed, ready and busy. */
    private static final boolean TRACE = Boolean.getBoolean("trace");
    private final String key;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    ColdStartBench(String key) {
        this.key = key;
    }

    void run(String gpus) throws Exception {
        Path data = Files.createTempDirectory("hearth-bench");
        try (HearthServer s = HearthServer.start(ServerConfig.builder().port(0).dataDir(data).gpus(gpus).apiKey(key)
                .workerGrace(Duration.ofSeconds(5)).build())) {
            URI base = s.url();
            System.out.println("slowstart: a handler with 2 s of imports, --gpus " + gpus);
            if (!PART.equals("burst")) {
                deploy(base, "cold", 1, 0);
                deploy(base, "cold-pool", 1, 1);
                firstResult(base, "cold", RUNS_WITHOUT_POOL);
                firstResult(base, "cold-pool", RUNS_WITH_POOL);
                undeploy(base, "cold");
                undeploy(base, "cold-pool");
            }
            if (PART.equals("first")) {
                return;
            }
            deploy(base, "burst", 32, 0);
            burst(base, "burst");
            undeploy(base, "burst");
            deploy(base, "burst-pool", 32, 32);
            burst(base, "burst-pool");
        }
    }

    private void firstResult(URI base, String fn, int runs) throws Exception {
        long[] total = new long[runs];
        List<String> phases = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            awaitState(base, fn, ws -> ws.path("workers").isEmpty() && poolReady(ws, fn.endsWith("-pool") ? 1 : 0));
            long t0 = System.nanoTime();
            JsonNode r = send(base.resolve("/v2/" + fn + "/runsync"), "{\"input\":{}}");
            total[i] = System.nanoTime() - t0;
            if (!r.path("coldStart").asBoolean()) {
                throw new IllegalStateException("expected a cold start: " + r);
            }
            phases.add(workerStartedDetail(base, r.path("id").asText()));
        }
        Arrays.sort(total);
        System.out.printf("  %-10s zero GPU workers to first result, %d runs: p50 %7.1f ms  min %7.1f  max %7.1f%n",
                fn, runs, total[runs / 2] / 1e6, total[0] / 1e6, total[runs - 1] / 1e6);
        System.out.println("             phases of the last run: " + phases.getLast());
    }

    private void burst(URI base, String fn) throws Exception {
        int max = 32;
        awaitState(base, fn, ws -> ws.path("workers").isEmpty() && poolReady(ws, fn.endsWith("-pool") ? max : 0));
        URI run = base.resolve("/v2/" + fn + "/run");
        java.time.Instant wallT0 = java.time.Instant.now();
        long t0 = System.nanoTime();
        List<Future<String>> ids = new ArrayList<>();
        java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(64);
        long allBusy;
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            java.util.concurrent.atomic.AtomicInteger submitted = new java.util.concurrent.atomic.AtomicInteger();
            Future<Long> busy = clients.submit(() -> watchAllBusy(base, fn, max, t0, submitted));
            for (int i = 0; i < BURST_JOBS; i++) {
                window.acquire();
                ids.add(clients.submit(() -> {
                    try {
                        String id = send(run, "{\"input\":{\"seconds\":0.5}}").path("id").asText();
                        submitted.incrementAndGet();
                        return id;
                    } finally {
                        window.release();
                    }
                }));
            }
            allBusy = busy.get(120, TimeUnit.SECONDS);
        }
        int failed = 0;
        long doneAt = 0;
        java.util.Map<String, java.time.Instant> firstLease = new java.util.HashMap<>();
        for (Future<String> id : ids) {
            JsonNode st = send(base.resolve("/v2/" + fn + "/status-sync/" + id.get() + "?wait=120000"), null);
            if (!st.path("status").asText().equals("COMPLETED")) {
                if (failed++ == 0) {
                    System.out.println("    first job that did not complete: " + st);
                }
            }
            doneAt = System.nanoTime();
        }
        // the server's own record, to the ms: when each worker was first leased a job (polling /v1/workers on a
        // loaded machine sees it hundreds of ms late)
        for (Future<String> id : ids) {
            for (JsonNode e : send(base.resolve("/v1/jobs/" + id.get() + "/timeline"), null).path("events")) {
                if (e.path("type").asText().equals("leased")) {
                    firstLease.merge(e.path("workerId").asText(), java.time.Instant.parse(e.path("at").asText()),
                            (a, b) -> a.isBefore(b) ? a : b);
                }
            }
        }
        List<java.time.Instant> firsts = firstLease.values().stream().sorted().toList();
        String leased = firsts.size() < max ? "only " + firsts.size() + " workers leased a job"
                : String.format("%.2f s", java.time.Duration.between(wallT0, firsts.get(max - 1)).toNanos() / 1e9);
        System.out.printf("  %-10s burst of %d jobs of 0.5 s on zero workers, maxWorkers %d: all %d busy after "
                + "%s (by the jobs' timelines; %.2f s by polling /v1/workers), all done after %.2f s%s%n", fn,
                BURST_JOBS, max, max, leased, (allBusy - t0) / 1e9, (doneAt - t0) / 1e9,
                failed > 0 ? " (" + failed + " did not complete)" : "");
    }

    /**
     * Polls the workers until all {@code max} run a job; notes when 1, 8, 16, 24 and 32 of them were placed (a
     * worker record: started, or a pooled process handed its GPUs), ready (asked for work) and busy, and how many
     * jobs had been submitted by then: where the time of a burst goes.
     */
    private long watchAllBusy(URI base, String fn, int max, long t0, java.util.concurrent.atomic.AtomicInteger submitted)
            throws Exception {
        int[] marks = {1, 8, 16, 24, 32};
        String[] what = {"placed", "ready", "busy"};
        long[][] at = new long[3][marks.length];
        while (true) {
            int[] counts = new int[3];
            for (JsonNode w : send(base.resolve("/v1/workers?function=" + fn), null).path("workers")) {
                counts[0]++;
                counts[1] += w.path("state").asText().equals("STARTING") ? 0 : 1;
                counts[2] += w.path("inFlight").asInt() > 0 ? 1 : 0;
            }
            long now = System.nanoTime();
            for (int k = 0; k < 3; k++) {
                for (int m = 0; m < marks.length; m++) {
                    if (at[k][m] == 0 && counts[k] >= marks[m]) {
                        at[k][m] = now;
                        if (TRACE) {
                            System.out.printf("    %6.0f ms  %2d %s (%d jobs submitted)%n", (now - t0) / 1e6,
                                    marks[m], what[k], submitted.get());
                        }
                    }
                }
            }
            if (counts[2] >= max) {
                return now;
            }
            Thread.sleep(5);
        }
    }

    private static boolean poolReady(JsonNode workers, int size) {
        int waiting = 0;
        for (JsonNode p : workers.path("preinitialized")) {
            waiting += p.path("state").asText().equals("WAITING_FOR_GPU") ? 1 : 0;
        }
        return waiting >= size;
    }

    private void awaitState(URI base, String fn, Predicate<JsonNode> ready) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!ready.test(send(base.resolve("/v1/workers?function=" + fn), null))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(fn + ": workers did not reach the state to measure from");
            }
            Thread.sleep(20);
        }
    }

    private String workerStartedDetail(URI base, String jobId) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            for (JsonNode e : send(base.resolve("/v1/jobs/" + jobId + "/timeline"), null).path("events")) {
                if (e.path("type").asText().equals("worker_started")) {
                    return e.path("detail").asText();
                }
            }
            Thread.sleep(20);
        }
        return "(none)";
    }

    /** bench/functions/slow-import under another name, with its own maxWorkers and preinit. */
    private void deploy(URI base, String name, int maxWorkers, int preinit) throws Exception {
        Path source = Path.of("bench/functions/slow-import");
        Path dir = Files.createTempDirectory("hearth-bench-" + name);
        Files.copy(source.resolve("handler.py"), dir.resolve("handler.py"));
        Files.writeString(dir.resolve("hearth.yaml"), "name: " + name + "\nhandler: handler.py:handler\ngpu: H100\n"
                + "scaling: {maxWorkers: " + maxWorkers + ", idleTimeout: 1s, preinit: " + preinit + "}\n");
        Hearth.connect(base, key).deploy(dir.resolve("hearth.yaml"));
    }

    private void undeploy(URI base, String name) throws Exception {
        http.send(HttpRequest.newBuilder(base.resolve("/v1/functions/" + name)).header("Authorization",
                "Bearer " + key).DELETE().build(), HttpResponse.BodyHandlers.discarding());
    }

    private JsonNode send(URI uri, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + key);
        b = body == null ? b.GET() : b.POST(HttpRequest.BodyPublishers.ofString(body));
        return JSON.readTree(http.send(b.build(), HttpResponse.BodyHandlers.ofString()).body());
    }
}
