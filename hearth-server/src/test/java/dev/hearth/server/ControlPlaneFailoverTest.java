package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two control-plane nodes on one PostgreSQL store, each its own JVM: the standby takes the lead when the leader is
 * killed, and a leader paused past its lease hands out nothing once it is resumed (fencing). How fast a standby takes
 * over is measured by {@code bench/run failover}, not here.
 */
class ControlPlaneFailoverTest {

    private final String store = TestPostgres.newStoreUrl();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<Process> processes = new ArrayList<>();

    @TempDir
    Path dataA;
    @TempDir
    Path dataB;

    @AfterEach
    void stop() throws Exception {
        for (Process p : processes) {
            if (p.isAlive()) {
                new ProcessBuilder("kill", "-CONT", Long.toString(p.pid())).start().waitFor();
                p.destroy();
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor();
                }
            }
        }
        TestPostgres.drop(store);
    }

    @Test
    void whenTheLeaderIsKilledTheStandbyLeadsAndEveryAcknowledgedJobHasExactlyOneResult()
            throws Exception {
        Node a = start(dataA);
        await().atMost(Duration.ofSeconds(120)).until(() -> leader(a), a.url::equals);
        Node b = start(dataB);
        assertThat(post(b.url, "/v1/functions", TestServer.zip(TestServer.fixtureDir("noded")), "application/zip")
                .statusCode()).as("a deploy through the standby").isEqualTo(201);

        Path runs = TestSandbox.sharedFile("runs", ".log");
        Map<String, Integer> acknowledged = new ConcurrentHashMap<>();
        AtomicBoolean load = new AtomicBoolean(true);
        AtomicInteger throughB = new AtomicInteger();
        ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
        for (int c = 0; c < 8; c++) {
            int client = c;
            Node via = c % 2 == 0 ? a : b;
            clients.submit(() -> {
                for (int i = 0; load.get() && i < 100_000; i++) {
                    int value = client * 1_000_000 + i;
                    try {
                        HttpResponse<byte[]> r = post(via.url, "/v2/noded/run", ("{\"input\":{\"v\":" + value
                                + ",\"log\":\"" + runs + "\"}}").getBytes(), "application/json");
                        if (r.statusCode() == 200) {
                            acknowledged.put(TestServer.JSON.readTree(r.body()).get("id").asText(), value);
                            if (via == b) {
                                throughB.incrementAndGet();
                            }
                        } else {
                            Thread.sleep(20); // 503 while no node leads: the client tries again
                        }
                    } catch (Exception e) {
                        Thread.sleep(20); // the killed node: nothing acknowledged there any more
                    }
                }
                return null;
            });
        }
        await().atMost(Duration.ofSeconds(120)).until(() -> throughB.get() >= 50 && acknowledged.size() >= 150);

        // a standby up long enough to have rehearsed its start, as one that has been up a while
        await().atMost(Duration.ofSeconds(120)).until(() -> warm(b));
        a.process.destroyForcibly().waitFor();
        // how fast is for bench/run failover (bench/README.md), not for a test on a shared machine
        await().atMost(Duration.ofSeconds(60)).until(() -> leader(b), b.url::equals);
        int before = acknowledged.size();
        await().atMost(Duration.ofSeconds(120)).until(() -> acknowledged.size() >= before + 50);
        load.set(false);
        clients.shutdown();
        assertThat(clients.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

        for (Map.Entry<String, Integer> job : acknowledged.entrySet()) {
            JsonNode status = statusSync(b.url, job.getKey());
            assertThat(status.get("status").asText()).as(job.getKey()).isEqualTo("COMPLETED");
            assertThat(status.get("output").get("v").asInt()).as(job.getKey()).isEqualTo(job.getValue());
            assertThat(statusSync(b.url, job.getKey())).as("the one result stays the one").isEqualTo(status);
        }
        Map<String, Long> timesRun = Files.readAllLines(runs).stream().map(l -> l.split(" ")[0])
                .collect(Collectors.groupingBy(id -> id, Collectors.counting()));
        assertThat(timesRun.keySet()).as("every acknowledged job ran").containsAll(acknowledged.keySet());
        assertThat(timesRun.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList())
                .as("only the job the killed leader's one worker was running may run again").hasSizeLessThanOrEqualTo(1);
    }

    @Test
    void aLeaderPausedPastItsLeaseHandsOutNoJobOnceResumed() throws Exception {
        Node a = start(dataA);
        await().atMost(Duration.ofSeconds(120)).until(() -> leader(a), a.url::equals);
        Node b = start(dataB);
        assertThat(post(a.url, "/v1/functions", TestServer.zip(TestServer.fixtureDir("noded")), "application/zip")
                .statusCode()).isEqualTo(201);
        Path runs = TestSandbox.sharedFile("runs", ".log");
        // the leader's one worker runs the first job; the others wait in the leader's queue
        String running = submit(a.url, runs, 0, 3);
        await().atMost(Duration.ofSeconds(90)).until(() -> status(a.url, running), "IN_PROGRESS"::equals);
        List<String> queued = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            queued.add(submit(a.url, runs, i, 0));
        }

        await().atMost(Duration.ofSeconds(120)).until(() -> warm(b));
        signal(a, "STOP");
        await().atMost(Duration.ofSeconds(60)).until(() -> leader(b), b.url::equals);
        for (String id : queued) {
            assertThat(statusSync(b.url, id).get("status").asText()).isEqualTo("COMPLETED");
        }
        // the paused leader's worker has finished the first job meanwhile and asks the paused leader for more
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.readAllLines(runs).stream()
                .anyMatch(l -> l.startsWith(running + " " + a.url.getAuthority())));
        double resumed = System.currentTimeMillis() / 1000.0;
        signal(a, "CONT");
        await().atMost(Duration.ofSeconds(30)).until(() -> role(a), "standby"::equals);

        JsonNode first = statusSync(b.url, running);
        assertThat(first.get("status").asText()).isEqualTo("COMPLETED");
        assertThat(first.get("output").get("v").asInt()).isEqualTo(0);
        List<String> byTheOldLeaderAfterItsResume = Files.readAllLines(runs).stream().map(l -> l.split(" "))
                .filter(f -> f[1].equals(a.url.getAuthority()) && Double.parseDouble(f[2]) >= resumed)
                .map(f -> f[0]).toList();
        assertThat(byTheOldLeaderAfterItsResume).as("jobs handed out by the deposed leader").isEmpty();
        assertThat(leader(a)).as("the old leader, now a standby, sees the new one").isEqualTo(b.url);
    }

    private record Node(Process process, URI url) {
    }

    private Node start(Path data) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                TestSandbox.sharedDirProperty(), ClusterNodeProcess.class.getName(), data.toString(), store))
                .redirectErrorStream(true).start();
        processes.add(p);
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
        // each node's log, for when a test fails
        java.io.PrintStream log = new java.io.PrintStream(Files.newOutputStream(Path.of("target",
                "cluster-node-" + p.pid() + ".log")), true);
        String line;
        while ((line = out.readLine()) != null && !line.startsWith("READY")) {
            log.println(line);
        }
        assertThat(line).as("node started").startsWith("READY");
        Thread.ofVirtual().start(() -> out.lines().forEach(log::println));
        return new Node(p, URI.create(line.substring("READY ".length()).strip()));
    }

    private void signal(Node node, String signal) throws Exception {
        assertThat(new ProcessBuilder("kill", "-" + signal, Long.toString(node.process.pid())).start().waitFor())
                .isZero();
    }

    /** The leader's URL as {@code node} reports it; null when it does not answer or none leads. */
    private URI leader(Node node) {
        try {
            HttpResponse<byte[]> r = get(node.url, "/v1/cluster");
            if (r.statusCode() != 200) {
                return null;
            }
            for (JsonNode n : TestServer.JSON.readTree(r.body()).get("nodes")) {
                if (n.get("leader").asBoolean()) {
                    return URI.create(n.get("url").asText());
                }
            }
            return null;
        } catch (Exception e) {
            return null;
        }
    }

    private String role(Node node) {
        try {
            JsonNode health = TestServer.JSON.readTree(get(node.url, "/healthz").body());
            return health.has("role") ? health.get("role").asText() : "leader";
        } catch (Exception e) {
            return null;
        }
    }

    private boolean warm(Node node) {
        try {
            JsonNode health = TestServer.JSON.readTree(get(node.url, "/healthz").body());
            return health.path("warm").asBoolean(false);
        } catch (Exception e) {
            return false;
        }
    }

    private String submit(URI url, Path runs, int v, int sleep) throws Exception {
        HttpResponse<byte[]> r = post(url, "/v2/noded/run", ("{\"input\":{\"v\":" + v + ",\"sleep\":" + sleep
                + ",\"log\":\"" + runs + "\"}}").getBytes(), "application/json");
        assertThat(r.statusCode()).isEqualTo(200);
        return TestServer.JSON.readTree(r.body()).get("id").asText();
    }

    private String status(URI url, String id) throws Exception {
        return TestServer.JSON.readTree(get(url, "/v2/noded/status/" + id).body()).get("status").asText();
    }

    private JsonNode statusSync(URI url, String id) throws Exception {
        return TestServer.JSON.readTree(get(url, "/v2/noded/status-sync/" + id + "?wait=60000").body());
    }

    private HttpResponse<byte[]> get(URI url, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(url.resolve(path)).header("Authorization", "Bearer " + TestServer.KEY)
                .timeout(Duration.ofSeconds(90)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private HttpResponse<byte[]> post(URI url, String path, byte[] body, String type) throws Exception {
        return http.send(HttpRequest.newBuilder(url.resolve(path)).header("Authorization", "Bearer " + TestServer.KEY)
                .header("Content-Type", type).timeout(Duration.ofSeconds(90))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }
}
