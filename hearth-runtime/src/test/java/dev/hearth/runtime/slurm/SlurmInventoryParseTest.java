package dev.hearth.runtime.slurm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.placement.ConfiguredGpuInventory;
import dev.hearth.placement.Gpu;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The inventory's reading of {@code sinfo --json} and {@code squeue --json} as Slurm 22.05 prints them. */
class SlurmInventoryParseTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OURS = "hearth:cp1:";

    private final SlurmInventory inventory = new SlurmInventory("gpu", OURS);

    private static JsonNode sinfo(String... nodes) throws Exception {
        return JSON.readTree("{\"nodes\": [" + String.join(",", nodes) + "]}");
    }

    private static String node(String name, String gres, String gresUsed) {
        return "{\"name\": \"" + name + "\", \"state\": \"idle\", \"state_flags\": [], \"partitions\": [\"gpu\"],"
                + " \"gres\": \"" + gres + "\", \"gres_used\": \"" + gresUsed + "\", \"reason\": \"\"}";
    }

    private static JsonNode squeue(String... jobs) throws Exception {
        return JSON.readTree("{\"jobs\": [" + String.join(",", jobs) + "]}");
    }

    private static String job(String comment, String state, String node, String gresDetail) {
        return "{\"job_id\": 7, \"comment\": \"" + comment + "\", \"job_state\": \"" + state + "\", \"nodes\": \""
                + node + "\", \"gres_detail\": [" + (gresDetail == null ? "" : "\"" + gresDetail + "\"") + "]}";
    }

    @Test
    void aNodeThatAppearsInSinfoLaterJoinsTheInventoryAndOneThatLeavesIsGone() throws Exception {
        inventory.apply(sinfo(node("n1", "gpu:h100:2", "gpu:h100:0(IDX:N/A)")), squeue());
        assertThat(inventory.nodes()).containsExactly("n1");

        inventory.apply(sinfo(node("n1", "gpu:h100:2", "gpu:h100:0(IDX:N/A)"),
                node("n4", "gpu:l40s:1(S:0)", "gpu:l40s:0(IDX:N/A)")), squeue());

        assertThat(inventory.nodes()).containsExactly("n1", "n4");
        assertThat(inventory.gpus()).contains(new Gpu("n4", 0, "L40S", ConfiguredGpuInventory.memoryMiB("L40S")))
                .extracting(Gpu::node).containsExactly("n1", "n1", "n4");
        assertThat(inventory.slurmType("L40S")).isEqualTo("l40s");

        inventory.apply(sinfo(node("n4", "gpu:l40s:1", "gpu:l40s:0(IDX:N/A)")), squeue());

        assertThat(inventory.nodes()).containsExactly("n4");
        assertThat(inventory.gpus()).extracting(Gpu::node).containsExactly("n4");
    }

    @Test
    void gpusInUseByJobsThatAreNotThisControlPlanesAreHeldElsewhere() throws Exception {
        inventory.apply(sinfo(node("n1", "gpu:h100:4", "gpu:h100:3(IDX:0,2-3),mps:0"),
                        node("n3", "gpu:l4:1", "gpu:l4:1(IDX:0)")),
                squeue(job(OURS + "fn:1", "RUNNING", "n1", "gpu:h100:2(IDX:0-1)"),
                        job("", "RUNNING", "n1", "gpu:h100:1(IDX:3)"),
                        job("hearth:other-control-plane:fn:1", "RUNNING", "n3", "gpu:l4:1(IDX:0)"),
                        job(OURS + "fn:1", "PENDING", "", null)));

        assertThat(inventory.foreign()).isEqualTo(Map.of("n1", Map.of("H100", 1), "n3", Map.of("L4", 1)));
        // our two workers hold n1's GPUs 0 and 1 in Hearth's books: the other job's one is one of the rest
        Gpu h0 = inventory.gpus().get(0);
        Gpu h1 = inventory.gpus().get(1);
        Set<Gpu> elsewhere = inventory.heldElsewhere(Set.of(h0, h1));
        assertThat(elsewhere).hasSize(2).doesNotContain(h0, h1)
                .anyMatch(g -> g.node().equals("n1")).anyMatch(g -> g.node().equals("n3"));
    }

    @Test
    void withoutAWayToTellItsOwnJobsTheInventoryHoldsNothingElsewhere() throws Exception {
        SlurmInventory blind = new SlurmInventory("gpu", null);
        blind.apply(sinfo(node("n3", "gpu:l4:1", "gpu:l4:1(IDX:0)")), null);

        assertThat(blind.heldElsewhere(Set.of())).isEmpty();
    }
}
