package dev.hearth.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.server.HearthServer;
import dev.hearth.server.ServerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the client reads from a real control plane on two (declared) H100s: the shapes {@link HearthTest}'s scripted
 * answers copy, and two GPU workers running at once, each on a GPU of its own.
 */
class RealServerShapesTest {

    @TempDir
    static Path dir;

    private static HearthServer server;
    private static Hearth hearth;

    @BeforeAll
    static void start() throws IOException {
        server = HearthServer.start(ServerConfig.builder().host("127.0.0.1").port(0).dataDir(dir.resolve("data"))
                .gpus("H100:2").apiKey("sdk-key").workerGrace(Duration.ofSeconds(5))
                .pingInterval(Duration.ofMillis(500)).build());
        hearth = Hearth.connect(server.url(), "sdk-key");
        // holds its GPU until input.release exists, then says which GPU it was given
        Path fn = Files.createDirectories(dir.resolve("two-gpus"));
        Files.writeString(fn.resolve("handler.py"), """
                import os
                import time


                def handler(job):
                    while not os.path.exists(job["input"]["release"]):
                        time.sleep(0.05)
                    return {"cuda_visible_devices": os.environ.get("CUDA_VISIBLE_DEVICES")}
                """);
        Files.writeString(fn.resolve("hearth.yaml"), """
                name: two-gpus
                handler: handler.py:handler
                gpu: {type: [H100, A100], count: 1}
                scaling:
                  maxWorkers: 2
                  idleTimeout: 10s
                  concurrency: 1
                """);
        hearth.deploy(fn.resolve("hearth.yaml"));
    }

    @AfterAll
    static void stop() {
        hearth.close();
        server.close();
    }

    @Test
    void aFunctionsGpuRequestComesAsText() {
        FunctionInfo fn = hearth.functions().stream().filter(f -> f.name().equals("two-gpus")).findFirst()
                .orElseThrow();

        assertThat(fn.gpu()).isEqualTo("1x H100|A100");
    }

    @Test
    void twoWorkersRunningAtOnceHoldDistinctGpus() throws IOException {
        Path release = dir.resolve("release");
        Fn fn = hearth.function("two-gpus");
        JobHandle first = fn.spawn(Map.of("release", release.toString()));
        JobHandle second = fn.spawn(Map.of("release", release.toString()));
        await().atMost(Duration.ofSeconds(60)).until(() -> first.status().status() == JobState.IN_PROGRESS
                && second.status().status() == JobState.IN_PROGRESS);

        List<WorkerInfo> workers = hearth.workers("two-gpus");

        assertThat(workers).hasSize(2);
        assertThat(workers).flatExtracting(WorkerInfo::gpus).containsExactlyInAnyOrder("H100:0", "H100:1");
        Files.writeString(release, "");
        JsonNode a = first.get(Duration.ofSeconds(60));
        JsonNode b = second.get(Duration.ofSeconds(60));
        assertThat(List.of(a.get("cuda_visible_devices").asText(), b.get("cuda_visible_devices").asText()))
                .containsExactlyInAnyOrder("0", "1");
    }
}
