package dev.hearth.functions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestParserTest {

    @Test
    void aMinimalPythonManifestGetsTheDefaults() {
        FunctionManifest m = ManifestParser.parse("name: echo\nhandler: handler.py:handler\n");

        assertThat(m.runtime()).isEqualTo(Runtime.PYTHON);
        assertThat(m.gpu()).isNull();
        assertThat(m.scaling()).isEqualTo(new ScalingConfig(0, 3, Duration.ofSeconds(60), 1));
        assertThat(m.timeout()).isEqualTo(Duration.ofSeconds(600));
        assertThat(m.retries()).isZero();
    }

    @Test
    void everyFieldIsRead() {
        FunctionManifest m = ManifestParser.parse("""
                name: sd-xl
                runtime: command
                command: [python3, worker.py, --fast]
                env: {MODEL: sdxl, STEPS: 30}
                gpu: {type: [H100, A100-80GB], count: 2}
                cpu: 4
                memory: 16Gi
                scaling: {minWorkers: 1, maxWorkers: 8, idleTimeout: 30s, concurrency: 2}
                timeout: 5m
                startupTimeout: 90s
                retries: 2
                """);

        assertThat(m.command()).containsExactly("python3", "worker.py", "--fast");
        assertThat(m.env()).containsEntry("STEPS", "30");
        assertThat(m.gpu()).isEqualTo(new GpuRequest(List.of("H100", "A100-80GB"), 2));
        assertThat(m.memoryBytes()).isEqualTo(16L << 30);
        assertThat(m.scaling()).isEqualTo(new ScalingConfig(1, 8, Duration.ofSeconds(30), 2));
        assertThat(m.timeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(m.startupTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(m.retries()).isEqualTo(2);
    }

    @Test
    void secretsAreNamesOfStoredSecretsNeverValues() {
        assertThat(ManifestParser.parse("name: a\nhandler: h.py:f\n").secrets()).isEmpty();
        assertThat(ManifestParser.parse("name: a\nhandler: h.py:f\nsecrets: [hf-token, aws, hf-token]\n").secrets())
                .containsExactly("hf-token", "aws");
        assertThatThrownBy(() -> ManifestParser.parse("name: a\nhandler: h.py:f\nsecrets: {HF_TOKEN: hf_x}\n"))
                .isInstanceOf(ManifestException.class).hasMessageContaining("'secrets' must be a list of secret names");
        assertThatThrownBy(() -> ManifestParser.parse("name: a\nhandler: h.py:f\nsecrets: [HF_TOKEN=x]\n"))
                .hasMessageContaining("'secrets' must list secret names");
    }

    @Test
    void imageNamesTheWorkersContainerImageOrIsAbsent() {
        assertThat(ManifestParser.parse("name: a\nhandler: h.py:f\n").image()).isNull();
        assertThat(ManifestParser.parse("name: a\nhandler: h.py:f\nimage: registry.example:5000/team/llm:1.2\n")
                .image()).isEqualTo("registry.example:5000/team/llm:1.2");
        assertThat(ManifestParser.parse("name: a\nhandler: h.py:f\nimage: python@sha256:abc123\n").image())
                .isEqualTo("python@sha256:abc123");
        assertThatThrownBy(() -> ManifestParser.parse("name: a\nhandler: h.py:f\nimage: \"python 3\"\n"))
                .isInstanceOf(ManifestException.class).hasMessageContaining("'image' must be a container image");
        assertThatThrownBy(() -> ManifestParser.parse("name: a\nhandler: h.py:f\nimage: [python]\n"))
                .hasMessageContaining("'image' must be a container image");
    }

    @Test
    void aGpuCanBeAPlainTypeOrAFallbackList() {
        assertThat(ManifestParser.parse("name: a\nhandler: h.py:f\ngpu: H100\n").gpu().types()).containsExactly("H100");
        assertThat(ManifestParser.parse("name: a\nhandler: h.py:f\ngpu: [H100!, L4]\n").gpu().types())
                .containsExactly("H100!", "L4");
    }

    @Test
    void unknownKeysAreErrorsThatNameTheField() {
        assertThatThrownBy(() -> ManifestParser.parse("name: a\nhandler: h.py:f\ngpus: H100\n"))
                .isInstanceOf(ManifestException.class).hasMessageContaining("unknown field 'gpus'");
        assertThatThrownBy(() -> ManifestParser.parse("name: a\nhandler: h.py:f\nscaling: {maxWorker: 2}\n"))
                .hasMessageContaining("'scaling.maxWorker'");
    }

    @Test
    void badValuesAreErrorsThatSayWhatToWrite() {
        assertThatThrownBy(() -> ManifestParser.parse("name: Echo_1\nhandler: h.py:f\n"))
                .hasMessageContaining("'name' must be lowercase");
        assertThatThrownBy(() -> ManifestParser.parse("name: a\nhandler: h.py\n"))
                .hasMessageContaining("file.py:function");
        assertThatThrownBy(() -> ManifestParser.parse("name: a\nhandler: h.py:f\ntimeout: soon\n"))
                .hasMessageContaining("'timeout'").hasMessageContaining("30s");
        assertThatThrownBy(() -> ManifestParser.parse("name: a\nhandler: h.py:f\nscaling: {minWorkers: 4, maxWorkers: 2}\n"))
                .hasMessageContaining("maxWorkers");
        assertThatThrownBy(() -> ManifestParser.parse("name: a\nhandler: h.py:f\ngpu: {type: H100, count: 0}\n"))
                .hasMessageContaining("'gpu.count'");
        assertThatThrownBy(() -> ManifestParser.parse("name: a\n")).hasMessageContaining("'handler");
        assertThatThrownBy(() -> ManifestParser.parse("name: [a\n")).hasMessageContaining("not valid YAML");
    }

    @Test
    void priorityIsAWeightFromOneToAHundredAndDefaultsToTen() {
        assertThat(ManifestParser.parse("name: a\nhandler: h.py:f\n").priority()).isEqualTo(10);
        assertThat(ManifestParser.parse("name: a\nhandler: h.py:f\npriority: 100\n").priority()).isEqualTo(100);
        assertThatThrownBy(() -> ManifestParser.parse("name: a\nhandler: h.py:f\npriority: 0\n"))
                .hasMessageContaining("'priority' must be a whole number from 1 to 100");
    }

    @Test
    void durationsAreReadAsUsersWriteThem() {
        assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(Durations.parse("45")).isEqualTo(Duration.ofSeconds(45));
        assertThat(Durations.format(Duration.ofSeconds(90))).isEqualTo("1m30s");
    }
}
