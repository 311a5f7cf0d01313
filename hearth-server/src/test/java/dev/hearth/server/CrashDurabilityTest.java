package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of the control plane under load: after a restart on the same data dir every acknowledged job has run at
 * least once and has exactly one result, its own (docs/architecture.md: execution is at least once, each job has
 * exactly one final result).
 */
class CrashDurabilityTest {

    @TempDir
    Path data;

    @Test
    void everyAcknowledgedJobCompletesAfterTheServerIsKilledUnderLoad() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process first = startServer(port);
        URI url = URI.create("http://127.0.0.1:" + port);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        assertThat(post(http, url, "/v1/functions", TestServer.zip(TestServer.fixtureDir("recorded")), "application/zip")
                .statusCode()).isEqualTo(201);

        Path runs = TestSandbox.sharedFile("runs", ".log");
        Map<String, Integer> acknowledged = new ConcurrentHashMap<>();
        AtomicBoolean load = new AtomicBoolean(true);
        CountDownLatch enough = new CountDownLatch(200);
        ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
        for (int c = 0; c < 8; c++) {
            int client = c;
            clients.submit(() -> {
                for (int i = 0; load.get() && i < 100_000; i++) {
                    int value = client * 1_000_000 + i;
                    try {
                        HttpResponse<byte[]> r = post(http, url, "/v2/recorded/run",
                                ("{\"input\":{\"v\":" + value + ",\"log\":\"" + runs + "\"}}").getBytes(),
                                "application/json");
                        if (r.statusCode() == 200) {
                            acknowledged.put(TestServer.JSON.readTree(r.body()).get("id").asText(), value);
                            enough.countDown();
                        }
                    } catch (Exception e) {
                        return; // the server is gone: whatever was not acknowledged does not count
                    }
                }
            });
        }
        assertThat(enough.await(60, TimeUnit.SECONDS)).isTrue();
        first.destroyForcibly().waitFor();
        load.set(false);
        clients.shutdown();
        assertThat(clients.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

        Process second = startServer(port);
        try {
            for (Map.Entry<String, Integer> job : acknowledged.entrySet()) {
                JsonNode status = statusSync(http, url, job.getKey());
                assertThat(status.get("status").asText()).as(job.getKey()).isEqualTo("COMPLETED");
                assertThat(status.get("output").get("v").asInt()).as(job.getKey()).isEqualTo(job.getValue());
                // the one result stays the one: asking again gives the same, not a later run's
                assertThat(statusSync(http, url, job.getKey())).as(job.getKey()).isEqualTo(status);
            }
        } finally {
            second.destroy();
            second.waitFor(30, TimeUnit.SECONDS);
        }
        assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(200);
        Map<String, Long> timesRun = Files.readAllLines(runs).stream()
                .collect(Collectors.groupingBy(id -> id, Collectors.counting()));
        assertThat(timesRun.keySet()).as("every acknowledged job ran at least once")
                .containsAll(acknowledged.keySet());
    }

    private static JsonNode statusSync(HttpClient http, URI url, String id) throws Exception {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(url.resolve("/v2/recorded/status-sync/" + id
                        + "?wait=60000")).header("Authorization", "Bearer " + TestServer.KEY).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        return TestServer.JSON.readTree(r.body());
    }

    private Process startServer(int port) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                TestSandbox.sharedDirProperty(), ServerProcess.class.getName(), data.toString(), Integer.toString(port), "none"))
                .redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
        String line;
        while ((line = out.readLine()) != null && !line.startsWith("READY")) {
            // server start-up log
        }
        assertThat(line).as("server started").startsWith("READY");
        Thread.ofVirtual().start(() -> out.lines().forEach(l -> { }));
        return p;
    }

    private static HttpResponse<byte[]> post(HttpClient http, URI url, String path, byte[] body, String type)
            throws Exception {
        return http.send(HttpRequest.newBuilder(url.resolve(path)).header("Authorization", "Bearer " + TestServer.KEY)
                .header("Content-Type", type).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }
}
