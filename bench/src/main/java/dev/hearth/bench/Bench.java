package dev.hearth.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.client.Fn;
import dev.hearth.client.Hearth;
import dev.hearth.client.MapOptions;
import dev.hearth.server.HearthServer;
import dev.hearth.server.ServerConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Hearth's benchmarks against a real control plane (SQLite, real Python workers) on this machine:
 * <ul>
 *   <li>{@code overhead}: warm runsync round trip of a no-op Python handler, and the same handler behind a plain
 *       keep-alive Python HTTP server (no queue, no durability): p50/p99 and the difference;</li>
 *   <li>{@code coldstart}: from zero workers to the first result;</li>
 *   <li>{@code throughput}: completed jobs per second at saturation, one worker with concurrency 8;</li>
 *   <li>{@code map}: the Java SDK's {@code Fn.map} over the same worker (inputs per second, in order, bounded
 *       window), next to the other way to collect results, {@code spawn} ({@code /run}) then {@code get}
 *       ({@code /status-sync}) per virtual thread with the same window, unordered;</li>
 *   <li>{@code burst}: 1,000 jobs at once on zero workers and {@code --gpus H100:32} fake GPUs: time until all 32
 *       workers are busy, and the jobs' queue delay (RunPod's delayTime) p50/p99. Not part of {@code all}.</li>
 *   <li>{@code slowstart}: cold starts of a handler with 2 s of imports, with and without pre-initialized workers
 *       (see {@link ColdStartBench}). Not part of {@code all}.</li>
 *   <li>{@code alerts}: the CPU one round of alert rule evaluation costs (see {@link AlertBench}). Not part of
 *       {@code all}.</li>
 *   <li>{@code restart}: a restart with 100,000 queued jobs (time to {@code /healthz} and to the queue served), then
 *       a purge of them (see {@link RestartBench}). Not part of {@code all}.</li>
 *   <li>{@code failover}: two control-plane nodes on PostgreSQL, the leader killed: time until the other leads
 *       and until it dispatches a job (see {@link FailoverBench}). Not part of {@code all}.</li>
 *   <li>{@code sandbox}: what the bubblewrap sandbox adds to a worker process's start (see {@link SandboxBench}).
 *       Not part of {@code all}.</li>
 *   <li>{@code plan}: the cost planner's simulator, no server: 1,000,000 requests across 10 functions under one policy,
 *       then the default sweep over the same functions (see {@link PlanBench}). Not part of {@code all}.</li>
 *   <li>{@code planaccuracy}: a real workload on a real server, then the planner's prediction of it from the server's
 *       history beside what the server measured (see {@link PlanAccuracyBench}). Not part of {@code all}.</li>
 * </ul>
 */
public final class Bench {

    private static final String KEY = "bench-key";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    public static void main(String[] args) throws Exception {
        String which = args.length > 0 ? args[0] : "all";
        Bench b = new Bench();
        if (which.equals("all") || which.equals("overhead")) {
            b.overhead();
        }
        if (which.equals("all") || which.equals("coldstart")) {
            b.coldStart();
        }
        if (which.equals("all") || which.equals("throughput")) {
            b.throughput();
        }
        if (which.equals("all") || which.equals("map")) {
            b.map();
        }
        if (which.equals("peer")) {
            b.peer(Arrays.copyOfRange(args, 1, args.length));
        }
        if (which.equals("alerts")) {
            new AlertBench(KEY).run();
        }
        if (which.equals("restart")) {
            new RestartBench(KEY).run();
        }
        if (which.equals("plan")) {
            new PlanBench().run();
        }
        if (which.equals("planaccuracy")) {
            new PlanAccuracyBench(KEY).run();
        }
        if (which.equals("burst")) {
            new BurstBench(KEY).run(gpus(args));
        }
        if (which.equals("failover")) {
            new FailoverBench(KEY).run();
        }
        if (which.equals("sandbox")) {
            new SandboxBench().run();
        }
        if (which.equals("slowstart")) {
            new ColdStartBench(KEY).run(gpus(args));
        }
        if (which.equals("slurm")) {
            new SlurmBench(KEY).run(Path.of(option(args, "--slurm-conf", "/tmp/hearth-slurm/slurm.conf")));
        }
        System.exit(0);
    }

