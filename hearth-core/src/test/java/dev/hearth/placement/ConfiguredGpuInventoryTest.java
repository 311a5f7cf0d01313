package dev.hearth.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class ConfiguredGpuInventoryTest {

    @Test
    void numbersGpusInOrderAcrossTypes() {
        var inventory = ConfiguredGpuInventory.parse("H100:4,A100:2", "node-a");

        assertThat(inventory.gpus()).containsExactly(
                new Gpu("node-a", 0, "H100", 81559),
                new Gpu("node-a", 1, "H100", 81559),
                new Gpu("node-a", 2, "H100", 81559),
                new Gpu("node-a", 3, "H100", 81559),
                new Gpu("node-a", 4, "A100", 81920),
                new Gpu("node-a", 5, "A100", 81920));
    }

    @Test
    void severalNodesAreSemicolonSeparatedAndIndicesCountOnAcrossThem() {
        var inventory = ConfiguredGpuInventory.parse("node-a=H100:2; node-b=H100,A100:1", "local");

        assertThat(inventory.gpus()).containsExactly(
                new Gpu("node-a", 0, "H100", 81559),
                new Gpu("node-a", 1, "H100", 81559),
                new Gpu("node-b", 2, "H100", 81559),
                new Gpu("node-b", 3, "A100", 81920));
        assertThatThrownBy(() -> ConfiguredGpuInventory.parse("node-a=H100;H100:2", "n"))
                .hasMessageStartingWith("bad --gpus entry 'H100:2': expected NODE=TYPE:COUNT");
        assertThatThrownBy(() -> ConfiguredGpuInventory.parse("a=H100;a=L4", "n"))
                .hasMessage("bad --gpus entry 'a=L4': node 'a' is declared twice");
    }

    @Test
    void aTypeAloneIsOneGpuAndUnknownTypesHaveNoKnownMemory() {
        assertThat(ConfiguredGpuInventory.parse(" l4 , T4:2, MI300X ", "n").gpus()).containsExactly(
                new Gpu("n", 0, "L4", 23034),
                new Gpu("n", 1, "T4", 15360),
                new Gpu("n", 2, "T4", 15360),
                new Gpu("n", 3, "MI300X", 0));
        assertThat(ConfiguredGpuInventory.parse("A10G", "n").gpus())
                .containsExactly(new Gpu("n", 0, "A10G", 23028));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"none", " NONE ", "  "})
    void noneOrEmptyMeansNoGpus(String spec) {
        assertThat(ConfiguredGpuInventory.parse(spec, "n").gpus()).isEmpty();
    }

    @Test
    void rejectsMalformedEntriesNamingThem() {
        assertThatThrownBy(() -> ConfiguredGpuInventory.parse("H100:x", "n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bad --gpus entry 'H100:x': expected TYPE or TYPE:COUNT, e.g. H100:4,A100:2");
        assertThatThrownBy(() -> ConfiguredGpuInventory.parse("H100:4,,A100", "n"))
                .hasMessage("bad --gpus entry '': expected TYPE or TYPE:COUNT, e.g. H100:4,A100:2");
        assertThatThrownBy(() -> ConfiguredGpuInventory.parse("H100:4:2", "n"))
                .hasMessageStartingWith("bad --gpus entry 'H100:4:2': expected TYPE or TYPE:COUNT");
        assertThatThrownBy(() -> ConfiguredGpuInventory.parse(":4", "n"))
                .hasMessageStartingWith("bad --gpus entry ':4'");
        assertThatThrownBy(() -> ConfiguredGpuInventory.parse("H100:-1", "n"))
                .hasMessageStartingWith("bad --gpus entry 'H100:-1'");
        assertThatThrownBy(() -> ConfiguredGpuInventory.parse("H100:0", "n"))
                .hasMessage("bad --gpus entry 'H100:0': COUNT must be between 1 and 1024");
        assertThatThrownBy(() -> ConfiguredGpuInventory.parse("none,H100", "n"))
                .hasMessage("bad --gpus entry 'none': 'none' cannot be combined with GPU types");
    }
}
