package dev.hearth.runtime.slurm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hearth.placement.Gpu;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The inventory read from the real local Slurm cluster of {@code .ci/slurm/slurm-up.sh} (n1: 4 h100, n2: 2 a100,
 * n3: 1 l4), found through {@code HEARTH_TEST_SLURM_CONF} or {@code /tmp/hearth-slurm/slurm.conf}.
 */
class SlurmInventoryTest {

    private static final Path CONF = Path.of(System.getenv().getOrDefault("HEARTH_TEST_SLURM_CONF",
            "/tmp/hearth-slurm/slurm.conf"));
    private final SlurmCli slurm = new SlurmCli(CONF);

    @BeforeEach
    void aSlurmClusterAnswers() {
        assumeTrue(Files.isRegularFile(CONF) && slurm.answers(), "no Slurm cluster answers with " + CONF
                + ": start one with .ci/slurm/slurm-up.sh and set HEARTH_TEST_SLURM_CONF to its slurm.conf");
    }

    @Test
    void eachGpuOfEachNodesGresIsOneGpuIndexedPerNodeWithItsTypeUpperCased() {
        SlurmInventory inventory = new SlurmInventory(slurm, "gpu");

        assertThat(inventory.gpus()).containsExactly(
                new Gpu("n1", 0, "H100", 81559), new Gpu("n1", 1, "H100", 81559), new Gpu("n1", 2, "H100", 81559),
                new Gpu("n1", 3, "H100", 81559), new Gpu("n2", 0, "A100", 81920), new Gpu("n2", 1, "A100", 81920),
                new Gpu("n3", 0, "L4", 23034));
        assertThat(inventory.nodes()).containsExactly("n1", "n2", "n3");
        assertThat(inventory.slurmType("H100")).isEqualTo("h100");
    }

    @Test
    void aNodeDrainedInSlurmIsUnavailableWithSlurmsReason() {
        SlurmInventory inventory = new SlurmInventory(slurm, null);
        assertThat(inventory.unavailable()).isEmpty();

        slurm.run(List.of("scontrol", "update", "NodeName=n3", "State=DRAIN", "Reason=new fans"), null);
        try {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                inventory.refresh();
                assertThat(inventory.unavailable()).containsOnlyKeys("n3");
                assertThat(inventory.unavailable().get("n3")).contains("drain").endsWith(": new fans");
            });
        } finally {
            slurm.run(List.of("scontrol", "update", "NodeName=n3", "State=RESUME"), null);
        }
    }

    @Test
    void aPartitionThatDoesNotExistHasNoGpus() {
        assertThat(new SlurmInventory(slurm, "no-such-partition").gpus()).isEmpty();
    }
}
