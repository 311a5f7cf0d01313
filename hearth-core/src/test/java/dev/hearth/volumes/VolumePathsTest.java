package dev.hearth.volumes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.errors.HearthException;
import org.junit.jupiter.api.Test;

class VolumePathsTest {

    @Test
    void aFilePathIsRelativeToTheVolumeWhateverItsSlashes() {
        assertThat(VolumePaths.file("/weights/model.bin")).isEqualTo("weights/model.bin");
        assertThat(VolumePaths.file("weights/")).isEqualTo("weights");
    }

    @Test
    void pathsThatCouldLeaveTheVolumeAreBadRequestsNamingThePath() {
        for (String bad : new String[] {"../etc/passwd", "a/../../b", "a//b", "./a", "a\\..\\b", "a\0b", "/"}) {
            assertThatThrownBy(() -> VolumePaths.file(bad)).as(bad).isInstanceOf(HearthException.BadRequest.class)
                    .hasMessageContaining("path '" + bad + "'");
        }
    }

    @Test
    void namesAreLowercaseDnsLabelsAndBecomeEnvironmentVariables() {
        assertThat(VolumePaths.isName("hf-cache")).isTrue();
        assertThat(VolumePaths.isName("Weights")).isFalse();
        assertThat(VolumePaths.isName("..")).isFalse();
        assertThat(VolumePaths.isName("-a")).isFalse();
        assertThatThrownBy(() -> VolumePaths.name("a_b")).hasMessageContaining("got 'a_b'");
        assertThat(VolumePaths.environmentVariable("hf-cache")).isEqualTo("HEARTH_VOLUME_HF_CACHE");
    }
}
