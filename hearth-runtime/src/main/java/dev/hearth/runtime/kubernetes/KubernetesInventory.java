package dev.hearth.runtime.kubernetes;

import dev.hearth.placement.ConfiguredGpuInventory;
import dev.hearth.placement.Gpu;
import dev.hearth.placement.GpuInventory;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The GPUs of a Kubernetes cluster as its nodes report them: one {@link Gpu} per unit of a node's allocatable
 * {@code nvidia.com/gpu} (NVIDIA's device plugin advertises it; its capacity where allocatable is missing), typed by
 * the node's {@code nvidia.com/gpu.product} label (GPU feature discovery sets it: {@code NVIDIA-H100-80GB-HBM3} is
 * type {@code H100-80GB-HBM3}, which a manifest's {@code H100} matches), indexed per node from 0 as Hearth counts
 * them (inside a pod the GPUs the device plugin gave it are numbered from 0 too); and the nodes that take no new
 * pods (cordoned, or not Ready). Refreshed by {@link #refresh()}.
 */
public final class KubernetesInventory implements GpuInventory {

    public static final String GPU_RESOURCE = "nvidia.com/gpu";
    public static final String PRODUCT_LABEL = "nvidia.com/gpu.product";
    private static final System.Logger LOG = System.getLogger(KubernetesInventory.class.getName());
    private static final int MAX_GPUS_PER_NODE = 1024;

    private final KubernetesClient client;
    private volatile List<Gpu> gpus = List.of();
    private volatile List<String> nodes = List.of();
    private volatile Map<String, String> unavailable = Map.of();
    private volatile Map<String, String> productLabels = Map.of();

    /**
     * Reads the cluster's nodes once.
     *
     * @throws io.fabric8.kubernetes.client.KubernetesClientException when the API server refuses or cannot be reached
     */
    public KubernetesInventory(KubernetesClient client) {
        this.client = client;
        refresh();
    }

    @Override
    public List<Gpu> gpus() {
        return gpus;
    }

    /** Every node, GPU or not, by name. */
    public List<String> nodes() {
        return nodes;
    }

    /** Nodes that take no new pods, with why ({@code cordoned}, {@code not ready: KubeletNotReady}). */
    public Map<String, String> unavailable() {
        return unavailable;
    }

    /** The {@code nvidia.com/gpu.product} label value of a Hearth GPU type, for a pod's node selector. */
    public String productLabel(String type) {
        return productLabels.getOrDefault(type, type);
    }

    /** Reads the nodes again; a failing read keeps the last view and throws. */
    public void refresh() {
        List<Gpu> found = new ArrayList<>();
        List<String> names = new ArrayList<>();
        Map<String, String> closed = new LinkedHashMap<>();
        Map<String, String> labels = new LinkedHashMap<>();
        for (Node n : client.nodes().list().getItems()) {
            String name = n.getMetadata().getName();
            names.add(name);
            String why = unavailable(n);
            if (why != null) {
                closed.put(name, why);
            }
            int count = gpuCount(n);
            if (count == 0) {
                continue;
            }
            String product = n.getMetadata().getLabels() == null ? null
                    : n.getMetadata().getLabels().get(PRODUCT_LABEL);
            String type = product == null || product.isBlank() ? "GPU" : type(product);
            if (product != null && !product.isBlank()) {
                labels.putIfAbsent(type, product);
            }
            long memory = memoryMiB(type);
            for (int i = 0; i < count; i++) {
                found.add(new Gpu(name, i, type, memory));
            }
        }
        if (!closed.equals(unavailable)) {
            LOG.log(Level.INFO, "Kubernetes nodes not taking pods: {0}", closed.isEmpty() ? "none" : closed);
        }
        gpus = List.copyOf(found);
        nodes = List.copyOf(names);
        unavailable = Map.copyOf(closed);
        productLabels = Map.copyOf(labels);
    }

    /** {@code NVIDIA-H100-80GB-HBM3} to {@code H100-80GB-HBM3}, {@code Tesla-T4} to {@code T4}: as nvidia-smi's names. */
    static String type(String product) {
        String t = product.strip().replace(' ', '-').toUpperCase(Locale.ROOT);
        for (String vendor : List.of("NVIDIA-", "TESLA-")) {
            if (t.startsWith(vendor) && t.length() > vendor.length()) {
                t = t.substring(vendor.length());
            }
        }
        return t;
    }

    /** The memory of the type, or of its family ({@code H100} for {@code H100-80GB-HBM3}), 0 when unknown. */
    private static long memoryMiB(String type) {
        long exact = ConfiguredGpuInventory.memoryMiB(type);
        int dash = type.indexOf('-');
        return exact > 0 || dash < 0 ? exact : ConfiguredGpuInventory.memoryMiB(type.substring(0, dash));
    }

    private static int gpuCount(Node n) {
        if (n.getStatus() == null) {
            return 0;
        }
        Quantity q = n.getStatus().getAllocatable() == null ? null : n.getStatus().getAllocatable().get(GPU_RESOURCE);
        if (q == null && n.getStatus().getCapacity() != null) {
            q = n.getStatus().getCapacity().get(GPU_RESOURCE);
        }
        if (q == null) {
            return 0;
        }
        try {
            int count = Quantity.getAmountInBytes(q).intValueExact();
            return Math.clamp(count, 0, MAX_GPUS_PER_NODE);
        } catch (ArithmeticException | IllegalArgumentException e) {
            LOG.log(Level.WARNING, "node {0}: cannot read its {1} {2}", n.getMetadata().getName(), GPU_RESOURCE, q);
            return 0;
        }
    }

    private static String unavailable(Node n) {
        if (n.getSpec() != null && Boolean.TRUE.equals(n.getSpec().getUnschedulable())) {
            return "cordoned";
        }
        if (n.getStatus() == null || n.getStatus().getConditions() == null) {
            return null; // a node nobody reports on yet: the scheduler judges it
        }
        for (NodeCondition c : n.getStatus().getConditions()) {
            if ("Ready".equals(c.getType()) && !"True".equals(c.getStatus())) {
                return "not ready" + (c.getReason() == null ? "" : ": " + c.getReason());
            }
        }
        return null;
    }
}
