package dev.hearth.functions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ByteSizeTest {

    @Test
    void unitsWithOrWithoutAFinalB() {
        assertThat(ByteSize.parse("512Mi")).isEqualTo(512L << 20);
        assertThat(ByteSize.parse("100MiB")).isEqualTo(100L << 20);
        assertThat(ByteSize.parse("1GiB")).isEqualTo(1L << 30);
        assertThat(ByteSize.parse("5MB")).isEqualTo(5_000_000L);
        assertThat(ByteSize.parse("4096")).isEqualTo(4096L);
    }

    @Test
    void aWellFormedSizeBeyondALongIsAnArithmeticErrorNotAFormatOne() {
        assertThatThrownBy(() -> ByteSize.parse("999999999999Ti")).isInstanceOf(ArithmeticException.class);
        assertThatThrownBy(() -> ByteSize.parse("99999999999999999999999")).isInstanceOf(ArithmeticException.class);
        assertThatThrownBy(() -> ByteSize.parse("lots")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("512Mi");
    }
}
