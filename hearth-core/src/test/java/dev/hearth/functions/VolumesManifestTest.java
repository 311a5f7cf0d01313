package dev.hearth.functions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The manifest's {@code volumes}: volume name to the path where the function's workers see it. */
class VolumesManifestTest {

    private static FunctionManifest parse(String extra) {
        return ManifestParser.parse("name: a\nhandler: h.py:f\n" + extra);
    }

    @Test
    void noVolumesByDefault() {
        assertThat(parse("").volumes()).isEmpty();
    }

    @Test
    void relativeAndAbsolutePathsAreReadWithoutTrailingSlashes() {
        assertThat(parse("volumes: {weights: models/, hf-cache: /cache/hf}\n").volumes())
                .isEqualTo(Map.of("weights", "models", "hf-cache", "/cache/hf"));
    }

    @Test
    void aPathThatLeavesTheFunctionsDirectoryIsRefusedNamingIt() {
        assertThatThrownBy(() -> parse("volumes: {weights: ../models}\n"))
                .hasMessageContaining("'volumes.weights'").hasMessageContaining("'../models'")
                .hasMessageContaining("'..'");
        assertThatThrownBy(() -> parse("volumes: {weights: ''}\n")).hasMessageContaining("is empty");
        assertThatThrownBy(() -> parse("volumes: {weights: /}\n")).hasMessageContaining("'volumes.weights'");
    }

    @Test
    void badVolumeNamesAndOverlappingPathsAreRefused() {
        assertThatThrownBy(() -> parse("volumes: {Weights: models}\n"))
                .hasMessageContaining("'volumes.Weights': a volume name is lowercase letters");
        assertThatThrownBy(() -> parse("volumes: {a: models, b: models/b}\n"))
                .hasMessageContaining("'volumes.b' (models/b) and 'volumes.a' (models) overlap");
        assertThatThrownBy(() -> parse("volumes: [weights]\n"))
                .hasMessageContaining("'volumes' must be a mapping");
    }
}
