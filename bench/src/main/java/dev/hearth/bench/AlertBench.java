package dev.hearth.bench;

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
import java.util.List;

/**
 * What evaluating alert rules costs the control plane: with {@code -Djobs} (20,000) no-op jobs finished in the last
 * minutes (so every windowed rule reads the 5,000 newest, the most it reads), the JVM's CPU time per second while idle,
 * without rules and then with 20 rules (every metric, on the function and on all functions, over four windows), in
 * alternating phases of {@code -Dalerts.seconds} (20), {@code -Dalerts.rounds} (3) times. Rules are evaluated once a
 * second, so the difference per second is the cost of one evaluation round.
 */
final class AlertBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> CONDITIONS = List.of("p50 latency > 2s over 1m", "p95 latency > 2s over 5m",
            "p99 latency > 2s over 15m", "p95 queue delay > 1s over 1h", "failure rate > 5% over 5m",
            "cold start share > 50% over 15m", "spend rate > $3/h over 1h", "oldest queued age > 1m", "crash loop",
            "no free gpu for 10m");

    private final String key;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    AlertBench(String key) {
        this.key = key;
    }

    void run() throws Exception {
        int jobs = Integer.getInteger("jobs", 20_000);
        int seconds = Integer.getInteger("alerts.seconds", 20);
        Path data = Files.createTempDirectory("hearth-bench");
        try (HearthServer s = HearthServer.start(ServerConfig.builder().port(0).dataDir(data).gpus("none")
                .apiKey(key).workerGrace(Duration.ofSeconds(5)).build())) {
            Hearth.connect(s.url(), key).deploy(Path.of("bench/functions/noop8/hearth.yaml"));
            new RawLoad(s.url(), key).post("/v2/noop8/run", jobs, 32, i -> "{\"input\":" + i + "}");
            while (completed(s.url()) < jobs) {
                Thread.sleep(50);
            }
            System.out.printf("alerts: %d no-op jobs finished; JVM CPU per second while idle, %d s phases%n", jobs,
                    seconds);
            for (int round = 1; round <= Integer.getInteger("alerts.rounds", 3); round++) {
                double none = cpuPerSecond(seconds);
                for (int i = 0; i < CONDITIONS.size(); i++) {
                    create(s.url(), "fn-" + i, "noop8", CONDITIONS.get(i));
                    create(s.url(), "all-" + i, null, CONDITIONS.get(i));
                }
                double with = cpuPerSecond(seconds);
                for (int i = 0; i < CONDITIONS.size(); i++) {
                    delete(s.url(), "fn-" + i);
                    delete(s.url(), "all-" + i);
                }
                System.out.printf("  round %d: no rules %6.2f ms/s, 20 rules %6.2f ms/s: %.2f ms of CPU per "
                        + "evaluation round%n", round, none, with, with - none);
            }
        }
    }

    private static double cpuPerSecond(int seconds) throws InterruptedException {
        Thread.sleep(2_000); // let the change settle (a first evaluation, JIT)
        long cpu0 = cpu();
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1_000L);
        return (cpu() - cpu0) / 1e6 / ((System.nanoTime() - t0) / 1e9);
    }

    private static long cpu() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private void create(URI base, String name, String function, String when) throws Exception {
        String body = JSON.writeValueAsString(function == null
                ? java.util.Map.of("name", name, "when", when)
                : java.util.Map.of("name", name, "function", function, "when", when));
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/v1/alerts"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException("cannot create alert " + name + ": " + r.body());
        }
    }

    private void delete(URI base, String name) throws Exception {
        http.send(HttpRequest.newBuilder(base.resolve("/v1/alerts/" + name)).header("Authorization", "Bearer " + key)
                .DELETE().build(), HttpResponse.BodyHandlers.discarding());
    }

    private long completed(URI base) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/v2/noop8/health"))
                .header("Authorization", "Bearer " + key).GET().build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body()).path("jobs").path("completed").asLong();
    }
}
