package dev.hearth.functions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.placement.BestFitPlacement;
import dev.hearth.placement.Gpu;
import java.util.List;
import org.junit.jupiter.api.Test;

class CogManifestTest {

    private static FunctionManifest read(String cog, String hearth, String name) {
        return ManifestParser.parse(CogManifest.hearthYaml(cog, hearth, name));
    }

    @Test
    void aCogYamlIsThePythonFunctionItDescribes() {
        FunctionManifest m = read("""
                build:
                  gpu: true
                  python_version: "3.11"
                  python_packages: ["numpy==1.26.4", "pillow"]
                  system_packages: [ffmpeg]
                  run: ["echo hi"]
                predict: "predict.py:Predictor"
                concurrency: {max: 4}
                environment: [MODEL=sdxl, "EMPTY="]
                """, null, "sdxl");

        assertThat(m.name()).isEqualTo("sdxl");
        assertThat(m.runtime()).isEqualTo(Runtime.PYTHON);
        assertThat(m.handler()).isEqualTo("predict.py:Predictor");
        assertThat(m.python().requirements()).containsExactly("numpy==1.26.4", "pillow");
        assertThat(m.gpu()).isEqualTo(new GpuRequest(List.of(GpuRequest.ANY), 1));
        assertThat(m.scaling().concurrency()).isEqualTo(4);
        assertThat(m.env()).containsEntry("MODEL", "sdxl").containsEntry("EMPTY", "");
    }

    @Test
    void gpuTrueTakesAGpuOfAnyType() {
        GpuRequest any = read("build: {gpu: true}\npredict: predict.py:Predictor\n", null, "m").gpu();

        assertThat(BestFitPlacement.accepts(any, new Gpu("local", 0, "A100-80GB", 81920))).isTrue();
        assertThat(BestFitPlacement.accepts(any, new Gpu("local", 1, "L4", 24576))).isTrue();
    }

    @Test
    void aRequirementsFileGoesToTheEnvironmentBuilderAsAFile() {
        FunctionManifest m = read("build: {python_requirements: requirements.txt}\npredict: predict.py:Predictor\n",
                null, "m");

        assertThat(m.python().requirementsFile()).isEqualTo("requirements.txt");
        assertThat(m.gpu()).isNull();
    }

    @Test
    void theNameComesFromTheDeployThenTheImage() {
        assertThat(read("predict: predict.py:Predictor\nimage: r8.im/acme/My_Model:v2\n", null, null).name())
                .isEqualTo("my-model");
        assertThat(read("predict: predict.py:Predictor\nimage: r8.im/acme/my-model\n", null, "given").name())
                .isEqualTo("given");
        assertThatThrownBy(() -> CogManifest.hearthYaml("predict: predict.py:Predictor\n", null, null))
                .isInstanceOf(ManifestException.class).hasMessageContaining("needs a function name");
    }

    @Test
    void aHearthYamlBesideItOverridesItKeyByKey() {
        FunctionManifest m = read("build: {gpu: true}\npredict: predict.py:Predictor\nconcurrency: {max: 2}\n",
                "name: chosen\ngpu: [H100, A100]\nscaling: {maxWorkers: 7}\n", "dir-name");

        assertThat(m.name()).isEqualTo("chosen");
        assertThat(m.gpu().types()).containsExactly("H100", "A100");
        assertThat(m.scaling().maxWorkers()).isEqualTo(7);
        assertThat(m.scaling().concurrency()).isEqualTo(2);
        assertThat(m.handler()).isEqualTo("predict.py:Predictor");
    }

    @Test
    void aMistakeNamesTheCogYamlField() {
        assertThatThrownBy(() -> CogManifest.hearthYaml("build: {gpu: yes-please}\npredict: p.py:P\n", null, "m"))
                .hasMessageContaining("cog.yaml: 'build.gpu' must be true or false");
        assertThatThrownBy(() -> CogManifest.hearthYaml("build: {python_packagez: []}\npredict: p.py:P\n", null, "m"))
                .hasMessageContaining("cog.yaml: unknown field 'build.python_packagez'");
        assertThatThrownBy(() -> CogManifest.hearthYaml("train: train.py:train\n", null, "m"))
                .hasMessageContaining("cog.yaml: 'predict' is required");
        assertThatThrownBy(() -> read("predict: predict.py\n", null, "m"))
                .hasMessageContaining("'handler' must look like file.py:function");
    }
}
