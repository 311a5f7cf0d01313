package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code --runtime kubernetes} end to end against fabric8's mock API server in CRUD mode, with {@link FakeKubelet}
 * playing the scheduler and the kubelet (it runs each bound pod's container command as a local process): the pods
 * Hearth makes carry everything a worker needs to boot, jobs complete through them, the scheduler's reason reaches
 * the job, and scale to zero deletes them. Nodes: gpu-a with 2 H100s, gpu-b with 1 L4.
 */
class KubernetesWorkersTest {

    private static final Path DIR;
    private static final FakeKubelet CLUSTER;

    static {
        try {
            DIR = Files.createTempDirectory("hearth-k8s-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        CLUSTER = new FakeKubelet(DIR);
        CLUSTER.gpuNode("gpu-a", 2, "NVIDIA-H100-80GB-HBM3");
        CLUSTER.gpuNode("gpu-b", 1, "NVIDIA-L4");
    }

    @RegisterExtension
    final TestServer hearth = TestServer.withFunctions("k8s-gpu", "k8s-l4").onGpus(null)
            .configured(b -> b.kubernetes(new KubernetesSettings(FakeKubelet.NAMESPACE, CLUSTER.kubeconfig(), null,
                    null, null)));

    @AfterAll
    static void stopCluster() {
        CLUSTER.close();
    }

    @Test
    void aFunctionsWorkerRunsAsAPodOnTheGpuTypeOfItsFallbackListTheClusterHas() {
        String id = hearth.run("k8s-gpu", "{}");

        JsonNode done = hearth.awaitFinal("k8s-gpu", id);

        assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("COMPLETED");
        JsonNode out = done.get("output");
        String worker = done.get("workerId").asText();
        assertThat(out.get("pod").asText()).isEqualTo("hearth-" + worker);
        assertThat(out.get("node").asText()).isEqualTo("gpu-a"); // no A100 in the cluster: the H100s
        assertThat(out.get("cuda_visible_devices").asText()).isEqualTo("0");
        assertThat(out.get("model").asText()).isEqualTo("tiny-model"); // from the pod's Secret
        // the bootstrap fetched the bundle into the pod's own cache rather than using the control plane's copy
        assertThat(out.get("cwd").asText()).doesNotStartWith(hearth.dataDir().toString());
        JsonNode w = workerJson(worker);
        assertThat(w.get("node").asText()).isEqualTo("gpu-a");
        assertThat(w.get("scheduler").get("job").asText()).isEqualTo("hearth-" + worker);
    }

    @Test
    void scaleToZeroDeletesTheWorkersPodsAndSecrets() {
        hearth.awaitFinal("k8s-gpu", hearth.run("k8s-gpu", "{}"));

        // idleTimeout 1 s: the worker drains and its pod is deleted
        await().atMost(Duration.ofSeconds(30)).until(() -> hearth.workerCount("k8s-gpu") == 0);

        await().atMost(Duration.ofSeconds(10)).until(() -> CLUSTER.pods().stream().noneMatch(p ->
                "k8s-gpu".equals(p.getMetadata().getLabels().get("hearth.dev/function"))));
        assertThat(CLUSTER.kube.secrets().inNamespace(FakeKubelet.NAMESPACE).withLabel("hearth.dev/function",
                "k8s-gpu").list().getItems()).isEmpty();
    }

    @Test
    void aJobWhosePodCannotBeScheduledWaitsWithTheSchedulersReason() {
        // a pod that is not Hearth's holds the cluster's one L4
        CLUSTER.kube.pods().inNamespace(FakeKubelet.NAMESPACE).resource(new PodBuilder().withNewMetadata()
                .withName("someone-elses").endMetadata().withNewSpec().withNodeName("gpu-b").addNewContainer()
                .withName("c").withImage("busybox").withNewResources()
                .withLimits(Map.of("nvidia.com/gpu", new Quantity("1"))).endResources().endContainer().endSpec()
                .build()).create();

        String id = hearth.run("k8s-l4", "{}");

        await().atMost(Duration.ofSeconds(30)).until(() -> hearth.status("k8s-l4", id).path("reason").asText()
                .contains("Insufficient nvidia.com/gpu"));
        CLUSTER.kube.pods().inNamespace(FakeKubelet.NAMESPACE).withName("someone-elses").delete();
        JsonNode done = hearth.awaitFinal("k8s-l4", id);
        assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("COMPLETED");
        assertThat(done.get("output").get("node").asText()).isEqualTo("gpu-b");
    }

    private JsonNode workerJson(String id) {
        for (JsonNode w : hearth.get("/v1/workers").json().get("workers")) {
            if (w.get("id").asText().equals(id)) {
                return w;
            }
        }
        throw new AssertionError("no worker " + id);
    }
}
