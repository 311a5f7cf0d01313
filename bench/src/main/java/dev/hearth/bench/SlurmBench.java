package dev.hearth.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.client.Hearth;
import dev.hearth.server.HearthServer;
import dev.hearth.server.ServerConfig;
import dev.hearth.server.SlurmSettings;
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

/**
 * {@code bench/run slurm --slurm-conf FILE}: workers as Slurm jobs on the local three-node cluster with 7 fake GPUs
 * ({@code .ci/slurm/slurm-up.sh}):
 * <ul>
 *   <li>zero workers to the first result through Slurm ({@code runsync}: submit, sbatch, Slurm's scheduling pass,
 *       the bootstrap's fetches, the worker's start, the job), p50 of several runs, the node's cache warm after the
 *       first;</li>
 *   <li>a burst of 28 jobs (2 s each) on zero workers, GPU fallback [H100, A100, L4], maxWorkers 7: the time from the
 *       first submit until all 7 fake GPUs run a worker that is busy, and until every job is done.</li>
 * </ul>
 */
final class SlurmBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int RUNS = Integer.getInteger("runs.cold", 7);
    private static final int BURST_JOBS = Integer.getInteger("jobs", 28);
    private static final int ALL_GPUS = 7;
    private final String key;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    SlurmBench(String key) {
        this.key = key;
    }

    void run(Path slurmConf) throws Exception {
        Path data = Files.createTempDirectory("hearth-bench");
        try (HearthServer s = HearthServer.start(ServerConfig.builder().port(0).dataDir(data).apiKey(key)
                .workerGrace(Duration.ofSeconds(5))
                .slurm(new SlurmSettings(null, slurmConf, data.resolve("node-cache").toString())).build())) {
            URI base = s.url();
            System.out.println("slurm: workers as Slurm jobs, " + slurmConf + " (GPUs " + s.gpus().size() + ")");
            deploy(base, "cold", "H100", 1);
            firstResult(base, "cold");
            deploy(base, "burst", "[H100, A100, L4]", ALL_GPUS);
            burst(base, "burst");
        }
    }

    private void firstResult(URI base, String fn) throws Exception {
        long[] total = new long[RUNS];
        for (int i = 0; i < RUNS; i++) {
            awaitNoWorkers(base, fn);
            long t0 = System.nanoTime();
            JsonNode r = send(base.resolve("/v2/" + fn + "/runsync"), "{\"input\":{\"seconds\":0}}");
            total[i] = System.nanoTime() - t0;
            if (!r.path("status").asText().equals("COMPLETED")) {
                throw new IllegalStateException("cold start run failed: " + r);
            }
            if (i == RUNS - 1) {
                System.out.println("  timeline of the last run: " + send(base.resolve("/v1/jobs/" + r.path("id")
                        .asText() + "/timeline"), null).path("events"));
            }
        }
        long first = total[0];
        Arrays.sort(total);
        System.out.printf("  zero workers to first result through Slurm, %d runs: p50 %7.1f ms  min %7.1f  max %7.1f"
                + "  (first run, node cache cold: %.1f ms)%n", RUNS, total[RUNS / 2] / 1e6, total[0] / 1e6,
                total[RUNS - 1] / 1e6, first / 1e6);
    }

    private void burst(URI base, String fn) throws Exception {
        awaitNoWorkers(base, fn);
        URI run = base.resolve("/v2/" + fn + "/run");
        long t0 = System.nanoTime();
        List<Future<String>> ids = new ArrayList<>();
        long allBusy;
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Long> busy = clients.submit(() -> watchAllBusy(base, fn));
            for (int i = 0; i < BURST_JOBS; i++) {
                ids.add(clients.submit(() -> send(run, "{\"input\":{\"seconds\":2}}").path("id").asText()));
            }
            allBusy = busy.get(120, TimeUnit.SECONDS);
        }
        int failed = 0;
        for (Future<String> id : ids) {
            JsonNode st = send(base.resolve("/v2/" + fn + "/status-sync/" + id.get() + "?wait=120000"), null);
            failed += st.path("status").asText().equals("COMPLETED") ? 0 : 1;
        }
        System.out.printf("  burst of %d jobs of 2 s on zero workers, GPUs [H100, A100, L4], maxWorkers %d: all %d "
                + "fake GPUs busy after %.2f s, all done after %.2f s%s%n", BURST_JOBS, ALL_GPUS, ALL_GPUS,
                (allBusy - t0) / 1e9, (System.nanoTime() - t0) / 1e9,
                failed > 0 ? " (" + failed + " did not complete)" : "");
    }

    private long watchAllBusy(URI base, String fn) throws Exception {
        while (true) {
            int busy = 0;
            for (JsonNode w : send(base.resolve("/v1/workers?function=" + fn), null).path("workers")) {
                busy += w.path("inFlight").asInt() > 0 ? 1 : 0;
            }
            if (busy >= ALL_GPUS) {
                return System.nanoTime();
            }
            Thread.sleep(5);
        }
    }

    private void awaitNoWorkers(URI base, String fn) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!send(base.resolve("/v1/workers?function=" + fn), null).path("workers").isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(fn + ": workers did not scale to zero");
            }
            Thread.sleep(20);
        }
    }

    /** bench/functions/burst under another name, GPUs and maxWorkers. */
    private void deploy(URI base, String name, String gpu, int maxWorkers) throws Exception {
        Path dir = Files.createTempDirectory("hearth-bench-" + name);
        Files.copy(Path.of("bench/functions/burst/handler.py"), dir.resolve("handler.py"));
        Files.writeString(dir.resolve("hearth.yaml"), "name: " + name + "\nhandler: handler.py:handler\ngpu: " + gpu
                + "\nscaling: {maxWorkers: " + maxWorkers + ", idleTimeout: 1s}\n");
        Hearth.connect(base, key).deploy(dir.resolve("hearth.yaml"));
    }

    private JsonNode send(URI uri, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + key);
        b = body == null ? b.GET() : b.POST(HttpRequest.BodyPublishers.ofString(body));
        return JSON.readTree(http.send(b.build(), HttpResponse.BodyHandlers.ofString()).body());
    }
}
