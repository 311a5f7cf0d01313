package dev.hearth.runtime.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GpuInventoriesTest {

    @Test
    void fromFlagUsesTheSpecWhenGiven() {
        assertThat(GpuInventories.fromFlag("H100:2", "n").gpus()).hasSize(2);
        assertThat(GpuInventories.fromFlag("none", "n").gpus()).isEmpty();
    }
}
