package dev.hearth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ByteSizesTest {

    @Test
    void binaryAndDecimalUnitsAndPlainBytes() {
        assertThat(ByteSizes.parse("100MiB")).isEqualTo(100L << 20);
        assertThat(ByteSizes.parse("1GiB")).isEqualTo(1L << 30);
        assertThat(ByteSizes.parse("512Mi")).isEqualTo(512L << 20);
        assertThat(ByteSizes.parse("5MB")).isEqualTo(5_000_000L);
        assertThat(ByteSizes.parse("4096")).isEqualTo(4096L);
    }

    @Test
    void nonsenseAndOverflowSayWhatIsAccepted() {
        assertThatThrownBy(() -> ByteSizes.parse("lots")).hasMessageContaining("100MiB");
        assertThatThrownBy(() -> ByteSizes.parse("10XB")).hasMessageContaining("not a size");
        assertThatThrownBy(() -> ByteSizes.parse("999999999999999TiB")).hasMessageContaining("too large");
    }
}
