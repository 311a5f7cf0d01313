package dev.hearth.runtime.kubernetes;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * fabric8's mock API server in CRUD mode on 127.0.0.1 (objects, labels, watches; no scheduler, no kubelet): the test
 * plays both, adding nodes and writing pods' status.
 */
final class MockCluster implements AutoCloseable {

    final KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
            new KubernetesCrudDispatcher(), false);
    /** The test's own client: what a kubelet and a scheduler would write. */
    final NamespacedKubernetesClient kube;

    MockCluster() {
        try {
            server.init(InetAddress.getByName("127.0.0.1"), 0);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
        kube = server.createClient();
    }

    /** A fresh client, as a runtime takes one (and closes it). */
    NamespacedKubernetesClient client() {
        return server.createClient();
    }

    void gpuNode(String name, int gpus, String product) {
        Node node = new NodeBuilder().withNewMetadata().withName(name)
                .withLabels(Map.of(KubernetesInventory.PRODUCT_LABEL, product, "kubernetes.io/hostname", name))
                .endMetadata().withNewStatus()
                .withCapacity(Map.of("cpu", new Quantity("8"), KubernetesInventory.GPU_RESOURCE,
                        new Quantity(Integer.toString(gpus))))
                .withAllocatable(Map.of("cpu", new Quantity("8"), KubernetesInventory.GPU_RESOURCE,
                        new Quantity(Integer.toString(gpus))))
                .addNewCondition().withType("Ready").withStatus("True").endCondition()
                .endStatus().build();
        kube.nodes().resource(node).create();
    }

    Pod pod(String namespace, String name) {
        return kube.pods().inNamespace(namespace).withName(name).get();
    }

    /** Writes a pod's status, as the scheduler and the kubelet do. */
    void status(String namespace, String name, UnaryOperator<PodBuilder> change) {
        Pod pod = pod(namespace, name);
        kube.pods().inNamespace(namespace).resource(change.apply(new PodBuilder(pod)).build()).updateStatus();
    }

    /** Bound to a node and running, as the scheduler and the kubelet would make it. */
    void running(String namespace, String name, String node) {
        Pod pod = pod(namespace, name);
        kube.pods().inNamespace(namespace).resource(new PodBuilder(pod).editSpec().withNodeName(node).endSpec()
                .build()).update();
        status(namespace, name, b -> b.withNewStatus().withPhase("Running").addNewContainerStatus()
                .withName(KubernetesRuntime.CONTAINER).withNewState().withNewRunning().endRunning().endState()
                .endContainerStatus().endStatus());
    }

    @Override
    public void close() {
        kube.close();
        server.destroy();
    }
}