    private static String option(String[] args, String name, String otherwise) {
        for (int i = 1; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return otherwise;
    }

    /** {@code --gpus H100:32} (the default). */
    private static String gpus(String[] args) {
        for (int i = 1; i + 1 < args.length; i++) {
            if (args[i].equals("--gpus")) {
                return args[i + 1];
            }
        }
        return "H100:32";
    }

    /**
     * {@code -Dstore=postgresql://user@host:5432/db} runs the benchmarks on PostgreSQL, each server in a new schema
     * dropped when the run ends; SQLite in the data dir without it.
     */
    private static final String STORE = System.getProperty("store");

    /**
     * {@code -Dhearth.edge=helidon} puts Helidon SE 4's WebServer in front of the same routes instead of Jetty (see
     * {@link HelidonEdge}), to compare the two HTTP servers; {@code jetty} (the default) is the shipped edge.
     */
    private static final String EDGE = System.getProperty("hearth.edge", "jetty");

    private HearthServer server(Path data) {
        String store = null;
        if (STORE != null) {
            String schema = "hearth_bench_" + java.util.UUID.randomUUID().toString().replace("-", "").substring(0, 12);
            store = STORE + (STORE.contains("?") ? "&" : "?") + "schema=" + schema;
            String toDrop = store;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> dropSchema(toDrop)));
            System.out.println("  (store: " + dev.hearth.store.PostgresUrl.parse(store, "-Dstore") + ")");
        }
        ServerConfig.Builder config = ServerConfig.builder().port(0).dataDir(data).gpus("none").apiKey(KEY)
                .workerGrace(Duration.ofSeconds(5)).storeUrl(store);
        if ("helidon".equals(EDGE)) {
            config.edge(HelidonEdge.FACTORY);
            System.out.println("  (edge: Helidon SE 4 WebServer)");
        } else if (!"jetty".equals(EDGE)) {
            throw new IllegalArgumentException("-Dhearth.edge must be jetty or helidon, got " + EDGE);
        }
        return HearthServer.start(config.build());
    }

    private static void dropSchema(String store) {
        dev.hearth.store.PostgresUrl url = dev.hearth.store.PostgresUrl.parse(store, "-Dstore");
        try (var c = java.sql.DriverManager.getConnection(url.jdbcUrl(), url.properties());
             var st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS " + url.schema() + " CASCADE");
        } catch (java.sql.SQLException e) {
            System.err.println("could not drop the benchmark's schema " + url.schema() + ": " + e.getMessage());
        }
    }

    void overhead() throws Exception {
        int n = 5_000;
        Path data = Files.createTempDirectory("hearth-bench");
        try (HearthServer s = server(data)) {
            deploy(s.url(), "noop");
            URI runsync = s.url().resolve("/v2/noop/runsync");
            long[] hearth = timeRequests(runsync, n, true);
            int port = freePort();
            Process direct = new ProcessBuilder("python3", "bench/direct_server.py", Integer.toString(port),
                    "bench/functions/noop").redirectErrorStream(true).start();
            try {
                new BufferedReader(new InputStreamReader(direct.getInputStream())).readLine();
                long[] plain = timeRequests(URI.create("http://127.0.0.1:" + port + "/run"), n, false);
                System.out.printf("overhead: warm runsync of a no-op Python handler, %d sequential calls%n", n);
                System.out.printf("  hearth runsync   p50 %7.3f ms  p99 %7.3f ms%n", ms(pct(hearth, 50)),
                        ms(pct(hearth, 99)));
                System.out.printf("  direct HTTP      p50 %7.3f ms  p99 %7.3f ms%n", ms(pct(plain, 50)),
                        ms(pct(plain, 99)));
                System.out.printf("  overhead         p50 %7.3f ms  (ratio %.2fx)%n",
                        ms(pct(hearth, 50) - pct(plain, 50)), (double) pct(hearth, 50) / pct(plain, 50));
            } finally {
                direct.destroy();
            }
        }
    }

    /**
     * Hearth against Celery 5 + Redis as a Python caller sees them: {@code bench/peer.py} (under Debian's python3,
     * where python3-celery is) calls this server's runsync and a Celery worker of its own, side by side; the arguments
     * after {@code peer} go to it ({@code --calls N --warmup N --rounds N --cold N --only hearth|celery}).
     */
    void peer(String[] options) throws Exception {
        Path data = Files.createTempDirectory("hearth-bench");
        try (HearthServer s = server(data)) {
            deploy(s.url(), "noop2");
            java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(
                    System.getProperty("peer.python", "/usr/bin/python3"), "bench/peer.py", s.url().toString(), KEY));
            command.addAll(Arrays.asList(options));
            int rc = new ProcessBuilder(command).inheritIO().start().waitFor();
            if (rc != 0) {
                throw new IllegalStateException("bench/peer.py failed (exit " + rc + ")");
            }
        }
    }

    void coldStart() throws Exception {
        int n = 15;
        Path data = Files.createTempDirectory("hearth-bench");
        try (HearthServer s = server(data)) {
            deploy(s.url(), "noop");
            long[] total = new long[n];
            long[] init = new long[n];
            for (int i = 0; i < n; i++) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (workers(s.url()) > 0 && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                long t0 = System.nanoTime();
                JsonNode r = post(s.url().resolve("/v2/noop/runsync"), "{\"input\":{\"i\":" + i + "}}");
                total[i] = System.nanoTime() - t0;
                if (!r.path("coldStart").asBoolean()) {
                    throw new IllegalStateException("expected a cold start: " + r);
                }
                init[i] = r.path("initTime").asLong() * 1_000_000;
            }
            Arrays.sort(total);
            Arrays.sort(init);
            System.out.printf("coldstart: zero workers to first result, %d runs%n", n);
            System.out.printf("  runsync round trip p50 %7.1f ms  max %7.1f ms%n", ms(pct(total, 50)),
                    ms(total[n - 1]));
            System.out.printf("  worker init time   p50 %7.1f ms (process start to first job request)%n",
                    ms(pct(init, 50)));
        }
    }

    void throughput() throws Exception {
        int n = Integer.getInteger("jobs", 40_000);
        Path data = Files.createTempDirectory("hearth-bench");
        try (HearthServer s = server(data)) {
            deploy(s.url(), "noop8");
            post(s.url().resolve("/v2/noop8/runsync"), "{\"input\":0}");
            int connections = Integer.getInteger("connections", 32);
            // Warm-up: let the JIT compile the hot paths before the clock starts, as a long-running server would (after
            // 10,000 jobs C2 still spent ~10% of the CPU of the measured window compiling).
            int warmup = Integer.getInteger("warmup", 30_000);
            new RawLoad(s.url(), KEY).post("/v2/noop8/run", warmup, connections, Bench::input);
            awaitCompleted(s.url(), warmup + 1);
            CpuMark cpu0 = CpuMark.now();
            long[] userSys0 = userSysTicks();
            Profiler profiler = Profiler.fromProperties("flood");
            profiler.start();
            long t0 = System.nanoTime();
            int failed = new RawLoad(s.url(), KEY).post("/v2/noop8/run", n, connections, Bench::input);
            long submitted = System.nanoTime() - t0;
            long doneWhileSubmitting = completed(s.url()) - warmup - 1;
            if (failed > 0) {
                throw new IllegalStateException(failed + " submissions failed");
            }
            awaitCompleted(s.url(), warmup + n + 1);
            long elapsed = System.nanoTime() - t0;
            profiler.stop();
            CpuMark cpu = CpuMark.now().minus(cpu0);
            long jvmCpu = cpu.jvm();
            long[] userSys = userSysTicks();
            long workerCpu = cpu.workers();
            System.out.printf("throughput: %d no-op jobs via /run, one worker with concurrency 8%n", n);
            System.out.printf("  submitted in %.2f s (%.0f submits/s)%n", submitted / 1e9, n / (submitted / 1e9));
            System.out.printf("  all completed in %.2f s: %.0f completed jobs/s%n", elapsed / 1e9,
                    n / (elapsed / 1e9));
            System.out.printf("  completed while submitting: %d (%.0f/s); after: %.0f/s%n", doneWhileSubmitting,
                    doneWhileSubmitting / (submitted / 1e9), (n - doneWhileSubmitting) / ((elapsed - submitted) / 1e9));
            System.out.printf("  CPU per job: control plane + load generator %.0f us, worker %.0f us (%.0f us in all;"
                    + " 2 cores give 400 us per job at 5,000 jobs/s)%n", jvmCpu / 1e3 / n, workerCpu / 1e3 / n,
                    (jvmCpu + workerCpu) / 1e3 / n);
            System.out.printf("  control plane CPU: %.0f%% user, %.0f%% system%n",
                    100.0 * (userSys[0] - userSys0[0]) / Math.max(1, userSys[0] - userSys0[0] + userSys[1] - userSys0[1]),
                    100.0 * (userSys[1] - userSys0[1]) / Math.max(1, userSys[0] - userSys0[0] + userSys[1] - userSys0[1]));
            sustained(s.url(), connections);
        }
    }

    /**
     * Completed jobs/s while the system is held at saturation: the load generator keeps {@code -Dbacklog} jobs (2,000)
     * waiting and submits one more as each completes, so the worker never runs dry and, unlike the flood above, the
     * submissions do not run far ahead of the completions on the shared cores. Measured from when the backlog first
     * fills until the last job is submitted, so neither the ramp-up nor the drain counts.
     */
    private void sustained(URI url, int connections) throws Exception {
        int n = Integer.getInteger("sustained.jobs", 40_000);
        int limit = Integer.getInteger("backlog", 2_000);
        if (n <= limit) {
            throw new IllegalArgumentException("-Dsustained.jobs (" + n + ") must be larger than -Dbacklog (" + limit
                    + "): the window opens once the backlog is full");
        }
        long before = completed(url);
        AtomicReference<WindowStart> start = new AtomicReference<>();
        Profiler profiler = Profiler.fromProperties("sustained");
        int failed;
        try (Backlog backlog = new Backlog(limit, () -> completed(url) - before)) {
            failed = new RawLoad(url, KEY).post("/v2/noop8/run", n, connections, Bench::input, i -> {
                backlog.awaitRoom(i);
                if (i == limit) {
                    start.set(new WindowStart(System.nanoTime(), completedUnchecked(url), CpuMark.now()));
                    profiler.start();
                }
            });
        }
        profiler.stop();
        long elapsed = System.nanoTime() - start.get().nanos();
        long done = completed(url) - start.get().completed();
        CpuMark cpu = CpuMark.now().minus(start.get().cpu());
        if (failed > 0) {
            throw new IllegalStateException(failed + " submissions failed");
        }
        awaitCompleted(url, before + n);
        System.out.printf("  sustained, %d jobs kept waiting: %.0f completed jobs/s (%d jobs in %.2f s); CPU per job"
                + " %.0f us + worker %.0f us%n", limit, done / (elapsed / 1e9), done, elapsed / 1e9,
                cpu.jvm() / 1e3 / done, cpu.workers() / 1e3 / done);
    }

    /** Where the sustained phase's measured window opens. */
    private record WindowStart(long nanos, long completed, CpuMark cpu) {
    }

    /** CPU time of this JVM and of the worker processes it started, at one moment or between two. */
    private record CpuMark(long jvm, long workers) {

        static CpuMark now() {
            return new CpuMark(cpuNanos(ProcessHandle.current()), workerCpuNanos());
        }

        CpuMark minus(CpuMark earlier) {
            return new CpuMark(jvm - earlier.jvm, workers - earlier.workers);
        }
    }

    /** The body of no-op job {@code i}. */
    private static String input(int i) {
        return "{\"input\":" + i + "}";
    }

    private long completedUnchecked(URI base) {
        try {
            return completed(base);
        } catch (Exception e) {
            throw new IllegalStateException("could not read the completed count", e);
        }
    }

    void map() throws Exception {
        int n = Integer.getInteger("inputs", 20_000);
        int window = Integer.getInteger("window", MapOptions.DEFAULT_MAX_IN_FLIGHT);
        boolean compare = !Boolean.getBoolean("mapOnly");
        Path data = Files.createTempDirectory("hearth-bench");
        try (HearthServer s = server(data); Hearth hearth = Hearth.connect(s.url(), KEY)) {
            deploy(s.url(), "noop8");
            Fn fn = hearth.function("noop8");
            fn.remote(0);
            Iterable<Integer> inputs = () -> IntStream.range(0, n).iterator();
            MapOptions options = MapOptions.builder().maxInFlight(window).build();
            System.out.printf("map: %d no-op inputs, one worker with concurrency 8, window %d%n", n, window);
            int rounds = Integer.getInteger("rounds", 3); // round 1 warms up the JIT of server and client
            for (int round = 1; round <= rounds; round++) {
                long t0 = System.nanoTime();
                long cpu0 = jvmCpuNanos();
                long sum;
                try (Stream<Integer> out = fn.map(inputs, Integer.class, options)) {
                    long[] expected = {0};
                    sum = out.mapToLong(x -> {
                        if (x != expected[0]++) {
                            throw new IllegalStateException("out of order: " + x + " at " + (expected[0] - 1));
                        }
                        return x;
                    }).sum();
                }
                long elapsed = System.nanoTime() - t0;
                if (sum != (long) n * (n - 1) / 2) {
                    throw new IllegalStateException("wrong outputs");
                }
                System.out.printf("  round %d  Fn.map (one /runsync per input)         %.2f s: %6.0f inputs/s,"
                        + " %.0f us JVM CPU per input%n", round, elapsed / 1e9, n / (elapsed / 1e9),
                        (jvmCpuNanos() - cpu0) / 1e3 / n);
                if (!compare) {
                    continue;
                }
                t0 = System.nanoTime();
                cpu0 = jvmCpuNanos();
                Semaphore slots = new Semaphore(window);
                try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                    for (int i = 0; i < n; i++) {
                        slots.acquire();
                        int v = i;
                        threads.submit(() -> {
                            try {
                                return fn.spawn(v).get();
                            } finally {
                                slots.release();
                            }
                        });
                    }
                }
                elapsed = System.nanoTime() - t0;
                System.out.printf("  round %d  spawn + get (/run + /status-sync)       %.2f s: %6.0f inputs/s,"
                        + " %.0f us JVM CPU per input (unordered)%n", round, elapsed / 1e9, n / (elapsed / 1e9),
                        (jvmCpuNanos() - cpu0) / 1e3 / n);
            }
        }
    }

    /** CPU time of this JVM (server and client together), less sensitive to a busy machine than wall time. */
    private static long jvmCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private void awaitCompleted(URI base, long count) throws Exception {
        while (completed(base) < count) {
            Thread.sleep(20);
        }
    }

    private long completed(URI base) throws Exception {
        return post(base.resolve("/v2/noop8/health"), null).path("jobs").path("completed").asLong();
    }

    /** This JVM's user and system CPU ticks (Linux), or zeros elsewhere. */
    private static long[] userSysTicks() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12])};
        } catch (Exception e) {
            return new long[] {0, 0};
        }
    }

    private static long cpuNanos(ProcessHandle p) {
        return p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }

    /** CPU time of the worker processes (and their children) this JVM started. */
    private static long workerCpuNanos() {
        return ProcessHandle.current().descendants().mapToLong(Bench::cpuNanos).sum();
    }

    private long[] timeRequests(URI uri, int n, boolean auth) throws Exception {
        String body = "{\"input\":{\"x\":1}}";
        // Warm-up: as long as the measured run, so that the JIT has compiled the control plane's paths, as in a server
        // that has been up for a while (with 500 calls the p50 of the first thousands was ~0.5 ms higher).
        for (int i = 0; i < Integer.getInteger("overhead.warmup", n); i++) {
            send(uri, body, auth);
        }
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            HttpResponse<String> r = send(uri, body, auth);
            out[i] = System.nanoTime() - t0;
            if (!r.body().contains("COMPLETED")) {
                throw new IllegalStateException("not completed: " + r.body());
            }
        }
        Arrays.sort(out);
        return out;
    }

    private HttpResponse<String> send(URI uri, String body, boolean auth) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(body));
        if (auth) {
            b.header("Authorization", "Bearer " + KEY);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode post(URI uri, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + KEY);
        b = body == null ? b.GET() : b.POST(HttpRequest.BodyPublishers.ofString(body));
        return JSON.readTree(http.send(b.build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    private int workers(URI base) throws Exception {
        return post(base.resolve("/v1/workers?function=noop"), null).get("workers").size();
    }

    private void deploy(URI base, String function) {
        Hearth.connect(base, KEY).deploy(Path.of("bench/functions", function, "hearth.yaml"));
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static long pct(long[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

}
