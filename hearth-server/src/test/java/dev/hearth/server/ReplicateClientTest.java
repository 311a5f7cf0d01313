package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official {@code replicate} npm client (1.x, installed from the npm registry for the test) works against Hearth
 * with only its {@code baseUrl} changed: run, predictions with wait, get, list, cancel, stream, the model and its versions, the webhook secret with
 * validateWebhook on a delivered webhook, a file input and a file output. Skipped where npm is not installed or the
 * registry cannot be reached. The install runs no package scripts and asks only the npm registry; the client's fetch
 * refuses any host but 127.0.0.1.
 */
class ReplicateClientTest {

    private static final String REGISTRY = "https://registry.npmjs.org/";

    @RegisterExtension
    static final TestServer hearth = TestServer.withFunctions("echo", "sleepy", "stream", "files");

    @TempDir
    static Path client;

    @BeforeAll
    static void installTheClient() throws Exception {
        assumeTrue(runs(List.of("npm", "--version"), client).exit() == 0,
                "npm is not installed: the replicate npm client test needs node and npm");
        Files.writeString(client.resolve("package.json"), "{\"name\":\"hearth-replicate-compat\",\"private\":true}");
        Result install = runs(List.of("npm", "install", "--no-audit", "--no-fund", "--ignore-scripts",
                "--no-update-notifier", "--registry=" + REGISTRY, "replicate@1"), client);
        assumeTrue(install.exit() == 0, "npm could not install replicate@1 from " + REGISTRY + " (offline?): "
                + install.output());
        try (var in = ReplicateClientTest.class.getResourceAsStream("/replicate-client/compat.cjs")) {
            Files.write(client.resolve("compat.cjs"), in.readAllBytes());
        }
    }

    record Result(int exit, String output) {
    }

    private static Result runs(List<String> command, Path dir) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("npm_config_update_notifier", "false");
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            return new Result(-1, e.getMessage());
        }
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    @Test
    void theOfficialClientRunsStreamsCancelsValidatesWebhooksAndMovesFiles() throws Exception {
        ProcessBuilder pb = new ProcessBuilder("node", "compat.cjs").directory(client.toFile());
        pb.environment().put("HEARTH_URL", hearth.url().toString());
        pb.environment().put("HEARTH_KEY", TestServer.KEY);
        Path log = client.resolve("compat.log");
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        Process node = pb.start();
        assertThat(node.waitFor(3, TimeUnit.MINUTES)).as("the client script ended").isTrue();
        String output = Files.readString(log);
        assertThat(node.exitValue()).as(output).isZero();
        List<String> lines = output.lines().toList();
        JsonNode out = TestServer.JSON.readTree(lines.getLast());

        assertThat(out.path("run").path("text").asText()).isEqualTo("hello");
        assertThat(out.path("created").path("status").asText()).isEqualTo("succeeded");
        assertThat(out.path("created").path("output").path("n").asInt()).isEqualTo(1);
        assertThat(out.path("got").path("id").asBoolean()).isTrue();
        assertThat(out.path("got").path("model").asText()).isEqualTo("acme/echo");
        assertThat(out.path("model").path("name").asText()).isEqualTo("echo");
        assertThat(out.path("model").path("version").asBoolean()).isTrue();
        assertThat(out.path("model").path("versions").asInt()).isEqualTo(1);
        assertThat(out.path("listed").asBoolean()).isTrue();
        assertThat(out.path("canceled").asText()).isEqualTo("canceled");
        assertThat(out.path("stream")).extracting(JsonNode::asText)
                .containsExactly("{\"i\":0}", "{\"i\":1}", "{\"i\":2}");
        assertThat(out.path("webhook").path("valid").asBoolean()).isTrue();
        assertThat(out.path("webhook").path("status").asText()).isEqualTo("succeeded");
        assertThat(out.path("fileInput").path("sha256").asText()).isEqualTo(HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest("a file from the client".getBytes(StandardCharsets.UTF_8))));
        assertThat(out.path("fileOutput").path("status").asInt()).isEqualTo(200);
        assertThat(out.path("fileOutput").path("text").asText()).isEqualTo("a file from the function");
    }
}
