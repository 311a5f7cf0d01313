package dev.hearth.server;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * fabric8's mock API server (CRUD mode) with this test double playing the two parts the mock lacks: a scheduler that
 * binds a pod to a node whose {@code nvidia.com/gpu} and {@code nvidia.com/gpu.product} fit (else writes the
 * scheduler's {@code Insufficient nvidia.com/gpu} condition, and tries again when a pod goes), and a kubelet that runs
 * a bound pod's container command as a local process, with the environment its Secret and spec give it, and writes
 * its status (Running, then Succeeded or Failed with the exit code); a deleted pod's process gets SIGTERM.
 */
final class FakeKubelet implements AutoCloseable {

    static final String NAMESPACE = "hearth";
    private final KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(),
            new HashMap<>(), new KubernetesCrudDispatcher(), false);
    final NamespacedKubernetesClient kube;
    private final Path dir;
    private final Map<String, Integer> capacity = new LinkedHashMap<>();
    private final Map<String, String> products = new HashMap<>();
    private final Map<String, Process> processes = new ConcurrentHashMap<>();
    /** One thread plays both: pods are handled in the order their events come. */
    private final ExecutorService loop = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon()
            .name("fake-kubelet").factory());
    private final SharedIndexInformer<Pod> informer;

    FakeKubelet(Path dir) {
        this.dir = dir;
        try {
            server.init(InetAddress.getByName("127.0.0.1"), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        kube = server.createClient();
        informer = kube.pods().inNamespace(NAMESPACE).inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                loop.execute(() -> handle(pod.getMetadata().getName()));
            }

            @Override
            public void onUpdate(Pod before, Pod pod) {
            }

            @Override
            public void onDelete(Pod pod, boolean unknown) {
                loop.execute(() -> deleted(pod.getMetadata().getName()));
            }
        }, 0);
    }

    void gpuNode(String name, int gpus, String product) {
        capacity.put(name, gpus);
        products.put(name, product);
        Node node = new NodeBuilder().withNewMetadata().withName(name)
                .withLabels(Map.of("nvidia.com/gpu.product", product)).endMetadata().withNewStatus()
                .withAllocatable(Map.of("nvidia.com/gpu", new Quantity(Integer.toString(gpus))))
                .addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus().build();
        kube.nodes().resource(node).create();
    }

    /** A kubeconfig naming the mock API server. */
    Path kubeconfig() {
        Path file = dir.resolve("kubeconfig");
        try {
            Files.writeString(file, """
                    apiVersion: v1
                    kind: Config
                    clusters: [{name: mock, cluster: {server: "%s"}}]
                    users: [{name: hearth, user: {token: test}}]
                    contexts: [{name: mock, context: {cluster: mock, user: hearth}}]
                    current-context: mock
                    """.formatted(kube.getConfiguration().getMasterUrl()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** Pods of the namespace now. */
    List<Pod> pods() {
        return kube.pods().inNamespace(NAMESPACE).list().getItems();
    }

    private static int gpus(Pod pod) {
        Quantity q = pod.getSpec().getContainers().getFirst().getResources() == null ? null
                : pod.getSpec().getContainers().getFirst().getResources().getLimits().get("nvidia.com/gpu");
        return q == null ? 0 : Integer.parseInt(q.getAmount());
    }

    private void handle(String name) {
        Pod pod = kube.pods().inNamespace(NAMESPACE).withName(name).get();
        if (pod == null || pod.getSpec().getNodeName() != null) {
            return; // gone, or bound already
        }
        String node = schedule(pod);
        if (node == null) {
            long fits = capacity.size();
            status(name, b -> b.withNewStatus().withPhase("Pending").addNewCondition().withType("PodScheduled")
                    .withStatus("False").withReason("Unschedulable")
                    .withMessage("0/" + fits + " nodes are available: " + fits + " Insufficient nvidia.com/gpu.")
                    .endCondition().endStatus());
            return;
        }
        kube.pods().inNamespace(NAMESPACE).resource(new PodBuilder(pod).editSpec().withNodeName(node).endSpec()
                .build()).update();
        if (pod.getSpec().getContainers().getFirst().getCommand().isEmpty()) {
            return; // a pod of the test's own that only holds GPUs
        }
        run(kube.pods().inNamespace(NAMESPACE).withName(name).get(), node);
    }

    /** The first node whose free GPUs and product fit the pod (and its node affinity, when it has one). */
    private String schedule(Pod pod) {
        int want = gpus(pod);
        String product = pod.getSpec().getNodeSelector() == null ? null
                : pod.getSpec().getNodeSelector().get("nvidia.com/gpu.product");
        List<String> pinned = new ArrayList<>();
        if (pod.getSpec().getAffinity() != null) {
            pod.getSpec().getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()
                    .getNodeSelectorTerms().forEach(t -> t.getMatchFields().forEach(f -> pinned.addAll(f.getValues())));
        }
        Map<String, Integer> used = new HashMap<>();
        for (Pod p : pods()) {
            if (p.getSpec().getNodeName() != null) {
                used.merge(p.getSpec().getNodeName(), gpus(p), Integer::sum);
            }
        }
        for (Map.Entry<String, Integer> n : capacity.entrySet()) {
            boolean fits = n.getValue() - used.getOrDefault(n.getKey(), 0) >= want
                    && (product == null || product.equals(products.get(n.getKey())))
                    && (pinned.isEmpty() || pinned.contains(n.getKey()));
            if (fits) {
                return n.getKey();
            }
        }
        return null;
    }

    private void run(Pod pod, String node) {
        String name = pod.getMetadata().getName();
        Container c = pod.getSpec().getContainers().getFirst();
        Map<String, String> env = new HashMap<>();
        env.put("PATH", System.getenv("PATH"));
        c.getEnvFrom().forEach(from -> {
            Secret s = kube.secrets().inNamespace(NAMESPACE).withName(from.getSecretRef().getName()).get();
            s.getData().forEach((k, v) -> env.put(k, new String(Base64.getDecoder().decode(v),
                    StandardCharsets.UTF_8)));
        });
        for (EnvVar e : c.getEnv()) {
            if (e.getValue() != null) {
                env.put(e.getName(), e.getValue());
            } else if ("metadata.name".equals(e.getValueFrom().getFieldRef().getFieldPath())) {
                env.put(e.getName(), name);
            } else if ("spec.nodeName".equals(e.getValueFrom().getFieldRef().getFieldPath())) {
                env.put(e.getName(), node);
            }
        }
        try {
            // each pod has a filesystem of its own: its bootstrap's cache too
            env.put("HEARTH_NODE_CACHE", Files.createTempDirectory(dir, name).toString());
            Path log = dir.resolve(name + ".log");
            ProcessBuilder pb = new ProcessBuilder(c.getCommand()).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            pb.environment().clear();
            pb.environment().putAll(env);
            Process p = pb.start();
            processes.put(name, p);
            status(name, b -> b.withNewStatus().withPhase("Running").addNewContainerStatus().withName(c.getName())
                    .withNewState().withNewRunning().endRunning().endState().endContainerStatus().endStatus());
            p.onExit().thenAccept(done -> loop.execute(() -> exited(name, c.getName(), done.exitValue())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void exited(String name, String container, int code) {
        if (processes.remove(name) == null) {
            return;
        }
        try {
            status(name, b -> b.withNewStatus().withPhase(code == 0 ? "Succeeded" : "Failed").addNewContainerStatus()
                    .withName(container).withNewState().withNewTerminated().withExitCode(code).endTerminated()
                    .endState().endContainerStatus().endStatus());
        } catch (KubernetesClientException | NullPointerException e) {
            // deleted meanwhile
        }
    }

    private void deleted(String name) {
        Process p = processes.remove(name);
        if (p != null) {
            p.destroy(); // SIGTERM, as a kubelet does at a delete
        }
        // GPUs freed: pods the scheduler could not place may fit now
        for (Pod pod : pods()) {
            if (pod.getSpec().getNodeName() == null) {
                handle(pod.getMetadata().getName());
            }
        }
    }

    private void status(String name, java.util.function.UnaryOperator<PodBuilder> change) {
        Pod pod = kube.pods().inNamespace(NAMESPACE).withName(name).get();
        if (pod != null) {
            kube.pods().inNamespace(NAMESPACE).resource(change.apply(new PodBuilder(pod)).build()).updateStatus();
        }
    }

    @Override
    public void close() {
        informer.close();
        loop.shutdownNow();
        processes.values().forEach(Process::destroyForcibly);
        kube.close();
        server.destroy();
    }
}
