package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Workers of any language start from a manifest; workers that cannot start are reported, not restarted hot. */
class WorkerStartupTest {

    @RegisterExtension
    static final TestServer hearth = TestServer.withFunctions()
            // the Java worker runs from the tests' own class path, which a sandboxed worker must be shown
            .configured(b -> b.sandbox(TestSandbox.settingsAlsoShowing(
                    java.util.Arrays.stream(System.getProperty("java.class.path").split(":")).map(Path::of)
                            .map(Path::toAbsolutePath).toList())));

    @Test
    void theWorkerLibraryIsCompiledAtStartSoWorkersDoNotCompileItEachTime() throws Exception {
        Path cache = hearth.dataDir().resolve("runtime/python/hearth_worker/__pycache__");
        try (var files = Files.list(cache)) {
            assertThat(files.map(f -> f.getFileName().toString()))
                    .anyMatch(f -> f.startsWith("worker.") && f.endsWith(".pyc"));
        }
    }

    @Test
    void aJavaWorkerRunsAsACommandFunction() throws Exception {
        Path dir = Files.createTempDirectory("java-echo");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Files.writeString(dir.resolve("hearth.yaml"), "name: java-echo\nruntime: command\ncommand: [" + java
                + ", -cp, '" + System.getProperty("java.class.path") + "', " + JavaEchoWorker.class.getName()
                + "]\nscaling: {idleTimeout: 2s}\n");
        TestServer.Response deployed = hearth.deploy(dir, "");
        assertThat(deployed.status()).isEqualTo(201);

        JsonNode r = hearth.post("/v2/java-echo/runsync", "{\"input\":{\"a\":1}}").json();

        assertThat(r.get("status").asText()).as(r.toString()).isEqualTo("COMPLETED");
        assertThat(r.get("output").get("echo").get("a").asInt()).isEqualTo(1);
        assertThat(r.get("output").get("worker").asText()).isEqualTo("java");
    }
}
