package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A manifest's volumes as the function's workers see them: what one worker writes (its downloaded weights) the next
 * reads, after scale to zero, in another version and after a restart. The fixture {@code weights} writes
 * {@code models/model/weights.txt} when it is not there and reads it when it is.
 */
class VolumeWorkersTest {

    @RegisterExtension
    final TestServer hearth = TestServer.withFunctions();

    @TempDir
    Path tmp;

    private JsonNode output(String input) {
        JsonNode status = hearth.post("/v2/weights/runsync", "{\"input\":" + input + "}").json();
        assertThat(status.get("status").asText()).as(status.toString()).isEqualTo("COMPLETED");
        return status.get("output");
    }

    private void createVolumeAndDeploy() {
        assertThat(hearth.post("/v1/volumes", "{\"name\":\"weights\"}").status()).isEqualTo(201);
        assertThat(hearth.deploy("weights").status()).isEqualTo(201);
    }

    /** The fixture with its manifest changed: another bundle, so another version with a directory of its own. */
    private Path fixtureWith(String manifest) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("fn"));
        Files.copy(TestServer.fixtureDir("weights").resolve("handler.py"), dir.resolve("handler.py"));
        Files.writeString(dir.resolve("hearth.yaml"), manifest);
        return dir;
    }

    @Test
    void whatTheFirstWorkerWritesTheNextWorkerReadsAfterScaleToZero() {
        createVolumeAndDeploy();

        JsonNode first = output("{\"weights\":\"llama-7b\"}");
        await().atMost(Duration.ofSeconds(30)).until(() -> hearth.workerCount("weights") == 0);
        JsonNode second = output("{}");

        assertThat(first.get("wrote").asText()).isEqualTo("llama-7b");
        assertThat(second.get("found").asText()).isEqualTo("llama-7b");
        assertThat(second.get("worker").asText()).isNotEqualTo(first.get("worker").asText());
        assertThat(hearth.get("/v1/volumes/weights/files").json().get("files").get(0).get("path").asText())
                .isEqualTo("model/weights.txt");
    }

    @Test
    void workersSeeTheVolumeAtTheirRelativePathAndItsRealPathInTheEnvironment() throws IOException {
        createVolumeAndDeploy();

        JsonNode out = output("{\"weights\":\"w\"}");

        Path volume = hearth.dataDir().resolve("volumes").resolve("weights").toRealPath();
        assertThat(Path.of(out.get("volumePath").asText()).toRealPath()).isEqualTo(volume);
        assertThat(Path.of(out.get("linkTarget").asText())).isEqualTo(volume);
        try (var bundles = Files.list(hearth.dataDir().resolve("bundles"))) {
            Path link = bundles.filter(Files::isDirectory).map(b -> b.resolve("models")).filter(Files::isSymbolicLink)
                    .findFirst().orElseThrow();
            // relative, so that it still holds when the data dir is moved
            assertThat(Files.readSymbolicLink(link)).isEqualTo(Path.of("../../volumes/weights"));
        }
    }

    @Test
    void anotherVersionAndARestartedServerFindTheSameWeights() throws IOException {
        createVolumeAndDeploy();
        output("{\"weights\":\"v1\"}");
        String manifest = Files.readString(TestServer.fixtureDir("weights").resolve("hearth.yaml"))
                + "env:\n  CHANGED: \"yes\"\n";

        JsonNode deployed = hearth.deploy(fixtureWith(manifest), "").json();
        JsonNode fromVersion2 = output("{}");
        hearth.restart();
        JsonNode afterRestart = output("{}");

        assertThat(deployed.get("version").asInt()).isEqualTo(2);
        assertThat(fromVersion2.get("version").asText()).isEqualTo("2");
        assertThat(fromVersion2.get("found").asText()).isEqualTo("v1");
        assertThat(afterRestart.get("found").asText()).isEqualTo("v1");
    }

    @Test
    void aDeployNamingAVolumeThatDoesNotExistFailsNamingIt() {
        TestServer.Response r = hearth.deploy("weights");

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("detail").asText()).contains("volume 'weights' does not exist")
                .contains("hearth volume create weights");
    }

    @Test
    void anAbsolutePathShowsTheVolumeThereInASandboxedWorker() throws IOException {
        assumeThat(TestSandbox.sandboxed()).as("workers run in bubblewrap sandboxes here").isTrue();
        hearth.post("/v1/volumes", "{\"name\":\"weights\"}");
        Path dir = fixtureWith(Files.readString(TestServer.fixtureDir("weights").resolve("hearth.yaml"))
                .replace("weights: models", "weights: /models"));
        Files.writeString(dir.resolve("handler.py"), """
                def handler(job):
                    with open("/models/at-root.txt", "w") as f:
                        f.write("written at /models")
                    return {"ok": True}
                """);

        assertThat(hearth.deploy(dir, "").status()).isEqualTo(201);
        output("{}");

        assertThat(Files.readString(hearth.dataDir().resolve("volumes/weights/at-root.txt")))
                .isEqualTo("written at /models");
    }

    @Test
    void anAbsolutePathIsRefusedNamingTheMissingIsolationWhenWorkersAreNotSandboxed() throws IOException {
        assumeThat(TestSandbox.sandboxed()).as("workers run unsandboxed here").isFalse();
        hearth.post("/v1/volumes", "{\"name\":\"weights\"}");
        String manifest = Files.readString(TestServer.fixtureDir("weights").resolve("hearth.yaml"))
                .replace("weights: models", "weights: /models");

        TestServer.Response r = hearth.deploy(fixtureWith(manifest), "");

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("detail").asText()).contains("/models").contains("mount namespace")
                .contains("relative to the function's directory");
    }

    @Test
    void aBundleThatAlreadyHasTheVolumesPathIsRefused() throws IOException {
        hearth.post("/v1/volumes", "{\"name\":\"weights\"}");
        Path dir = fixtureWith(Files.readString(TestServer.fixtureDir("weights").resolve("hearth.yaml")));
        Files.writeString(Files.createDirectories(dir.resolve("models")).resolve("stale.bin"), "x");

        TestServer.Response r = hearth.deploy(dir, "");

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("detail").asText()).contains("already has models");
    }

    @Test
    void aVolumeInUseCannotBeDeleted() {
        createVolumeAndDeploy();

        TestServer.Response r = hearth.delete("/v1/volumes/weights");

        assertThat(r.status()).isEqualTo(409);
        assertThat(r.json().get("detail").asText()).contains("used by weights");
        assertThat(hearth.get("/v1/volumes/weights").json().get("usedBy").get(0).asText()).isEqualTo("weights");
    }
}
