package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Workers do not inherit the control plane's environment: a server started with its API key and other variables in
 * its environment (as {@code hearth serve} is) gives its workers only PATH, HOME, LANG, TZ and what the operator lets
 * through.
 */
class WorkerEnvironmentTest {

    private static final String SERVER_KEY = "the-servers-own-api-key";

    @TempDir
    Path data;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private Process server;
    private URI url;

    @BeforeEach
    void startServerWithVariablesInItsEnvironment() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                ServerProcess.class.getName(), data.toString(), "0", "none", "LET_ME_THROUGH"))
                .redirectErrorStream(true);
        pb.environment().put("HEARTH_API_KEY", SERVER_KEY);
        pb.environment().put("DATABASE_PASSWORD", "hunter2");
        pb.environment().put("LET_ME_THROUGH", "allowed");
        server = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream()));
        String line;
        while ((line = out.readLine()) != null && !line.startsWith("READY")) {
            // server start-up log
        }
        assertThat(line).as("server started").startsWith("READY");
        url = URI.create(line.substring("READY ".length()).strip());
        Thread.ofVirtual().start(() -> out.lines().forEach(l -> { }));
    }

    @AfterEach
    void stopServer() throws InterruptedException {
        server.destroy();
        server.waitFor(30, TimeUnit.SECONDS);
    }

    @Test
    void aWorkerSeesNeitherTheApiKeyNorOtherServerVariablesButWhatIsLetThrough() throws Exception {
        Path dir = SecretsTest.probe("env-probe", "[]");
        HttpResponse<String> deployed = send(HttpRequest.newBuilder(url.resolve("/v1/functions"))
                .header("Content-Type", "application/zip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(TestServer.zip(dir))));
        assertThat(deployed.statusCode()).as(deployed.body()).isEqualTo(201);

        HttpResponse<String> r = send(HttpRequest.newBuilder(url.resolve("/v2/env-probe/runsync"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"input\": {\"names\": [\"HEARTH_API_KEY\", \"DATABASE_PASSWORD\", \"LET_ME_THROUGH\", "
                                + "\"PATH\", \"HEARTH_FUNCTION\"]}}")));

        JsonNode done = TestServer.JSON.readTree(r.body());
        assertThat(done.get("status").asText()).as(r.body()).isEqualTo("COMPLETED");
        JsonNode seen = done.get("output");
        assertThat(seen.get("HEARTH_API_KEY").isNull()).as("%s", seen).isTrue();
        assertThat(seen.get("DATABASE_PASSWORD").isNull()).as("%s", seen).isTrue();
        assertThat(seen.get("LET_ME_THROUGH").asText()).isEqualTo("allowed");
        assertThat(seen.get("PATH").asText()).isEqualTo(System.getenv("PATH"));
        assertThat(seen.get("HEARTH_FUNCTION").asText()).isEqualTo("env-probe");
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.header("Authorization", "Bearer " + TestServer.KEY)
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
