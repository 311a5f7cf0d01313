package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.runtime.slurm.SlurmCli;
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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A control plane killed (SIGKILL) while its workers run as Slurm jobs, then started again on the same data dir: the
 * running workers are adopted, not restarted. Runs against the cluster of {@link SlurmRuntimeTest}.
 */
class SlurmAdoptionTest {

    @TempDir
    Path data;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<Process> servers = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (Process p : servers) {
            p.destroyForcibly().waitFor();
        }
        Path id = data.resolve("control-plane-id");
        if (Files.exists(id)) { // the killed servers could not stop their workers
            String prefix = "|hearth:" + Files.readString(id).strip() + ":";
            for (String line : SlurmRuntimeTest.slurm("squeue", "-h", "-o", "%i|%k").split("\n")) {
                if (line.contains(prefix)) {
                    SlurmRuntimeTest.slurm("scancel", line.substring(0, line.indexOf('|')));
                }
            }
        }
    }

    @Test
    void runningSlurmWorkersAreAdoptedByTheRestartedControlPlaneNotRestarted() throws Exception {
        assumeTrue(Files.isRegularFile(SlurmRuntimeTest.CONF) && new SlurmCli(SlurmRuntimeTest.CONF).answers(),
                "no Slurm cluster answers with " + SlurmRuntimeTest.CONF + ": start one with .ci/slurm/slurm-up.sh "
                        + "and set HEARTH_TEST_SLURM_CONF to its slurm.conf");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        URI url = URI.create("http://127.0.0.1:" + port);
        Process first = startServer(port);
        HttpResponse<String> deployed = send(url, "/v1/functions", TestServer.zip(TestServer.fixtureDir("slurm-warm")));
        assertThat(deployed.statusCode()).as(deployed.body()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(60)).until(() -> readyWorker(url) != null);
        JsonNode before = readyWorker(url);
        String slurmJob = before.get("scheduler").get("job").asText();

        first.destroyForcibly().waitFor();
        startServer(port);

        await().atMost(Duration.ofSeconds(30)).until(() -> readyWorker(url) != null);
        JsonNode after = readyWorker(url);
        assertThat(after.get("id").asText()).isEqualTo(before.get("id").asText());
        assertThat(after.get("scheduler").get("job").asText()).isEqualTo(slurmJob);
        assertThat(after.get("node").asText()).isEqualTo("n2");
        assertThat(after.get("gpus")).isEqualTo(before.get("gpus"));
        JsonNode done = TestServer.JSON.readTree(send(url, "/v2/slurm-warm/runsync", "{\"input\":{}}".getBytes())
                .body());
        assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("COMPLETED");
        assertThat(done.get("output").get("slurm_job_id").asText()).isEqualTo(slurmJob);
        assertThat(SlurmRuntimeTest.slurm("squeue", "-h", "-j", slurmJob, "-o", "%T").strip()).isEqualTo("RUNNING");
    }

    private JsonNode readyWorker(URI url) throws Exception {
        for (JsonNode w : TestServer.JSON.readTree(get(url, "/v1/workers?function=slurm-warm").body())
                .path("workers")) {
            if (w.get("state").asText().equals("READY")) {
                return w;
            }
        }
        return null;
    }

    private Process startServer(int port) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                ServerProcess.class.getName(), data.toString(), Integer.toString(port),
                "slurm:" + SlurmRuntimeTest.CONF)).redirectErrorStream(true).start();
        servers.add(p);
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
        String line;
        while ((line = out.readLine()) != null && !line.startsWith("READY")) {
            // server start-up log
        }
        assertThat(line).as("server started").startsWith("READY");
        Thread.ofVirtual().start(() -> out.lines().forEach(l -> { }));
        return p;
    }

    private HttpResponse<String> get(URI url, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(url.resolve(path)).header("Authorization", "Bearer " + TestServer.KEY)
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> send(URI url, String path, byte[] body) throws Exception {
        return http.send(HttpRequest.newBuilder(url.resolve(path)).header("Authorization", "Bearer " + TestServer.KEY)
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
