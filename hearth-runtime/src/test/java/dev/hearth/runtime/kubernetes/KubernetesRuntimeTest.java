package dev.hearth.runtime.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.hearth.placement.Gpu;
import dev.hearth.runtime.RunningWorker;
import dev.hearth.runtime.ScheduledWorker;
import dev.hearth.runtime.WorkerLaunch;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kubernetes runtime against fabric8's mock API server in CRUD mode: what it creates, what it reads back from the
 * pods' status (the test writes it, as the scheduler and the kubelet would), what it deletes.
 */
class KubernetesRuntimeTest {

    private static final String NS = "hearth";
    private static final String H100 = "NVIDIA-H100-80GB-HBM3";

    @TempDir
    Path tmp;
    private MockCluster cluster;
    private KubernetesRuntime runtime;
    private final Map<String, Integer> exits = new ConcurrentHashMap<>();

    @BeforeEach
    void cluster() {
        cluster = new MockCluster();
        cluster.gpuNode("gpu-a", 4, H100);
        cluster.gpuNode("gpu-b", 2, "NVIDIA-A100-SXM4-80GB");
        runtime = runtime("cp1");
    }

    @AfterEach
    void stop() {
        runtime.close();
        cluster.close();
    }

    private KubernetesRuntime runtime(String controlPlane) {
        var client = cluster.client();
        return new KubernetesRuntime(client, NS, new KubernetesInventory(client), controlPlane, null,
                Duration.ofSeconds(1));
    }

    private WorkerLaunch launch(String worker, List<Gpu> gpus, Map<String, String> env, String image,
                                Map<String, String> volumes) {
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put("HEARTH_BOOT_URL", "http://127.0.0.1:1/v2/fn/worker-boot/" + worker);
        all.put("RUNPOD_AI_API_KEY", "token-of-" + worker);
        all.put("HEARTH_NODE", gpus.isEmpty() ? "gpu-b" : gpus.getFirst().node());
        return new WorkerLaunch(worker, "fn", 3, tmp, List.of("python3", "-m", "hearth_worker", "h.py:f"), all, gpus,
                tmp.resolve("logs").resolve(worker + ".log"), List.of(), image, volumes);
    }

    private void start(WorkerLaunch launch) {
        runtime.start(launch, exits::put);
    }

    private Pod pod(String worker) {
        return cluster.pod(NS, KubernetesRuntime.podName(worker));
    }

    private static Container container(Pod pod) {
        return pod.getSpec().getContainers().getFirst();
    }

    @Test
    void aGpuWorkerIsAPodLimitedToItsGpusOnTheProductAndNodeHearthPlacedItOn() {
        start(launch("w-fn-1-aa", List.of(new Gpu("gpu-a", 2, "H100-80GB-HBM3", 0), new Gpu("gpu-a", 3,
                "H100-80GB-HBM3", 0)), Map.of(), null, Map.of()));

        Pod pod = pod("w-fn-1-aa");
        assertThat(container(pod).getResources().getLimits()).containsEntry("nvidia.com/gpu", new Quantity("2"));
        assertThat(pod.getSpec().getNodeSelector()).containsExactlyEntriesOf(Map.of("nvidia.com/gpu.product", H100));
        var term = pod.getSpec().getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()
                .getNodeSelectorTerms().getFirst().getMatchFields().getFirst();
        assertThat(List.of(term.getKey(), term.getOperator(), term.getValues()))
                .containsExactly("metadata.name", "In", List.of("gpu-a"));
        assertThat(pod.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "hearth")
                .containsEntry("hearth.dev/control-plane", "cp1").containsEntry("hearth.dev/function", "fn");
        assertThat(pod.getMetadata().getAnnotations()).containsEntry("hearth.dev/worker", "w-fn-1-aa")
                .containsEntry("hearth.dev/version", "3").containsEntry("hearth.dev/gpus", "2,3");
        assertThat(env(container(pod))).containsEntry("CUDA_VISIBLE_DEVICES", "0,1");
        assertThat(pod.getSpec().getRestartPolicy()).isEqualTo("Never");
        assertThat(container(pod).getImage()).isEqualTo(KubernetesRuntime.DEFAULT_IMAGE);
        assertThat(container(pod).getCommand()).startsWith("python3", "-c");
    }

