package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GPU utilization gauges when the inventory comes from nvidia-smi. The machine running the tests may have no GPU, so
 * the server runs as its own process with an executable named nvidia-smi first on its PATH, answering like the real
 * one.
 */
class GpuMetricsTest {

    @TempDir
    Path dir;

    @Test
    void utilizationAndMemoryOfEachGpuAreGaugedFromNvidiaSmi() throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path smi = bin.resolve("nvidia-smi");
        Files.writeString(smi, """
                #!/bin/sh
                case "$1" in
                  --query-gpu=index,name,*) printf '0, NVIDIA H100 80GB HBM3, 81559, GPU-a\\n1, NVIDIA H100 80GB HBM3, 81559, GPU-b\\n';;
                  --query-gpu=index,utilization.gpu,*) printf '0, 87, 40213\\n1, [N/A], 3\\n';;
                esac
                """);
        Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwxr-xr-x"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                ServerProcess.class.getName(), dir.resolve("data").toString(), "0", "detect"))
                .redirectErrorStream(true);
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        Process p = pb.start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("READY")) {
                // start-up log
            }
            assertThat(line).as("server started").startsWith("READY");
            Thread.ofVirtual().start(() -> out.lines().forEach(l -> { }));
            URI url = URI.create(line.substring("READY ".length()));
            HttpClient http = HttpClient.newHttpClient();

            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                String text = http.send(HttpRequest.newBuilder(url.resolve("/metrics"))
                        .header("Authorization", "Bearer " + TestServer.KEY).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                var m = PrometheusText.parse(text);
                assertThat(m).containsKeys("hearth_gpu_utilization_percent", "hearth_gpu_memory_used_bytes");
                assertThat(m.get("hearth_gpu_utilization_percent").value("hearth_gpu_utilization_percent",
                        Map.of("gpu", "0", "node", "local"))).isEqualTo(87);
                assertThat(m.get("hearth_gpu_memory_used_bytes").value("hearth_gpu_memory_used_bytes",
                        Map.of("gpu", "1"))).isEqualTo(3.0 * 1024 * 1024);
                // GPU 1 reports no utilization: no made-up value
                assertThat(m.get("hearth_gpu_utilization_percent").samples()).hasSize(1);
            });
        } finally {
            p.destroy();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
