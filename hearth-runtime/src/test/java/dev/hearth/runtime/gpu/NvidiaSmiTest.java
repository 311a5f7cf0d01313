package dev.hearth.runtime.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.placement.Gpu;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NvidiaSmiTest {

    @TempDir
    Path tmp;

    @Test
    void parsesAnH100Node() {
        String output = """
                0, NVIDIA H100 80GB HBM3, 81559, GPU-5f2c9a0e-0d3b-7c1a-9d1e-2b8f3a4c5d6e
                1, NVIDIA H100 80GB HBM3, 81559, GPU-6a3d0b1f-1e4c-8d2b-ae2f-3c9a4b5d6e7f
                """;

        assertThat(NvidiaSmiInventory.parse(output, "gpu-1")).containsExactly(
                new Gpu("gpu-1", 0, "H100", 81559),
                new Gpu("gpu-1", 1, "H100", 81559));
    }

    @Test
    void parsesMixedCardsAndSkipsNoise() {
        String output = "0, NVIDIA A100-SXM4-40GB, 40960, GPU-a\r\n"
                + "\n"
                + "No devices were found\n"
                + "1, Tesla T4, [N/A], GPU-b\n"
                + "2, NVIDIA GeForce RTX 4090, 24564, GPU-c\n";

        assertThat(NvidiaSmiInventory.parse(output, "n")).containsExactly(
                new Gpu("n", 0, "A100", 40960),
                new Gpu("n", 1, "T4", 0),
                new Gpu("n", 2, "RTX4090", 24564));
        assertThat(NvidiaSmiInventory.parse("", "n")).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            NVIDIA H100 80GB HBM3   | H100
            NVIDIA H100 PCIe        | H100
            NVIDIA A100-SXM4-80GB   | A100-80GB
            NVIDIA A100 80GB PCIe   | A100-80GB
            NVIDIA A100-SXM4-40GB   | A100
            NVIDIA A100-PCIE-40GB   | A100
            NVIDIA L4               | L4
            NVIDIA L40S             | L40S
            Tesla T4                | T4
            Tesla V100-SXM2-16GB    | V100
            NVIDIA A10G             | A10G
            NVIDIA H200             | H200
            RTX 4090                | RTX4090
            GeForce RTX 4090        | RTX4090
            NVIDIA GeForce RTX 4090 | RTX4090
            NVIDIA RTX A6000        | RTXA6000
            Quadro RTX 8000         | QuadroRTX8000
            """)
    void normalizesMarketingNamesToWhatUsersWrite(String name, String type) {
        assertThat(NvidiaSmiInventory.normalizeType(name)).isEqualTo(type);
    }

    @Test
    void parsesUtilization() {
        String output = "0, 87, 40213\n1, 0, 3\n2, [N/A], [N/A]\nbogus\n";

        assertThat(GpuUtilization.parse(output)).containsExactly(
                new GpuUtilization(0, 87, 40213),
                new GpuUtilization(1, 0, 3),
                new GpuUtilization(2, -1, -1));
    }

    @Test
    void missingNvidiaSmiMeansNoGpusAndNoUtilization() {
        String missing = tmp.resolve("no-nvidia-smi").toString();

        assertThat(NvidiaSmiInventory.detect("n", missing, Duration.ofSeconds(5)).gpus()).isEmpty();
        assertThat(GpuUtilization.sample(missing, Duration.ofSeconds(5))).isEmpty();
    }

    @Test
    void runsTheRealCommandAndParsesItsOutput() throws IOException {
        Path fake = fakeNvidiaSmi("""
                case "$1" in
                  --query-gpu=index,name,*) echo '0, NVIDIA L4, 23034, GPU-x';;
                  --query-gpu=index,utilization.gpu,*) echo '0, 42, 1000';;
                esac
                """);

        assertThat(NvidiaSmiInventory.detect("n", fake.toString(), Duration.ofSeconds(5)).gpus())
                .containsExactly(new Gpu("n", 0, "L4", 23034));
        assertThat(GpuUtilization.sample(fake.toString(), Duration.ofSeconds(5)))
                .containsExactly(new GpuUtilization(0, 42, 1000));
    }

    @Test
    void aFailingOrHangingNvidiaSmiMeansNoGpus() throws IOException {
        Path failing = fakeNvidiaSmi("echo 'NVIDIA-SMI has failed because it could not communicate' >&2; exit 9\n");
        Path hanging = fakeNvidiaSmi("exec sleep 60\n");

        assertThat(NvidiaSmiInventory.detect("n", failing.toString(), Duration.ofSeconds(5)).gpus()).isEmpty();
        assertThat(NvidiaSmiInventory.detect("n", hanging.toString(), Duration.ofMillis(200)).gpus()).isEmpty();
    }

    private Path fakeNvidiaSmi(String body) throws IOException {
        Path script = Files.createTempFile(tmp, "nvidia-smi", ".sh");
        Files.writeString(script, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }
}
