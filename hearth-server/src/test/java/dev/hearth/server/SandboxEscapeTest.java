package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A function's code trying to get at what is not its own, on a real server with real worker processes: the store,
 * the client file with the API key, the secret key, another function's code, another worker's environment (its
 * token). The fixture {@code prober} reads and writes the paths it is given and reports what it could.
 */
class SandboxEscapeTest {

    @RegisterExtension
    final TestServer hearth = TestServer.withFunctions("sleepy");

    private JsonNode probe(Map<String, Object> input) {
        ObjectNode body = TestServer.JSON.createObjectNode();
        body.set("input", TestServer.JSON.valueToTree(input));
        JsonNode status = hearth.post("/v2/prober/runsync", body.toString()).json();
        assertThat(status.get("status").asText()).as(status.toString()).isEqualTo("COMPLETED");
        return status.get("output");
    }

    private void deployProber() {
        assertThat(hearth.post("/v1/volumes", "{\"name\":\"scratch\"}").status()).isEqualTo(201);
        assertThat(hearth.deploy("prober").status()).isEqualTo(201);
    }

    /** What a client's {@code hearth up} leaves in the data dir: the server's address and the API key. */
    private Path clientJson() throws IOException {
        return Files.writeString(hearth.dataDir().resolve("client.json"),
                "{\"url\":\"" + hearth.url() + "\",\"apiKey\":\"" + TestServer.KEY + "\"}");
    }

    private Path sleepysHandler() throws IOException {
        try (Stream<Path> bundles = Files.list(hearth.dataDir().resolve("bundles"))) {
            return bundles.map(b -> b.resolve("handler.py")).filter(Files::exists)
                    .filter(h -> read(h).contains("seconds")).findFirst().orElseThrow();
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aHandlerCannotReadTheStoreTheApiKeyTheSecretKeyOrAnotherFunctionsCode() throws IOException {
        assumeThat(TestSandbox.sandboxed()).as("workers run in bubblewrap sandboxes here").isTrue();
        deployProber();
        Path data = hearth.dataDir();
        List<String> targets = List.of(data.resolve("hearth.db").toString(), clientJson().toString(),
                data.resolve("secret.key").toString(), sleepysHandler().toString());
        assertThat(targets).allMatch(t -> Files.exists(Path.of(t)));

        JsonNode read = probe(Map.of("read", targets)).get("read");

        for (String target : targets) {
            assertThat(read.get(target).asText()).as(target).startsWith("error:");
        }
    }

    @Test
    void aHandlerCannotSeeAnotherWorkersProcessOrReadItsEnvironment() {
        assumeThat(TestSandbox.sandboxed()).as("workers run in bubblewrap sandboxes here").isTrue();
        deployProber();
        String sleeping = hearth.run("sleepy", "{\"seconds\":30}");
        await().atMost(Duration.ofSeconds(30)).until(() ->
                hearth.status("sleepy", sleeping).get("status").asText().equals("IN_PROGRESS"));
        JsonNode other = hearth.get("/v1/workers?function=sleepy").json().get("workers").get(0);
        String environ = "/proc/" + other.get("pid").asLong() + "/environ";

        JsonNode out = probe(Map.of("read", List.of(environ)));

        assertThat(out.get("read").get(environ).asText()).startsWith("error:");
        assertThat(out.get("workerIdsInProc")).extracting(JsonNode::asText)
                .doesNotContain(other.get("id").asText())
                .allMatch(id -> id.equals(out.get("self").asText()));
        hearth.post("/v2/sleepy/cancel/" + sleeping, "");
    }

    @Test
    void aHandlerReadsItsBundleAndVolumeAndWritesItsVolume() throws IOException {
        deployProber();
        Path volume = hearth.dataDir().resolve("volumes/scratch");
        Files.writeString(volume.resolve("uploaded.txt"), "from the host");

        JsonNode out = probe(Map.of("read", List.of("hearth.yaml", "data/uploaded.txt"),
                "write", Map.of("data/written.txt", "from the worker")));

        assertThat(out.get("read").get("hearth.yaml").asText()).startsWith("read:").contains("Test fixture");
        assertThat(out.get("read").get("data/uploaded.txt").asText()).isEqualTo("read:from the host");
        assertThat(out.get("wrote").get("data/written.txt").asText()).isEqualTo("wrote");
        assertThat(Files.readString(volume.resolve("written.txt"))).isEqualTo("from the worker");
        assertThat(out.get("volume").asText()).isEqualTo(volume.toString());
    }

    @Test
    void aHandlerCannotChangeItsOwnBundle() {
        assumeThat(TestSandbox.sandboxed()).as("workers run in bubblewrap sandboxes here").isTrue();
        deployProber();

        JsonNode out = probe(Map.of("write", Map.of("handler.py", "def handler(job): return 'hijacked'")));

        assertThat(out.get("wrote").get("handler.py").asText()).startsWith("error:");
    }

    @Test
    void underARootServerHandlersRunAsNobody() {
        assumeThat(TestSandbox.sandboxed()).as("workers run in bubblewrap sandboxes here").isTrue();
        assumeThat(System.getProperty("user.name")).as("the tests run as root").isEqualTo("root");
        deployProber();

        assertThat(probe(Map.of()).get("uid").asInt()).isEqualTo(65534);
    }
}
