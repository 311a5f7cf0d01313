package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.runtime.slurm.SlurmCli;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Nodes that join or leave the Slurm partition Hearth serves join or leave Hearth's nodes while it runs, as Slurm
 * reports them. The test cluster of {@link SlurmRuntimeTest} cannot grow (its slurm.conf declares no dynamic nodes),
 * so the changing fact is a partition of the test's own, created with n1 and n2 only, to which n3 is then added and
 * from which it is removed ({@code scontrol update PartitionName=... Nodes=...}): to Hearth it is the same as a
 * machine added to or removed from its cluster.
 */
class SlurmClusterNodesTest {

    private static final String PARTITION = "hearth-nodes-" + UUID.randomUUID().toString().substring(0, 8);

    @RegisterExtension
    final TestServer hearth = TestServer.withFunctions("slurm-l4").onGpus(null)
            .configured(b -> b.slurm(new SlurmSettings(PARTITION, SlurmRuntimeTest.CONF, null)));

    @BeforeAll
    static void aSlurmClusterAnswers() {
        assumeTrue(Files.isRegularFile(SlurmRuntimeTest.CONF) && new SlurmCli(SlurmRuntimeTest.CONF).answers(),
                "no Slurm cluster answers with " + SlurmRuntimeTest.CONF + ": see SlurmRuntimeTest");
        SlurmRuntimeTest.slurm("scontrol", "create", "PartitionName=" + PARTITION, "Nodes=n1,n2", "State=UP");
        assertThat(SlurmRuntimeTest.slurm("sinfo", "-h", "-p", PARTITION, "-o", "%N").strip()).isEqualTo("n[1-2]");
    }

    @AfterAll
    static void removeThePartition() {
        SlurmRuntimeTest.slurm("scancel", "--partition=" + PARTITION);
        SlurmRuntimeTest.slurm("scontrol", "delete", "PartitionName=" + PARTITION);
    }

    @Test
    void aNodeAddedToTheClusterTakesWorkersAndANodeRemovedFromItIsGone() {
        assertThat(nodeNames()).containsExactly("n1", "n2");

        SlurmRuntimeTest.slurm("scontrol", "update", "PartitionName=" + PARTITION, "Nodes=n1,n2,n3");

        await().atMost(Duration.ofSeconds(15)).until(() -> nodeNames().equals(List.of("n1", "n2", "n3")));
        // the L4 exists only on n3: a function that needs it runs there now
        String id = hearth.run("slurm-l4", "{}");
        JsonNode done = hearth.awaitFinal("slurm-l4", id);
        assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("COMPLETED");
        assertThat(done.get("output").get("node").asText()).isEqualTo("n3");
        await().atMost(Duration.ofSeconds(30)).until(() -> hearth.workerCount("slurm-l4") == 0);

        SlurmRuntimeTest.slurm("scontrol", "update", "PartitionName=" + PARTITION, "Nodes=n1,n2");

        await().atMost(Duration.ofSeconds(15)).until(() -> nodeNames().equals(List.of("n1", "n2")));
        assertThat(hearth.post("/v1/nodes/n3/drain", "").status()).isEqualTo(404);
    }

    private List<String> nodeNames() {
        List<String> names = new ArrayList<>();
        hearth.get("/v1/nodes").json().get("nodes").forEach(n -> names.add(n.get("name").asText()));
        return names;
    }
}
