package dev.hearth.runtime.kubernetes;

import dev.hearth.placement.Gpu;
import dev.hearth.runtime.RunningWorker;
import dev.hearth.runtime.ScheduledWorker;
import dev.hearth.runtime.WorkerExitListener;
import dev.hearth.runtime.WorkerLaunch;
import dev.hearth.runtime.WorkerRuntime;
import dev.hearth.runtime.WorkerStartException;
import dev.hearth.runtime.boot.RemoteBoot;
import dev.hearth.volumes.VolumePaths;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Runs each worker as one Pod in a namespace: {@code resources.limits["nvidia.com/gpu"]} for its GPUs, a node
 * selector on {@code nvidia.com/gpu.product} for the type Hearth placed it on (placement tried the manifest's fallback
 * list in order against {@link KubernetesInventory}), and a node affinity to that node, so that Hearth's count of
 * free GPUs stays true; which of the node's GPUs it gets is the device plugin's choice. The container runs the same
 * python3 bootstrap as a Slurm job (the image must have python3): it fetches the worker's launch, code bundle and
 * worker library from the control plane with the worker's token, then becomes the worker.
 *
 * <p>The worker's environment (the function's {@code env}, its secrets' values, its token and boot URL) is a Secret
 * of the pod's name the container takes with {@code envFrom}; nothing of it is in the pod's spec. The manifest's
 * volumes are PersistentVolumeClaims {@code hearth-volume-<name>}, made by the operator. Pods and Secrets carry the
 * labels {@value #MANAGED_BY}{@code =hearth} and {@value #CONTROL_PLANE}{@code =<id>} (and the worker, function and
 * version as annotations), so that this control plane finds its own again after a restart and adopts them.
 *
 * <p>Pods are watched (an informer on those labels): a pod the scheduler cannot place says why on the job's
 * {@code reason} (its {@code PodScheduled} condition: {@code 0/3 nodes are available: 3 Insufficient
 * nvidia.com/gpu.}), a pod that ends reports its container's exit code, a pod deleted by someone else ends its worker.
 * Stopping is a delete with the grace period: the kubelet sends SIGTERM (the worker drains on it), then SIGKILL.
 * The worker's output reaches the control plane over the worker protocol (the bootstrap's node supervisor sends it
 * in offset-numbered batches), as under Slurm, so the container's own log is not followed here: two writers of one
 * log file would break the offsets that make those batches idempotent.
 */
public final class KubernetesRuntime implements WorkerRuntime {

    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String CONTROL_PLANE = "hearth.dev/control-plane";
    public static final String FUNCTION = "hearth.dev/function";
    public static final String WORKER = "hearth.dev/worker";
    public static final String VERSION = "hearth.dev/version";
    /** Hearth's indices of the GPUs it counted for the worker on its node (inside the pod they are 0..n-1). */
    public static final String GPUS = "hearth.dev/gpus";
    public static final String POD_PREFIX = "hearth-";
    public static final String CONTAINER = "worker";
    public static final String DEFAULT_IMAGE = "python:3.12-slim";
    /** Where in the pod the bootstrap keeps the bundle and the worker library. */
    static final String NODE_CACHE = "/tmp/hearth-node-cache";
    /** Where a volume whose manifest path is relative to the function's directory is mounted. */
    static final String VOLUME_ROOT = "/hearth/volumes/";
    private static final Pattern ENV_NAME = Pattern.compile("[-._a-zA-Z][-._a-zA-Z0-9]*");
    private static final Pattern LABEL_VALUE = Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?");
    private static final Duration INVENTORY_EVERY = Duration.ofSeconds(2);
    private static final Duration CLOSE_SLACK = Duration.ofSeconds(15);
    private static final System.Logger LOG = System.getLogger(KubernetesRuntime.class.getName());

