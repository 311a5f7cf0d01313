package dev.hearth.runtime.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.placement.Gpu;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The GPU inventory read from the nodes of fabric8's mock API server (CRUD mode). */
class KubernetesInventoryTest {

    private final MockCluster cluster = new MockCluster();

    @AfterEach
    void stop() {
        cluster.close();
    }

    @Test
    void eachNodesGpusAreItsAllocatableNvidiaGpusTypedByTheirProductLabel() {
        cluster.gpuNode("gpu-a", 2, "NVIDIA-H100-80GB-HBM3");
        cluster.gpuNode("gpu-b", 1, "Tesla-T4");
        cluster.kube.nodes().resource(new NodeBuilder().withNewMetadata().withName("cpu-1").endMetadata().build())
                .create();

        KubernetesInventory inventory = new KubernetesInventory(cluster.kube);

        assertThat(inventory.gpus()).containsExactlyInAnyOrder(
                new Gpu("gpu-a", 0, "H100-80GB-HBM3", 81559), new Gpu("gpu-a", 1, "H100-80GB-HBM3", 81559),
                new Gpu("gpu-b", 0, "T4", 15360));
        assertThat(inventory.nodes()).containsExactlyInAnyOrder("gpu-a", "gpu-b", "cpu-1");
        assertThat(inventory.productLabel("H100-80GB-HBM3")).isEqualTo("NVIDIA-H100-80GB-HBM3");
        assertThat(inventory.unavailable()).isEmpty();
    }

    @Test
    void aCordonedOrNotReadyNodeTakesNoWork() {
        cluster.gpuNode("gpu-a", 2, "NVIDIA-H100-80GB-HBM3");
        cluster.gpuNode("gpu-b", 2, "NVIDIA-H100-80GB-HBM3");
        KubernetesInventory inventory = new KubernetesInventory(cluster.kube);

        cluster.kube.nodes().withName("gpu-a").edit(n -> new NodeBuilder(n).editSpec().withUnschedulable(true)
                .endSpec().build());
        cluster.kube.nodes().withName("gpu-b").edit(n -> new NodeBuilder(n).editStatus().editFirstCondition()
                .withStatus("False").withReason("KubeletNotReady").endCondition().endStatus().build());
        inventory.refresh();

        assertThat(inventory.unavailable()).containsEntry("gpu-a", "cordoned")
                .containsEntry("gpu-b", "not ready: KubeletNotReady");
    }

    @Test
    void productLabelsReadAsNvidiaSmiNamesThem() {
        assertThat(KubernetesInventory.type("NVIDIA-A100-SXM4-80GB")).isEqualTo("A100-SXM4-80GB");
        assertThat(KubernetesInventory.type("NVIDIA L4")).isEqualTo("L4");
        assertThat(KubernetesInventory.type("Tesla-T4")).isEqualTo("T4");
    }

    @Test
    void aKubeconfigsClientTalksToTheApiServerItNames(@TempDir Path dir) throws Exception {
        cluster.gpuNode("gpu-a", 1, "NVIDIA-L4");
        String server = cluster.kube.getConfiguration().getMasterUrl();
        Path kubeconfig = dir.resolve("kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters: [{name: c, cluster: {server: "%s"}}]
                users: [{name: u, user: {token: t}}]
                contexts: [{name: x, context: {cluster: c, user: u, namespace: hearth}}]
                current-context: x
                """.formatted(server));

        try (KubernetesClient client = KubernetesClients.connect(kubeconfig)) {
            Config config = client.getConfiguration();
            assertThat(config.getMasterUrl()).isEqualTo(server);
            assertThat(new KubernetesInventory(client).gpus()).extracting(Gpu::type).containsExactly("L4");
        }
    }
}
