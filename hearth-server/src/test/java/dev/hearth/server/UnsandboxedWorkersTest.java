package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What a server does without its sandbox: refuse workers unless told to run them unsandboxed, and then do so. */
class UnsandboxedWorkersTest {

    @Nested
    class WhenBubblewrapIsMissing {

        @RegisterExtension
        final TestServer hearth = TestServer.withFunctions("echo")
                .configured(b -> b.sandbox(TestSandbox.settings().withUnsafeNoSandbox(false)
                        .withBwrap("/no/such/bwrap")));

        @Test
        void theServerSaysSoAtStartAndRunsNoWorkerSayingWhatToDo() {
            assertThat(hearth.workerSandbox()).startsWith("NOT RUNNING: bubblewrap (/no/such/bwrap) is not installed")
                    .contains("apt-get install bubblewrap").contains("--unsafe-no-sandbox");

            String id = hearth.run("echo", "{\"x\":1}");

            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                JsonNode status = hearth.status("echo", id);
                assertThat(status.get("status").asText()).isEqualTo("IN_QUEUE");
                assertThat(status.path("reason").asText()).contains("bubblewrap (/no/such/bwrap) is not installed")
                        .contains("--unsafe-no-sandbox");
            });
            assertThat(hearth.workerCount("echo")).isZero();
        }
    }

    @Nested
    class WithUnsafeNoSandbox {

        @RegisterExtension
        final TestServer hearth = TestServer.withFunctions("echo")
                .configured(b -> b.sandbox(TestSandbox.settings().withUnsafeNoSandbox(true)
                        .withBwrap("/no/such/bwrap")));

        @Test
        void workersRunAndCanReadTheDataDir() throws IOException {
            assertThat(hearth.workerSandbox()).startsWith("UNSANDBOXED (--unsafe-no-sandbox)");
            // the sandbox test's prober, without the volume its manifest asks for
            Path prober = Files.createTempDirectory("prober-unsandboxed");
            Files.copy(TestServer.fixtureDir("prober").resolve("handler.py"), prober.resolve("handler.py"));
            Files.writeString(prober.resolve("hearth.yaml"), "name: prober-unsandboxed\nhandler: handler.py:handler\n"
                    + "scaling: {maxWorkers: 1}\ntimeout: 60s\n");
            assertThat(hearth.deploy(prober, "").status()).isEqualTo(201);

            JsonNode done = hearth.post("/v2/prober-unsandboxed/runsync", "{\"input\":{\"read\":[\""
                    + hearth.dataDir().resolve("secret.key") + "\"]}}").json();

            assertThat(done.get("status").asText()).isEqualTo("COMPLETED");
            assertThat(done.get("output").get("read").elements().next().asText()).startsWith("read:");
        }
    }
}
