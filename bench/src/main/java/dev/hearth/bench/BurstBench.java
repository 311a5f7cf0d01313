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
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code bench/run burst --gpus H100:32}: 1,000 jobs arrive at once at a function with zero workers and maxWorkers
 * 32 on 32 fake GPUs (real Python worker processes). Measures the time from the first submit to every one of the
 * maxWorkers running a job, the peak worker count, and the jobs' queue delay (queued to placed) p50/p99.
 */
final class BurstBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int JOBS = Integer.getInteger("jobs", 1_000);
    private final String key;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    BurstBench(String key) {
        this.key = key;
    }

    void run(String gpus) throws Exception {
        Path data = Files.createTempDirectory("hearth-bench");
        try (HearthServer s = HearthServer.start(ServerConfig.builder().port(0).dataDir(data).gpus(gpus).apiKey(key)
                .workerGrace(Duration.ofSeconds(5)).build())) {
            Hearth.connect(s.url(), key).deploy(Path.of("bench/functions/burst/hearth.yaml"));
            int max = JSON.readTree(get(s.url().resolve("/v1/functions/burst"))).path("scaling").path("maxWorkers")
                    .asInt();
            URI run = s.url().resolve("/v2/burst/run");
            AtomicLong allBusyAt = new AtomicLong();
            AtomicLong peak = new AtomicLong();
            long t0 = System.nanoTime();
            Thread watcher = Thread.ofVirtual().start(() -> watch(s.url(), max, allBusyAt, peak));
            List<Future<String>> ids = new ArrayList<>();
            // 64 clients submitting at once: the burst arrives as fast as the API takes it, without a connect storm
            java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(64);
            try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < JOBS; i++) {
                    window.acquire();
                    ids.add(clients.submit(() -> {
                        try {
                            return JSON.readTree(post(run, "{\"input\":{\"seconds\":0.5}}")).path("id").asText();
                        } finally {
                            window.release();
                        }
                    }));
                }
            }
            long submitted = System.nanoTime() - t0;
            long[] delays = new long[JOBS];
            int failed = 0;
            for (int i = 0; i < JOBS; i++) {
                JsonNode st = JSON.readTree(get(s.url().resolve("/v2/burst/status-sync/" + ids.get(i).get()
                        + "?wait=120000")));
                if (!st.path("status").asText().equals("COMPLETED")) {
                    failed++;
                    if (failed == 1) {
                        System.out.println("  not completed: " + st);
                    }
                }
                delays[i] = st.path("delayTime").asLong();
            }
            long done = System.nanoTime() - t0;
            watcher.interrupt();
            Arrays.sort(delays);
            System.out.printf("burst: %d jobs of 0.5 s at once, zero workers, maxWorkers %d, --gpus %s%n", JOBS, max,
                    gpus);
            System.out.printf("  submitted in %.2f s; all completed in %.2f s; peak workers %d%n", submitted / 1e9,
                    done / 1e9, peak.get());
            if (failed > 0) {
                System.out.printf("  %d jobs did not complete%n", failed);
            }
            System.out.printf("  all %d workers busy after %s%n", max, allBusyAt.get() == 0 ? "never"
                    : String.format("%.2f s", (allBusyAt.get() - t0) / 1e9));
            System.out.println("  scale-ups (hearth events burst):");
            for (JsonNode e : JSON.readTree(get(s.url().resolve("/v1/functions/burst/events"))).path("events")) {
                if (e.path("action").asText().equals("scale-up")) {
                    System.out.println("    " + e.path("at").asText() + "  " + e.path("reason").asText());
                }
            }
            System.out.printf("  queue delay p50 %.2f s  p99 %.2f s  max %.2f s%n", delays[JOBS / 2] / 1e3,
                    delays[(int) Math.ceil(JOBS * 0.99) - 1] / 1e3, delays[JOBS - 1] / 1e3);
        }
    }

    private void watch(URI base, int max, AtomicLong allBusyAt, AtomicLong peak) {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                JsonNode ws = JSON.readTree(get(base.resolve("/v1/workers?function=burst"))).path("workers");
                peak.accumulateAndGet(ws.size(), Math::max);
                int busy = 0;
                for (JsonNode w : ws) {
                    busy += w.path("inFlight").asInt() > 0 ? 1 : 0;
                }
                if (busy >= max && allBusyAt.get() == 0) {
                    allBusyAt.set(System.nanoTime());
                }
                Thread.sleep(10);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            e.printStackTrace();
        }
    }

    private String get(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + key).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private String post(URI uri, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
