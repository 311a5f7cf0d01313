package dev.hearth.functions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The manifest's cold-start keys: {@code setup} and {@code scaling.preinit}. */
class ColdStartManifestTest {

    @Test
    void setupNamesAFunctionInTheBundle() {
        FunctionManifest m = ManifestParser.parse("name: a\nhandler: h.py:f\nsetup: models/load.py:load\n");

        assertThat(m.setup()).isEqualTo("models/load.py:load");
    }

    @Test
    void withoutSetupTheWorkerLooksForTheModulesOwn() {
        assertThat(ManifestParser.parse("name: a\nhandler: h.py:f\n").setup()).isNull();
    }

    @Test
    void setupMustLookLikeAFileAndAFunction() {
        assertThatThrownBy(() -> ManifestParser.parse("name: a\nhandler: h.py:f\nsetup: load\n"))
                .isInstanceOf(ManifestException.class).hasMessageContaining("'setup' must look like file.py:function");
    }

    @Test
    void setupIsForThePythonRuntime() {
        assertThatThrownBy(() -> ManifestParser.parse("name: a\nruntime: command\ncommand: [./run]\nsetup: h.py:f\n"))
                .isInstanceOf(ManifestException.class).hasMessageContaining("'setup' is for runtime 'python'");
    }

    @Test
    void preinitIsReadForAGpuFunctionAndKeptByLiveUpdates() {
        ScalingConfig s = ManifestParser.parse("name: a\nhandler: h.py:f\ngpu: H100\nscaling: {preinit: 2}\n")
                .scaling();

        assertThat(s.preinit()).isEqualTo(2);
        assertThat(s.with(new ScalingUpdate(1, null, null, null, null, null, null)).preinit()).isEqualTo(2);
    }

    @Test
    void preinitNeedsAGpuFunction() {
        assertThatThrownBy(() -> ManifestParser.parse("name: a\nhandler: h.py:f\nscaling: {preinit: 1}\n"))
                .isInstanceOf(ManifestException.class).hasMessageContaining("'scaling.preinit'")
                .hasMessageContaining("no 'gpu'");
    }

    @Test
    void preinitCannotBeNegative() {
        assertThatThrownBy(() -> ManifestParser.parse("name: a\nhandler: h.py:f\ngpu: H100\nscaling: {preinit: -1}\n"))
                .isInstanceOf(ManifestException.class).hasMessageContaining("scaling.preinit");
    }
}