    private final KubernetesClient client;
    private final String namespace;
    private final KubernetesInventory inventory;
    private final String controlPlane;
    private final String defaultImage;
    private final Duration closeGrace;
    private final String bootstrap;
    private final Map<String, Job> jobs = new ConcurrentHashMap<>();
    private final ScheduledExecutorService executor =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("hearth-kubernetes").factory());
    private final SharedIndexInformer<Pod> informer;
    private volatile boolean closed;

    /** One worker's pod, as last seen. */
    private static final class Job {
        final String workerId;
        final String pod;
        final WorkerExitListener onExit;
        final Path logFile;
        volatile ScheduledWorker seen;
        volatile int lastExit = -1;
        volatile boolean ended;
        Long deleteGraceSeconds;

        Job(String workerId, String pod, WorkerExitListener onExit, Path logFile, ScheduledWorker seen) {
            this.workerId = workerId;
            this.pod = pod;
            this.onExit = onExit;
            this.logFile = logFile;
            this.seen = seen;
        }
    }

    /**
     * Starts watching this control plane's pods in the namespace; the client is this runtime's from now on
     * ({@link #close()} closes it).
     *
     * @param controlPlane this control plane's id, stable across its restarts (a label value: at most 63 letters,
     *                     digits, '-', '_', '.'); it tells its pods from those of other control planes
     * @param defaultImage the image of workers whose manifest names none
     * @param closeGrace   how long {@link #close()} lets workers drain before their pods are killed
     */
    public KubernetesRuntime(KubernetesClient client, String namespace, KubernetesInventory inventory,
                             String controlPlane, String defaultImage, Duration closeGrace) {
        this.client = Objects.requireNonNull(client, "client");
        this.namespace = Objects.requireNonNull(namespace, "namespace");
        this.inventory = Objects.requireNonNull(inventory, "inventory");
        if (controlPlane == null || controlPlane.isEmpty() || !LABEL_VALUE.matcher(controlPlane).matches()) {
            throw new IllegalArgumentException("the control plane id must be a Kubernetes label value (at most 63 "
                    + "letters, digits, '-', '_', '.', starting and ending with a letter or digit), got '"
                    + controlPlane + "'");
        }
        this.controlPlane = controlPlane;
        this.defaultImage = defaultImage == null || defaultImage.isBlank() ? DEFAULT_IMAGE : defaultImage;
        this.closeGrace = closeGrace;
        try (InputStream in = KubernetesRuntime.class.getResourceAsStream("/dev/hearth/runtime/slurm/bootstrap.py")) {
            this.bootstrap = new String(Objects.requireNonNull(in, "bootstrap.py").readAllBytes(),
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        informer = client.pods().inNamespace(namespace).withLabel(CONTROL_PLANE, controlPlane)
                .inform(new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(Pod pod) {
                        seen(pod);
                    }

                    @Override
                    public void onUpdate(Pod before, Pod pod) {
                        seen(pod);
                    }

                    @Override
                    public void onDelete(Pod pod, boolean finalStateUnknown) {
                        gone(pod);
                    }
                }, 0);
        executor.scheduleWithFixedDelay(this::refreshInventory, INVENTORY_EVERY.toMillis(),
                INVENTORY_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The pod (and Secret) name of a worker. */
    public static String podName(String workerId) {
        return POD_PREFIX + workerId;
    }

    private Map<String, String> labels(String function) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(MANAGED_BY, "hearth");
        labels.put(CONTROL_PLANE, controlPlane);
        if (LABEL_VALUE.matcher(function).matches()) {
            labels.put(FUNCTION, function);
        }
        return labels;
    }

    @Override
    public void start(WorkerLaunch launch, WorkerExitListener onExit) {
        RemoteBoot boot = RemoteBoot.of(launch, closed);
        String what = boot.what();
        String bootUrl = boot.bootUrl();
        String token = boot.token();
        String name = podName(launch.workerId());
        Secret secret = secret(name, launch, bootUrl, token);
        Pod pod = pod(name, launch);
        Job job = new Job(launch.workerId(), name, onExit, launch.logFile(),
                new ScheduledWorker(name, "PENDING", null, null, gpuIndices(launch.gpus())));
        jobs.put(launch.workerId(), job); // before the create: the informer may see the pod before it returns
        try {
            client.secrets().inNamespace(namespace).resource(secret).create();
            Pod created = client.pods().inNamespace(namespace).resource(pod).create();
            own(name, created);
        } catch (KubernetesClientException e) {
            jobs.remove(launch.workerId(), job);
            deleteQuietly(name, 0);
            throw new WorkerStartException(what + "the API server refused its pod: " + message(e), e);
        }
        LOG.log(Level.DEBUG, "worker {0} is pod {1}/{2}", launch.workerId(), namespace, name);
    }

    /** The worker's whole environment, with its boot URL and token: a Secret, never the pod's spec. */
    private Secret secret(String name, WorkerLaunch launch, String bootUrl, String token) {
        Map<String, String> data = new TreeMap<>();
        Base64.Encoder b64 = Base64.getEncoder();
        launch.env().forEach((k, v) -> {
            if (ENV_NAME.matcher(k).matches()) {
                data.put(k, b64.encodeToString(v.getBytes(StandardCharsets.UTF_8)));
            }
        });
        data.put("HEARTH_BOOT_URL", b64.encodeToString(bootUrl.getBytes(StandardCharsets.UTF_8)));
        data.put("HEARTH_BOOT_TOKEN", b64.encodeToString(token.getBytes(StandardCharsets.UTF_8)));
        return new SecretBuilder().withNewMetadata().withName(name).withNamespace(namespace)
                .withLabels(labels(launch.function())).endMetadata()
                .withType("Opaque").withData(data).build();
    }

    private Pod pod(String name, WorkerLaunch launch) {
        List<Gpu> gpus = launch.gpus();
        List<EnvVar> env = new ArrayList<>();
        env.add(new EnvVar("HEARTH_NODE_CACHE", NODE_CACHE, null));
        // the device plugin exposes the pod's GPUs only, numbered from 0 inside the container
        env.add(new EnvVar("CUDA_VISIBLE_DEVICES", IntStream.range(0, gpus.size()).mapToObj(Integer::toString)
                .collect(Collectors.joining(",")), null));
        env.add(new EnvVarBuilder().withName("HEARTH_POD").withNewValueFrom().withNewFieldRef()
                .withFieldPath("metadata.name").endFieldRef().endValueFrom().build());
        env.add(new EnvVarBuilder().withName("HEARTH_POD_NODE").withNewValueFrom().withNewFieldRef()
                .withFieldPath("spec.nodeName").endFieldRef().endValueFrom().build());
        List<Volume> volumes = new ArrayList<>();
        List<VolumeMount> mounts = new ArrayList<>();
        List<String> keep = new ArrayList<>(List.of("HEARTH_POD", "HEARTH_POD_NODE"));
        List<String> links = new ArrayList<>();
        int i = 0;
        for (Map.Entry<String, String> v : launch.volumes().entrySet()) {
            String volume = "volume-" + i++;
            boolean absolute = v.getValue().startsWith("/");
            String at = absolute ? v.getValue() : VOLUME_ROOT + v.getKey();
            volumes.add(new VolumeBuilder().withName(volume).withNewPersistentVolumeClaim()
                    .withClaimName("hearth-volume-" + v.getKey()).endPersistentVolumeClaim().build());
            mounts.add(new VolumeMountBuilder().withName(volume).withMountPath(at).build());
            String variable = VolumePaths.environmentVariable(v.getKey());
            env.add(new EnvVar(variable, at, null));
            keep.add(variable);
            if (!absolute) {
                links.add(v.getValue() + "=" + at);
            }
        }
        env.add(new EnvVar("HEARTH_BOOT_KEEP", String.join(",", keep), null));
        env.add(new EnvVar("HEARTH_BOOT_LINKS", String.join(",", links), null));
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(WORKER, launch.workerId());
        annotations.put(FUNCTION, launch.function());
        annotations.put(VERSION, Integer.toString(launch.version()));
        annotations.put(GPUS, gpuIndices(gpus));
        String node = gpus.isEmpty() ? launch.env().get("HEARTH_NODE") : gpus.getFirst().node();
        PodBuilder b = new PodBuilder().withNewMetadata().withName(name).withNamespace(namespace)
                .withLabels(labels(launch.function())).withAnnotations(annotations).endMetadata()
                .withNewSpec().withRestartPolicy("Never").withAutomountServiceAccountToken(false)
                .addNewContainer().withName(CONTAINER)
                .withImage(launch.image() == null ? defaultImage : launch.image())
                .withCommand("python3", "-c", bootstrap)
                .withEnv(env).addNewEnvFrom().withNewSecretRef().withName(name).endSecretRef().endEnvFrom()
                .withVolumeMounts(mounts)
                .withNewResources().withLimits(gpus.isEmpty() ? Map.of()
                        : Map.of(KubernetesInventory.GPU_RESOURCE, new Quantity(Integer.toString(gpus.size()))))
                .endResources()
                .endContainer()
                .withVolumes(volumes)
                .endSpec();
        if (!gpus.isEmpty()) {
            b.editSpec().withNodeSelector(Map.of(KubernetesInventory.PRODUCT_LABEL,
                    inventory.productLabel(gpus.getFirst().type()))).endSpec();
        }
        if (node != null && inventory.nodes().contains(node)) {
            // the node Hearth counted the GPUs on: a field selector on the name, as DaemonSets pin theirs
            b.editSpec().withNewAffinity().withNewNodeAffinity()
                    .withNewRequiredDuringSchedulingIgnoredDuringExecution().addNewNodeSelectorTerm()
                    .addNewMatchField().withKey("metadata.name").withOperator("In").withValues(node).endMatchField()
                    .endNodeSelectorTerm().endRequiredDuringSchedulingIgnoredDuringExecution()
                    .endNodeAffinity().endAffinity().endSpec();
        }
        return b.build();
    }

    private static String gpuIndices(List<Gpu> gpus) {
        return gpus.stream().map(g -> Integer.toString(g.index())).collect(Collectors.joining(","));
    }

    /** The Secret goes with its pod: the cluster's garbage collector deletes it if nobody else does. */
    private void own(String name, Pod pod) {
        if (pod.getMetadata().getUid() == null) {
            return;
        }
        try {
            client.secrets().inNamespace(namespace).withName(name).edit(s -> new SecretBuilder(s).editMetadata()
                    .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("v1").withKind("Pod")
                            .withName(name).withUid(pod.getMetadata().getUid()).build())
                    .endMetadata().build());
        } catch (KubernetesClientException e) {
            LOG.log(Level.DEBUG, "cannot make pod {0} the owner of its Secret: {1}", name, message(e));
        }
    }

    @Override
    public List<RunningWorker> leftovers() {
        List<RunningWorker> found = new ArrayList<>();
        for (Pod pod : client.pods().inNamespace(namespace).withLabel(CONTROL_PLANE, controlPlane).list()
                .getItems()) {
            Map<String, String> a = pod.getMetadata().getAnnotations() == null ? Map.of()
                    : pod.getMetadata().getAnnotations();
            String workerId = a.get(WORKER);
            String name = pod.getMetadata().getName();
            if (workerId == null || !name.equals(podName(workerId))) {
                continue;
            }
            ScheduledWorker seen = scheduled(pod);
            if (ended(pod) || pod.getMetadata().getDeletionTimestamp() != null) {
                deleteQuietly(name, 0); // ended while nobody watched: nothing to adopt, only to clean up
                continue;
            }
            String version = a.getOrDefault(VERSION, "0");
            jobs.putIfAbsent(workerId, new Job(workerId, name, (w, code) -> { }, null, seen));
            found.add(new RunningWorker(workerId, a.getOrDefault(FUNCTION, ""),
                    version.matches("\\d{1,9}") ? Integer.parseInt(version) : 0, seen.node(), seen.devices()));
        }
        return found;
    }

    @Override
    public void adopt(RunningWorker worker, WorkerExitListener onExit) {
        Job left = jobs.get(worker.workerId());
        if (left == null) {
            throw new IllegalArgumentException("no pod of worker " + worker.workerId() + " to adopt");
        }
        Job adopted = new Job(left.workerId, left.pod, onExit, null, left.seen);
        if (!jobs.replace(worker.workerId(), left, adopted)) {
            onExit.exited(worker.workerId(), -1); // it ended meanwhile
        }
    }

    /** A pod of this control plane was added or changed. */
    private void seen(Pod pod) {
        Job job = jobOf(pod);
        if (job == null || job.ended) {
            return;
        }
        exitCode(pod).ifPresent(code -> job.lastExit = code);
        if (ended(pod)) {
            ended(job, scheduled(pod));
            deleteQuietly(job.pod, 0);
            return;
        }
        job.seen = scheduled(pod);
    }

    /** A pod of this control plane is gone (deleted, by Hearth or anyone). */
    private void gone(Pod pod) {
        Job job = jobOf(pod);
        exitCode(pod).ifPresent(code -> {
            if (job != null) {
                job.lastExit = code;
            }
        });
        if (job != null) {
            ended(job, job.seen);
        }
        deleteSecretQuietly(pod.getMetadata().getName());
    }

    private Job jobOf(Pod pod) {
        Map<String, String> a = pod.getMetadata().getAnnotations();
        String workerId = a == null ? null : a.get(WORKER);
        Job job = workerId == null ? null : jobs.get(workerId);
        return job != null && job.pod.equals(pod.getMetadata().getName()) ? job : null;
    }

    private static boolean ended(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return "Succeeded".equals(phase) || "Failed".equals(phase);
    }

    /** Where the pod is, as {@link ScheduledWorker}: its phase, why it waits, its node and Hearth's GPU indices. */
    static ScheduledWorker scheduled(Pod pod) {
        String phase = pod.getStatus() == null || pod.getStatus().getPhase() == null ? "Pending"
                : pod.getStatus().getPhase();
        String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        Map<String, String> a = pod.getMetadata().getAnnotations();
        String devices = a == null ? "" : a.getOrDefault(GPUS, "");
        return new ScheduledWorker(pod.getMetadata().getName(), phase.toUpperCase(java.util.Locale.ROOT),
                "Pending".equals(phase) ? waitReason(pod) : null, node == null || node.isEmpty() ? null : node,
                devices);
    }

    /** The scheduler's word on an unplaced pod, else why its container waits (an image that cannot be pulled). */
    private static String waitReason(Pod pod) {
        if (pod.getStatus() == null) {
            return null;
        }
        for (PodCondition c : Optional.ofNullable(pod.getStatus().getConditions()).orElse(List.of())) {
            if ("PodScheduled".equals(c.getType()) && "False".equals(c.getStatus())) {
                return c.getMessage() != null && !c.getMessage().isBlank() ? c.getMessage() : c.getReason();
            }
        }
        for (ContainerStatus s : Optional.ofNullable(pod.getStatus().getContainerStatuses()).orElse(List.of())) {
            if (s.getState() != null && s.getState().getWaiting() != null
                    && s.getState().getWaiting().getReason() != null) {
                String message = s.getState().getWaiting().getMessage();
                return s.getState().getWaiting().getReason() + (message == null ? "" : ": " + message);
            }
        }
        return null;
    }

    private static OptionalLong exitCodeLong(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
            return OptionalLong.empty();
        }
        for (ContainerStatus s : pod.getStatus().getContainerStatuses()) {
            ContainerStateTerminated t = s.getState() == null ? null : s.getState().getTerminated();
            if (CONTAINER.equals(s.getName()) && t != null && t.getExitCode() != null) {
                return OptionalLong.of(t.getExitCode());
            }
        }
        return OptionalLong.empty();
    }

    private static Optional<Integer> exitCode(Pod pod) {
        OptionalLong code = exitCodeLong(pod);
        return code.isPresent() ? Optional.of((int) code.getAsLong()) : Optional.empty();
    }

    private void ended(Job job, ScheduledWorker last) {
        if (!jobs.remove(job.workerId, job)) {
            return;
        }
        job.ended = true;
        job.seen = last;
        LOG.log(Level.DEBUG, "pod {0} of worker {1} ended ({2}), exit {3}", job.pod, job.workerId, last.state(),
                job.lastExit);
        Thread.ofVirtual().name("hearth-worker-exit").start(() -> {
            try {
                job.onExit.exited(job.workerId, job.lastExit);
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "exit listener of worker " + job.workerId + " failed", e);
            }
        });
    }

    @Override
    public void stop(String workerId, Duration grace) {
        Job job = jobs.get(workerId);
        if (job == null || job.ended) {
            return;
        }
        // a pod that waits (unscheduled, pulling its image) has nothing to drain
        long seconds = grace.isNegative() || job.seen.pending() ? 0
                : (grace.toMillis() + 999) / 1000;
        synchronized (job) {
            if (job.deleteGraceSeconds != null && job.deleteGraceSeconds <= seconds) {
                return; // already deleted with as short a grace; a shorter one shortens it
            }
            job.deleteGraceSeconds = seconds;
        }
        deleteQuietly(job.pod, seconds);
    }

    private void deleteQuietly(String pod, long graceSeconds) {
        try {
            client.pods().inNamespace(namespace).withName(pod).withGracePeriod(graceSeconds).delete();
        } catch (KubernetesClientException e) {
            LOG.log(Level.WARNING, "cannot delete pod {0}: {1}", pod, message(e));
        }
        deleteSecretQuietly(pod);
    }

    private void deleteSecretQuietly(String name) {
        try {
            client.secrets().inNamespace(namespace).withName(name).delete();
        } catch (KubernetesClientException e) {
            LOG.log(Level.DEBUG, "cannot delete Secret {0}: {1}", name, message(e));
        }
    }

    private static String message(KubernetesClientException e) {
        return e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
                : e.getMessage();
    }

    @Override
    public boolean isAlive(String workerId) {
        Job job = jobs.get(workerId);
        return job != null && !job.ended;
    }

    @Override
    public OptionalLong pid(String workerId) {
        return OptionalLong.empty();
    }

    @Override
    public Optional<ScheduledWorker> scheduled(String workerId) {
        Job job = jobs.get(workerId);
        return job == null ? Optional.empty() : Optional.of(job.seen);
    }

    /** A pod has a filesystem of its own: a volume's PersistentVolumeClaim is mounted at its absolute path there. */
    @Override
    public boolean mountsAtAbsolutePaths() {
        return true;
    }

    @Override
    public boolean allocatesGpusAtStart() {
        return true;
    }

    private void refreshInventory() {
        try {
            inventory.refresh();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cannot read the cluster's nodes: {0}", e.getMessage());
        }
    }

    @Override
    public void close() {
        closed = true;
        List<Job> all = List.copyOf(jobs.values());
        all.forEach(j -> stop(j.workerId, closeGrace));
        long deadline = System.nanoTime() + closeGrace.plus(CLOSE_SLACK).toNanos();
        while (!jobs.isEmpty() && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(100); // the informer reports the deletions
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (!jobs.isEmpty()) {
            LOG.log(Level.WARNING, "pods of workers {0} still there after their delete; giving up on them",
                    jobs.keySet());
        }
        informer.close();
        executor.shutdownNow();
        client.close();
    }
}