    @Test
    void theWorkersEnvironmentAndSecretsAreInASecretItsPodReadsNeverInThePodSpec() {
        start(launch("w-fn-2-bb", List.of(), Map.of("MODEL", "llama", "HF_TOKEN", "hf_very_secret"), null,
                Map.of()));

        Pod pod = pod("w-fn-2-bb");
        String spec = Serialization.asJson(pod);
        assertThat(spec).doesNotContain("hf_very_secret").doesNotContain("token-of-w-fn-2-bb")
                .doesNotContain("llama");
        assertThat(container(pod).getEnvFrom().getFirst().getSecretRef().getName()).isEqualTo("hearth-w-fn-2-bb");
        Secret secret = cluster.kube.secrets().inNamespace(NS).withName("hearth-w-fn-2-bb").get();
        Map<String, String> data = secret.getData().entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
                e -> new String(Base64.getDecoder().decode(e.getValue()), StandardCharsets.UTF_8)));
        assertThat(data).containsEntry("HF_TOKEN", "hf_very_secret").containsEntry("MODEL", "llama")
                .containsEntry("HEARTH_BOOT_TOKEN", "token-of-w-fn-2-bb")
                .containsEntry("HEARTH_BOOT_URL", "http://127.0.0.1:1/v2/fn/worker-boot/w-fn-2-bb");
        assertThat(secret.getMetadata().getLabels()).containsEntry("hearth.dev/control-plane", "cp1");
        assertThat(secret.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(o -> assertThat(o.getUid()).isEqualTo(pod.getMetadata().getUid()));
    }

    @Test
    void aCpuWorkerHasNoGpuLimitNorProductSelector() {
        start(launch("w-fn-3-cc", List.of(), Map.of(), null, Map.of()));

        Pod pod = pod("w-fn-3-cc");
        assertThat(container(pod).getResources().getLimits()).doesNotContainKey("nvidia.com/gpu");
        assertThat(pod.getSpec().getNodeSelector()).isNullOrEmpty();
        assertThat(env(container(pod))).containsEntry("CUDA_VISIBLE_DEVICES", "");
    }

    @Test
    void theManifestsImageAndVolumesBecomeTheContainersImageAndPersistentVolumeClaims() {
        start(launch("w-fn-4-dd", List.of(), Map.of(), "registry.example/team/llm:1.2",
                Map.of("weights", "/models", "cache", "cache/hf")));

        Pod pod = pod("w-fn-4-dd");
        assertThat(container(pod).getImage()).isEqualTo("registry.example/team/llm:1.2");
        Map<String, String> claims = pod.getSpec().getVolumes().stream().collect(Collectors.toMap(
                v -> v.getName(), v -> v.getPersistentVolumeClaim().getClaimName()));
        Map<String, String> mountedAt = container(pod).getVolumeMounts().stream().collect(Collectors.toMap(
                m -> claims.get(m.getName()), m -> m.getMountPath()));
        assertThat(mountedAt).containsEntry("hearth-volume-weights", "/models")
                .containsEntry("hearth-volume-cache", "/hearth/volumes/cache");
        assertThat(env(container(pod))).containsEntry("HEARTH_VOLUME_WEIGHTS", "/models")
                .containsEntry("HEARTH_VOLUME_CACHE", "/hearth/volumes/cache")
                .containsEntry("HEARTH_BOOT_LINKS", "cache/hf=/hearth/volumes/cache");
        assertThat(env(container(pod)).get("HEARTH_BOOT_KEEP").split(","))
                .containsExactlyInAnyOrder("HEARTH_POD", "HEARTH_POD_NODE", "HEARTH_VOLUME_WEIGHTS",
                        "HEARTH_VOLUME_CACHE");
    }

    @Test
    void aPodTheSchedulerCannotPlaceWaitsWithTheSchedulersReason() {
        start(launch("w-fn-5-ee", List.of(new Gpu("gpu-b", 0, "A100-SXM4-80GB", 0)), Map.of(), null, Map.of()));

        cluster.status(NS, "hearth-w-fn-5-ee", b -> b.withNewStatus().withPhase("Pending").addNewCondition()
                .withType("PodScheduled").withStatus("False").withReason("Unschedulable")
                .withMessage("0/2 nodes are available: 2 Insufficient nvidia.com/gpu.").endCondition().endStatus());

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(runtime.scheduled("w-fn-5-ee"))
                .hasValueSatisfying(s -> {
                    assertThat(s.pending()).isTrue();
                    assertThat(s.reason()).isEqualTo("0/2 nodes are available: 2 Insufficient nvidia.com/gpu.");
                    assertThat(s.node()).isNull();
                }));
    }

    @Test
    void aRunningPodShowsItsNodeAndHearthsGpuIndices() {
        start(launch("w-fn-6-ff", List.of(new Gpu("gpu-a", 1, "H100-80GB-HBM3", 0)), Map.of(), null, Map.of()));

        cluster.running(NS, "hearth-w-fn-6-ff", "gpu-a");

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(runtime.scheduled("w-fn-6-ff"))
                .hasValue(new ScheduledWorker("hearth-w-fn-6-ff", "RUNNING", null, "gpu-a", "1")));
        assertThat(runtime.isAlive("w-fn-6-ff")).isTrue();
    }

    @Test
    void stopDeletesThePodWithTheGracePeriodAndItsSecretAndReportsTheExit() throws Exception {
        start(launch("w-fn-7-gg", List.of(new Gpu("gpu-a", 0, "H100-80GB-HBM3", 0)), Map.of(), null, Map.of()));
        cluster.running(NS, "hearth-w-fn-7-gg", "gpu-a");
        await().atMost(Duration.ofSeconds(10)).until(() -> !runtime.scheduled("w-fn-7-gg").orElseThrow().pending());
        int before = cluster.server.getRequestCount();

        runtime.stop("w-fn-7-gg", Duration.ofSeconds(7));

        await().atMost(Duration.ofSeconds(10)).until(() -> exits.containsKey("w-fn-7-gg"));
        assertThat(pod("w-fn-7-gg")).isNull();
        assertThat(cluster.kube.secrets().inNamespace(NS).withName("hearth-w-fn-7-gg").get()).isNull();
        assertThat(runtime.isAlive("w-fn-7-gg")).isFalse();
        boolean graceful = false;
        for (int i = 0; i < cluster.server.getRequestCount() - before + 64 && !graceful; i++) {
            var r = cluster.server.takeRequest(1, java.util.concurrent.TimeUnit.SECONDS);
            if (r == null) {
                break;
            }
            graceful = "DELETE".equals(r.getMethod()) && r.getPath().endsWith("/pods/hearth-w-fn-7-gg")
                    && r.getBody().readUtf8().contains("\"gracePeriodSeconds\":7");
        }
        assertThat(graceful).as("the pod was deleted with a 7 s grace period").isTrue();
    }

    @Test
    void aPodThatEndsReportsItsContainersExitCodeAndIsCleanedUp() {
        start(launch("w-fn-8-hh", List.of(), Map.of(), null, Map.of()));
        cluster.running(NS, "hearth-w-fn-8-hh", "gpu-b");

        cluster.status(NS, "hearth-w-fn-8-hh", b -> b.editStatus().withPhase("Failed").editFirstContainerStatus()
                .withNewState().withNewTerminated().withExitCode(3).endTerminated().endState().endContainerStatus()
                .endStatus());

        await().atMost(Duration.ofSeconds(10)).until(() -> Integer.valueOf(3).equals(exits.get("w-fn-8-hh")));
        await().atMost(Duration.ofSeconds(10)).until(() -> pod("w-fn-8-hh") == null
                && cluster.kube.secrets().inNamespace(NS).withName("hearth-w-fn-8-hh").get() == null);
    }

    @Test
    void aPodDeletedBySomeoneElseEndsItsWorker() {
        start(launch("w-fn-9-ii", List.of(), Map.of(), null, Map.of()));
        cluster.kube.pods().inNamespace(NS).withName("hearth-w-fn-9-ii").delete();

        await().atMost(Duration.ofSeconds(10)).until(() -> exits.containsKey("w-fn-9-ii"));
        assertThat(runtime.isAlive("w-fn-9-ii")).isFalse();
    }

    @Test
    void aRestartedControlPlaneFindsItsOwnRunningPodsByTheirLabelsAndAdoptsThem() {
        start(launch("w-fn-10-jj", List.of(new Gpu("gpu-a", 3, "H100-80GB-HBM3", 0)), Map.of(), null, Map.of()));
        cluster.running(NS, "hearth-w-fn-10-jj", "gpu-a");
        try (KubernetesRuntime other = runtime("cp2")) {
            other.start(launch("w-fn-11-kk", List.of(), Map.of(), null, Map.of()), (w, c) -> { });
            assertThat(other.leftovers()).extracting(RunningWorker::workerId).containsExactly("w-fn-11-kk");

            try (KubernetesRuntime restarted = runtime("cp1")) {
                List<RunningWorker> found = restarted.leftovers();

                assertThat(found).containsExactly(new RunningWorker("w-fn-10-jj", "fn", 3, "gpu-a", "3"));
                Map<String, Integer> adoptedExits = new ConcurrentHashMap<>();
                restarted.adopt(found.getFirst(), adoptedExits::put);
                assertThat(restarted.isAlive("w-fn-10-jj")).isTrue();
                cluster.kube.pods().inNamespace(NS).withName("hearth-w-fn-10-jj").delete();
                await().atMost(Duration.ofSeconds(10)).until(() -> adoptedExits.containsKey("w-fn-10-jj"));
            }
        }
    }

    @Test
    void closeDeletesEveryPodOfTheRuntime() {
        start(launch("w-fn-12-ll", List.of(), Map.of(), null, Map.of()));
        cluster.running(NS, "hearth-w-fn-12-ll", "gpu-b");

        runtime.close();

        assertThat(pod("w-fn-12-ll")).isNull();
        await().atMost(Duration.ofSeconds(10)).until(() -> exits.containsKey("w-fn-12-ll"));
        runtime = runtime("cp1"); // for @AfterEach
    }

    private static Map<String, String> env(Container c) {
        return c.getEnv().stream().filter(e -> e.getValue() != null)
                .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
    }
}
