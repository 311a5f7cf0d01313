package dev.hearth.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the client reads from a real control plane on two (declared) H100s: the shapes {@link HearthTest}'s scripted
 * answers copy, and two GPU workers running at once, each on a GPU of its own.
 */
class RealServerShapesTest {

    @TempDir
    static Path dir;

    @RegisterExtension
    static final ControlPlane plane = ControlPlane.onGpus("H100:2");

    private static Hearth hearth;

    @BeforeAll
    static void start() throws IOException {
        hearth = plane.hearth();
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


    @Test
    void aFunctionsGpuRequestComesAsText() {
        FunctionInfo fn = hearth.functions().stream().filter(f -> f.name().equals("two-gpus")).findFirst()
                .orElseThrow();

        assertThat(fn.gpu()).isEqualTo("1x H100|A100");
    }

    @Test
    void twoWorkersRunningAtOnceHoldDistinctGpus() throws IOException {
        Path release = plane.shared().resolve("release"); // where the sandboxed workers can see it
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
