package dev.hearth.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.client.Hearth;
import dev.hearth.client.JobHandle;
import dev.hearth.sim.History;
import dev.hearth.sim.HistoryJson;
import dev.hearth.sim.LaneResult;
import dev.hearth.sim.Plan;
import dev.hearth.sim.Planner;
import dev.hearth.sim.Slo;
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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code bench/run planaccuracy}: the cost planner against reality (issue 11 §4). A real server on fake H100s runs
 * {@code bench/functions/sleeper} (about 1 s of start-up, lognormal execution p50 500 ms / p95 2 s) under Poisson
 * arrivals ({@code -Drate=1} per second for {@code -Dduration=3m}, scaling {@code -DidleTimeout=3s}, maxWorkers 4);
 * once every worker has scaled down, the function's history ({@code GET /v1/functions/sleeper/history}) is planned
 * with the policy that ran, and the prediction is printed beside what the server measured: cost ({@code /v1/usage}),
 * cold starts and end-to-end p95 ({@code /v1/functions/sleeper/stats}). {@code -Ddetail=FILE} also writes, one JSON
 * document a line, every job's timeline, the per-worker usage and the history, to compare request by request with
 * the simulation.
 */
final class PlanAccuracyBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final String key;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    PlanAccuracyBench(String key) {
        this.key = key;
    }

    void run() throws Exception {
        double rate = Double.parseDouble(System.getProperty("rate", "1"));
        Duration duration = dev.hearth.functions.Durations.parse(System.getProperty("duration", "3m"));
        String idle = System.getProperty("idleTimeout", "3s");
        Path data = Files.createTempDirectory("hearth-bench");
        try (HearthServer s = HearthServer.start(ServerConfig.builder().port(0).dataDir(data).gpus("H100:8")
                .apiKey(key).workerGrace(Duration.ofSeconds(5)).build());
             Hearth client = Hearth.connect(s.url(), key)) {
            URI base = s.url();
            Path dir = Files.createTempDirectory("hearth-bench-sleeper");
            Files.copy(Path.of("bench/functions/sleeper/handler.py"), dir.resolve("handler.py"));
            Files.writeString(dir.resolve("hearth.yaml"), "name: sleeper\nhandler: handler.py:handler\ngpu: H100\n"
                    + "scaling: {maxWorkers: 4, idleTimeout: " + idle + "}\n");
            client.deploy(dir.resolve("hearth.yaml"));
            System.out.printf(Locale.ROOT, "planaccuracy: Poisson %.2f/s for %s, execution lognormal p50 500 ms / p95"
                    + " 2 s, start-up ~1 s, maxWorkers 4, idleTimeout %s%n", rate, duration, idle);
            long t0 = System.nanoTime();
            List<String> ids = new ArrayList<>();
            int n = workload(client, rate, duration, 500, 2000, 11, ids);
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (!client.workers("sleeper").isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(200); // polling the server until every worker has idled out
            }
            System.out.printf(Locale.ROOT, "  %d requests ran in %.0f s%n", n, (System.nanoTime() - t0) / 1e9);

            String detail = System.getProperty("detail");
            if (detail != null) {
                StringBuilder out = new StringBuilder();
                for (String id : ids) {
                    out.append(get(base, "/v1/jobs/" + id + "/timeline")).append('\n');
                }
                out.append(get(base, "/v1/usage?function=sleeper&from=1h&groupBy=worker")).append('\n');
                out.append(get(base, "/v1/functions/sleeper/history?since=1h")).append('\n');
                Files.writeString(Path.of(detail), out);
            }
            String window = "1h";
            History h = HistoryJson.read(get(base, "/v1/functions/sleeper/history?since=" + window));
            Plan plan = new Planner(1).plan(h.scenario(Slo.parse("p95 < 1h"), List.of()));
            LaneResult predicted = plan.functions().getFirst().policies().getFirst().result();
            JsonNode usage = get(base, "/v1/usage?function=sleeper&from=" + window);
            JsonNode stats = get(base, "/v1/functions/sleeper/stats?window=" + window);
            double cost = usage.get("total").get("cost").get("total").asDouble();
            int cold = stats.get("coldStarts").asInt();
            long p95 = stats.get("latency").get("p95").asLong();
            System.out.printf(Locale.ROOT, "  %-24s %12s %12s %8s%n", "", "predicted", "measured", "error");
            row("cost ($)", predicted.cost().dollars().doubleValue(), cost, "%.6f");
            row("cold starts", predicted.coldStarts(), cold, "%.0f");
            row("p95 end-to-end (ms)", predicted.latency().p95(), p95, "%.0f");
            row("p50 end-to-end (ms)", predicted.latency().p50(), stats.get("latency").get("p50").asLong(), "%.0f");
            row("requests", predicted.requests(), stats.get("jobs").get("completed").asInt(), "%.0f");
            System.out.printf(Locale.ROOT, "  worker starts in the history: %d, init p50 %s ms%n", h.initMs().length,
                    median(h.initMs()));
        }
    }

    private static void row(String what, double predicted, double measured, String format) {
        System.out.printf(Locale.ROOT, "  %-24s %12s %12s %7.1f%%%n", what, String.format(Locale.ROOT, format,
                predicted), String.format(Locale.ROOT, format, measured),
                measured == 0 ? 0 : (predicted - measured) / measured * 100);
    }

    private static long median(long[] xs) {
        long[] s = xs.clone();
        java.util.Arrays.sort(s);
        return s.length == 0 ? 0 : s[s.length / 2];
    }

    /** Poisson arrivals, lognormal sleeps; returns once every job has its result. */
    private static int workload(Hearth client, double perSecond, Duration duration, double p50Ms, double p95Ms,
                                long seed, List<String> ids) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        double sigma = (Math.log(p95Ms) - Math.log(p50Ms)) / 1.6448536269514722;
        List<AtomicReference<JobHandle>> jobs = new ArrayList<>();
        try (ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor()) {
            double t = 0;
            while (true) {
                t += -1000 / perSecond * Math.log(1 - random.nextDouble());
                if (t >= duration.toMillis()) {
                    break;
                }
                double sleep = Math.exp(Math.log(p50Ms) + sigma * random.nextGaussian()) / 1000;
                AtomicReference<JobHandle> job = new AtomicReference<>();
                jobs.add(job);
                timer.schedule(() -> job.set(client.function("sleeper").spawn(Map.of("sleep", sleep))), (long) t,
                        TimeUnit.MILLISECONDS);
            }
        }
        // closing the timer waited for every submission
        for (AtomicReference<JobHandle> j : jobs) {
            j.get().await(Duration.ofMinutes(2));
            ids.add(j.get().id());
        }
        return jobs.size();
    }

    private JsonNode get(URI base, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve(path))
                .header("Authorization", "Bearer " + key).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET " + path + ": " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body());
    }
}
