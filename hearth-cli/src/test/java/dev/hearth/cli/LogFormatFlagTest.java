package dev.hearth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.client.Hearth;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hearth serve --log-format json} as its own process: what the server logs comes out as JSON lines. */
class LogFormatFlagTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void serveWithLogFormatJsonWritesEachRecordAsOneJsonObjectNamingItsWorker() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // as hearth.jar runs it: its manifest enables native access (sqlite-jdbc), so the JDK prints no warning
        ProcessBuilder pb = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(), "serve", "--log-format", "json", "--port", "0", "--gpus", "none",
                "--data-dir", dir.resolve("data").toString());
        if (!dev.hearth.runtime.local.Bubblewrap.onHost()) {
            pb.command().add("--unsafe-no-sandbox");
        }
        pb.environment().put("HEARTH_API_KEY", "log-key");
        pb.environment().remove("HEARTH_LOG_FORMAT");
        Process server = pb.start();
        List<String> stderr = new CopyOnWriteArrayList<>();
        Thread.ofVirtual().start(() -> new BufferedReader(new InputStreamReader(server.getErrorStream(),
                StandardCharsets.UTF_8)).lines().forEach(stderr::add));
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(),
                    StandardCharsets.UTF_8));
            String serving = out.readLine();
            assertThat(serving).as("stderr: %s", stderr).startsWith("Hearth serving on ");
            URI url = URI.create(serving.substring("Hearth serving on ".length()).split(" ")[0]);
            Path fn = Files.createDirectories(dir.resolve("quick"));
            Files.writeString(fn.resolve("handler.py"), "def handler(job):\n    return job['input']\n");
            // no idle time: the worker exits right after its job, and the pool logs that exit
            Files.writeString(fn.resolve("hearth.yaml"),
                    "name: quick\nhandler: handler.py:handler\nscaling: {idleTimeout: 0s}\n");
            String worker;
            try (Hearth hearth = Hearth.connect(url, "log-key")) {
                hearth.deploy(fn.resolve("hearth.yaml"));
                worker = hearth.function("quick").runSync(1).workerId();
            }

            await().atMost(Duration.ofSeconds(30)).until(() -> stderr.stream().anyMatch(l -> l.contains("exited")
                    && l.contains(worker)));
            for (String line : stderr) {
                JsonNode record = JSON.readTree(line);
                assertThat(record.has("ts") && record.has("level") && record.has("msg")).as(line).isTrue();
            }
            JsonNode exited = JSON.readTree(stderr.stream().filter(l -> l.contains("exited") && l.contains(worker))
                    .findFirst().orElseThrow());
            assertThat(exited.get("worker").asText()).isEqualTo(worker);
            assertThat(exited.get("function").asText()).isEqualTo("quick");
        } finally {
            server.destroy();
            if (!server.waitFor(30, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor();
            }
        }
    }
}
