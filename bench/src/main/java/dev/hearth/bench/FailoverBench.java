package dev.hearth.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.client.Hearth;
import dev.hearth.server.HearthCluster;
import dev.hearth.server.ServerConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * Control-plane failover on PostgreSQL: two nodes ({@link Node}, each its own JVM, as {@code hearth serve
 * --advertise-url} runs them), the leader killed with SIGKILL, and a job submitted through the survivor at once
 * (submits answered 503 until it leads are sent again). Measured from the kill: until the survivor leads and serves,
 * and until the job is dispatched by it (its status leaves IN_QUEUE: the new leader has started a worker, which has
 * taken the job). The killed node is started again as the standby for the next run. {@code -Dfailover.runs=N}
 * (default 10), {@code -Dstore=postgresql://...} (default the local {@code test} database as postgres).
 */
final class FailoverBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final String key;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    FailoverBench(String key) {
        this.key = key;
    }

    void run() throws Exception {
        int runs = Integer.getInteger("failover.runs", 10);
        String base = System.getProperty("store", "postgresql://postgres@127.0.0.1:5432/test");
        String schema = "hearth_bench_failover_" + Long.toHexString(System.nanoTime());
        String store = base + (base.contains("?") ? "&" : "?") + "schema=" + schema;
        Path dir = Files.createTempDirectory("hearth-bench-failover");
        System.out.println("  (nodes' data dirs and logs in " + dir + ")");
        Proc[] nodes = {start(dir.resolve("a"), store), null};
        awaitLeader(nodes[0].url, nodes[0].url, Duration.ofSeconds(60));
        nodes[1] = start(dir.resolve("b"), store);
        Hearth.connect(nodes[0].url, key).deploy(Path.of("bench/functions/noop/hearth.yaml"));
        long[] takeover = new long[runs];
        long[] dispatched = new long[runs];
        try {
            for (int i = 0; i < runs; i++) {
                int leader = leaderIndex(nodes);
                Proc survivor = nodes[1 - leader];
                awaitWarm(survivor.url); // it has rehearsed its start, as a standby that has been up a while
                long killed = System.nanoTime();
                nodes[leader].process.destroyForcibly().waitFor();
                String id = submitUntilAccepted(survivor.url);
                awaitLeader(survivor.url, survivor.url, Duration.ofSeconds(30));
                takeover[i] = System.nanoTime() - killed;
                while (status(survivor.url, id).equals("IN_QUEUE")) {
                    Thread.sleep(5);
                }
                dispatched[i] = System.nanoTime() - killed;
                System.out.printf("  run %2d: leads after %6.0f ms, first job dispatched after %6.0f ms%n", i + 1,
                        takeover[i] / 1e6, dispatched[i] / 1e6);
                nodes[leader] = start(dir.resolve(leader == 0 ? "a" + i : "b" + i), store);
            }
        } finally {
            for (Proc p : nodes) {
                if (p != null) {
                    p.process.destroyForcibly().waitFor();
                }
            }
            dropSchema(store);
        }
        Arrays.sort(takeover);
        Arrays.sort(dispatched);
        System.out.printf("failover (%d runs, lease %s): new leader serving p50 %.0f ms max %.0f ms | first job "
                        + "dispatched by it p50 %.0f ms max %.0f ms%n", runs, HearthCluster.LEASE.toMillis() + " ms", takeover[runs / 2] / 1e6,
                takeover[runs - 1] / 1e6, dispatched[runs / 2] / 1e6, dispatched[runs - 1] / 1e6);
    }

    /** One control-plane node in its own JVM; prints {@code READY <url>}. Arguments: data dir, store URL, key. */
    public static final class Node {
        public static void main(String[] args) throws InterruptedException {
            HearthCluster node = HearthCluster.start(ServerConfig.builder().dataDir(Path.of(args[0])).port(0)
                    .storeUrl(args[1]).apiKey(args[2]).gpus("none").workerGrace(Duration.ofSeconds(5)).build(), null);
            System.out.println("READY " + node.url());
            System.out.flush();
            Thread.currentThread().join();
        }
    }

    private record Proc(Process process, URI url) {
    }

    private Proc start(Path data, String store) throws Exception {
        Files.createDirectories(data);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                Node.class.getName(), data.toString(), store, key))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.PIPE).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
        // the node's log, with how long each start took and where the time went
        java.io.PrintStream log = new java.io.PrintStream(Files.newOutputStream(data.resolve("node.log")), true);
        String line;
        while ((line = out.readLine()) != null && !line.startsWith("READY")) {
            log.println(line);
        }
        if (line == null) {
            throw new IllegalStateException("a node did not start; see " + data.resolve("node.log"));
        }
        Thread.ofVirtual().start(() -> out.lines().forEach(log::println));
        return new Proc(p, URI.create(line.substring("READY ".length()).strip()));
    }

    private int leaderIndex(Proc[] nodes) throws Exception {
        URI leader = leader(nodes[0].url);
        return nodes[0].url.equals(leader) ? 0 : 1;
    }

    private void awaitLeader(URI via, URI expected, Duration atMost) throws Exception {
        long end = System.nanoTime() + atMost.toNanos();
        while (!expected.equals(leader(via))) {
            if (System.nanoTime() > end) {
                throw new IllegalStateException(expected + " did not lead within " + atMost);
            }
            Thread.sleep(5);
        }
    }

    private void awaitWarm(URI standby) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < end) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(standby.resolve("/healthz"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (JSON.readTree(r.body()).path("warm").asBoolean(false)) {
                    return;
                }
            } catch (java.io.IOException e) {
                // starting
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException(standby + " did not rehearse its start within 120 s");
    }

    private URI leader(URI via) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(via.resolve("/v1/cluster"))
                    .header("Authorization", "Bearer " + key).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return null;
            }
            for (JsonNode n : JSON.readTree(r.body()).get("nodes")) {
                if (n.get("leader").asBoolean()) {
                    return URI.create(n.get("url").asText());
                }
            }
        } catch (Exception e) {
            // not serving yet
        }
        return null;
    }

    private String submitUntilAccepted(URI via) throws Exception {
        while (true) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(via.resolve("/v2/noop/run"))
                        .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                        .timeout(Duration.ofSeconds(5)).POST(HttpRequest.BodyPublishers.ofString("{\"input\":{}}"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return JSON.readTree(r.body()).get("id").asText();
                }
            } catch (java.io.IOException e) {
                // the survivor is between standby and leader: its port is closed for a moment
            }
            Thread.sleep(5);
        }
    }

    private String status(URI via, String id) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(via.resolve("/v2/noop/status/" + id))
                .header("Authorization", "Bearer " + key).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body()).get("status").asText();
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
}
