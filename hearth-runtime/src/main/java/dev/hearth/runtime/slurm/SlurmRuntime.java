package dev.hearth.runtime.slurm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.placement.Gpu;
import dev.hearth.runtime.RunningWorker;
import dev.hearth.runtime.ScheduledWorker;
import dev.hearth.runtime.WorkerExitListener;
import dev.hearth.runtime.WorkerLaunch;
import dev.hearth.runtime.WorkerRuntime;
import dev.hearth.runtime.WorkerStartException;
import dev.hearth.runtime.boot.RemoteBoot;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs each worker as one Slurm batch job: {@code sbatch} on the node Hearth placed it on, with
 * {@code --gres=gpu:<type>:<count>} for its GPUs (which of the node's GPUs is Slurm's choice: it sets
 * {@code CUDA_VISIBLE_DEVICES}). The job runs a small python3 bootstrap that fetches the worker's launch (command,
 * environment), its code bundle and the worker library from the control plane with the worker's own token, then
 * runs the worker under the worker library's node supervisor, which sends the worker's output to the control plane
 * in batches (the worker's log file is written by the server, as a local worker's is written by the worker); only the
 * boot URL and that token are in the batch script. Jobs are named {@code hearth-<worker>}
 * and commented {@code hearth:<control plane>:<function>:<version>}, so this control plane finds its own again.
 *
 * <p>{@code squeue --json} is read every {@link #POLL} to learn when jobs end (their exit is reported then), why
 * pending ones wait and where running ones run; {@code sinfo} every few polls to follow the nodes. Stopping is
 * {@code scancel --full --signal=TERM} (the batch shell is the worker: it drains on it), then {@code scancel} once
 * the grace period is over.
 */
public final class SlurmRuntime implements WorkerRuntime {

    public static final String JOB_PREFIX = "hearth-";
    static final Duration POLL = Duration.ofMillis(200);
    private static final int INVENTORY_EVERY = 10;
    private static final System.Logger LOG = System.getLogger(SlurmRuntime.class.getName());
    private static final Set<String> ENDED = Set.of("COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL",
            "PREEMPTED", "BOOT_FAIL", "DEADLINE", "OUT_OF_MEMORY", "SPECIAL_EXIT", "REVOKED");
    private static final Pattern IDX = Pattern.compile("\\(IDX:([^)]*)\\)");
    private static final Duration CLOSE_SLACK = Duration.ofSeconds(15);

    private final SlurmCli slurm;
    private final SlurmInventory inventory;
    private final String partition;
    private final String controlPlane;
    private final String nodeCache;
    private final Duration closeGrace;
    private final String bootstrap;
    private final Map<String, Job> jobs = new ConcurrentHashMap<>();
    private final ScheduledExecutorService poller =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("hearth-slurm").factory());
    private long polls;
    private volatile boolean closed;

    /** One worker's Slurm job, as last seen by {@code squeue}. */
    private static final class Job {
        final String workerId;
        final String id;
        final WorkerExitListener onExit;
        volatile ScheduledWorker seen;
        volatile boolean ended;
        boolean stopping;
        long killAtNanos;

        Job(String workerId, String id, WorkerExitListener onExit, ScheduledWorker seen) {
            this.workerId = workerId;
            this.id = id;
            this.onExit = onExit;
            this.seen = seen;
        }
    }

    /**
     * @param partition    the partition to submit to, or null for the cluster's default
     * @param controlPlane this control plane's id, stable across its restarts (it tells its jobs from others')
     * @param nodeCache    where on a node the bootstrap keeps bundles and the worker library
     * @param closeGrace   how long {@link #close()} lets workers drain after SIGTERM before it cancels their jobs
     */
    public SlurmRuntime(SlurmCli slurm, SlurmInventory inventory, String partition, String controlPlane,
                        String nodeCache, Duration closeGrace) {
        this.slurm = slurm;
        this.inventory = inventory;
        this.partition = partition;
        this.controlPlane = Objects.requireNonNull(controlPlane, "controlPlane");
        this.nodeCache = Objects.requireNonNull(nodeCache, "nodeCache");
        this.closeGrace = closeGrace;
        try (InputStream in = SlurmRuntime.class.getResourceAsStream("bootstrap.py")) {
            this.bootstrap = new String(Objects.requireNonNull(in, "bootstrap.py").readAllBytes(),
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        poller.scheduleWithFixedDelay(this::poll, POLL.toMillis(), POLL.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** What a job's comment starts with when it belongs to this control plane. */
    private String commentPrefix() {
        return ownJobs(controlPlane);
    }

    /** What the comment of the jobs of the control plane with this id starts with (see {@link SlurmInventory}). */
    public static String ownJobs(String controlPlane) {
        return "hearth:" + controlPlane + ":";
    }

    /**
     * The jobs a previous run of this control plane left in the cluster (it crashed, or was killed), found by the
     * control plane id in their comment; until {@link #adopt}ed they are followed only to be stopped.
     */
    @Override
    public List<RunningWorker> leftovers() {
        List<RunningWorker> found = new ArrayList<>();
        for (JsonNode j : slurm.json(List.of("squeue", "--json")).path("jobs")) {
            String comment = j.path("comment").asText("");
            String name = j.path("name").asText("");
            String state = j.path("job_state").asText();
            if (!comment.startsWith(commentPrefix()) || !name.startsWith(JOB_PREFIX) || ENDED.contains(state)) {
                continue;
            }
            String[] fnVersion = comment.substring(commentPrefix().length()).split(":");
            String workerId = name.substring(JOB_PREFIX.length());
            String jobId = j.path("job_id").asText();
            int version = fnVersion.length == 2 && fnVersion[1].matches("\\d{1,9}")
                    ? Integer.parseInt(fnVersion[1]) : 0;
            String node = "PENDING".equals(state) ? null : j.path("nodes").asText(null);
            ScheduledWorker seen = new ScheduledWorker(jobId, state, null, node, devices(j.path("gres_detail")));
            jobs.putIfAbsent(workerId, new Job(workerId, jobId, (w, code) -> { }, seen));
            found.add(new RunningWorker(workerId, fnVersion[0], version, node, seen.devices()));
        }
        return found;
    }

    @Override
    public void adopt(RunningWorker worker, WorkerExitListener onExit) {
        Job left = jobs.get(worker.workerId());
        if (left == null) {
            throw new IllegalArgumentException("no Slurm job of worker " + worker.workerId() + " to adopt");
        }
        Job adopted = new Job(left.workerId, left.id, onExit, left.seen);
        if (!jobs.replace(worker.workerId(), left, adopted)) {
            onExit.exited(worker.workerId(), -1); // it ended meanwhile
        }
    }

    @Override
    public void start(WorkerLaunch launch, WorkerExitListener onExit) {
        RemoteBoot boot = RemoteBoot.of(launch, closed);
        String what = boot.what();
        String bootUrl = boot.bootUrl();
        String token = boot.token();
        List<String> command = new ArrayList<>(List.of(
                "--job-name=" + JOB_PREFIX + launch.workerId(),
                "--comment=" + commentPrefix() + launch.function() + ":" + launch.version(),
                "--output=/dev/null", // the worker's output travels over HTTP; the script keeps the rest on the node
                "--no-requeue", "--chdir=/tmp"));
        if (partition != null) {
            command.add("--partition=" + partition);
        }
        if (!launch.gpus().isEmpty()) {
            Gpu first = launch.gpus().getFirst();
            command.add("--nodelist=" + first.node());
            command.add("--gres=gpu:" + inventory.slurmType(first.type()) + ":" + launch.gpus().size());
        } else if (launch.env().get("HEARTH_NODE") != null) {
            command.add("--nodelist=" + launch.env().get("HEARTH_NODE"));
        }
        String jobId;
        try {
            jobId = slurm.submit(command, script(launch.workerId(), bootUrl, token));
        } catch (SlurmException e) {
            throw new WorkerStartException(what + e.getMessage(), e);
        }
        jobs.put(launch.workerId(), new Job(launch.workerId(), jobId, onExit,
                new ScheduledWorker(jobId, "PENDING", null, null, "")));
        LOG.log(Level.DEBUG, "worker {0} is Slurm job {1}", launch.workerId(), jobId);
    }

    /**
     * The batch script: only the boot URL and the worker's token; the rest comes over HTTP with that token. The
     * worker's output goes to the control plane (the bootstrap's supervisor sends it); what the bootstrap says before
     * that, such as why it could not reach the control plane, stays on the node in the cache's {@code logs/}.
     */
    private String script(String workerId, String bootUrl, String token) {
        return "#!/bin/sh\n"
                + "export HEARTH_BOOT_URL=" + quote(bootUrl) + "\n"
                + "export HEARTH_BOOT_TOKEN=" + quote(token) + "\n"
                + "export HEARTH_NODE_CACHE=" + quote(nodeCache) + "\n"
                + "mkdir -p \"$HEARTH_NODE_CACHE/logs\" && exec >>\"$HEARTH_NODE_CACHE/logs/\"" + quote(workerId + ".log")
                + " 2>&1\n"
                + "exec python3 -c " + quote(bootstrap) + "\n";
    }

    /** Single-quoted for sh: nothing in it is expanded. */
    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    @Override
    public void stop(String workerId, Duration grace) {
        Job job = jobs.get(workerId);
        if (job == null || job.ended) {
            return;
        }
        Duration delay = grace.isNegative() ? Duration.ZERO : grace;
        long killAt = System.nanoTime() + delay.toNanos();
        synchronized (job) {
            if (job.stopping && job.killAtNanos - killAt <= 0) {
                return;
            }
            boolean first = !job.stopping;
            job.stopping = true;
            job.killAtNanos = killAt;
            if (first && !job.seen.pending() && !delay.isZero()) {
                cancel(job, true);
            }
        }
        if (delay.isZero() || job.seen.pending()) {
            cancel(job, false); // a pending job has nothing to drain
            return;
        }
        try {
            poller.schedule(() -> cancel(job, false), delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            cancel(job, false);
        }
    }

    private void cancel(Job job, boolean term) {
        if (job.ended) {
            return;
        }
        List<String> command = term ? List.of("scancel", "--full", "--signal=TERM", job.id)
                : List.of("scancel", job.id);
        try {
            slurm.run(command, null);
        } catch (SlurmException e) {
            LOG.log(Level.WARNING, "cannot cancel Slurm job {0} of worker {1}: {2}", job.id, job.workerId,
                    e.getMessage());
        }
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
    public java.util.Optional<ScheduledWorker> scheduled(String workerId) {
        Job job = jobs.get(workerId);
        return job == null ? java.util.Optional.empty() : java.util.Optional.of(job.seen);
    }

    @Override
    public boolean allocatesGpusAtStart() {
        return true;
    }

    @Override
    public void nodeDraining(String node, boolean draining) {
        List<String> command = draining
                ? List.of("scontrol", "update", "NodeName=" + node, "State=DRAIN", "Reason=hearth node drain")
                : List.of("scontrol", "update", "NodeName=" + node, "State=RESUME");
        try {
            slurm.run(command, null);
        } catch (SlurmException e) {
            LOG.log(Level.WARNING, "cannot {0} Slurm node {1}: {2}", draining ? "drain" : "resume", node,
                    e.getMessage());
        }
        refreshInventory();
    }

    private void poll() {
        try {
            if (polls++ % INVENTORY_EVERY == 0) {
                refreshInventory();
            }
            if (jobs.isEmpty()) {
                return;
            }
            Map<String, JsonNode> byId = new HashMap<>();
            for (JsonNode j : slurm.json(List.of("squeue", "--json")).path("jobs")) {
                byId.put(j.path("job_id").asText(), j);
            }
            for (Job job : List.copyOf(jobs.values())) {
                JsonNode j = byId.get(job.id);
                if (j == null) {
                    ended(job, job.seen.state(), -1); // gone from squeue before we saw it end (MinJobAge)
                    continue;
                }
                String state = j.path("job_state").asText();
                if (ENDED.contains(state)) {
                    ended(job, state, exitCode(j.path("exit_code").asInt(-1)));
                    continue;
                }
                String reason = j.path("state_reason").asText("None");
                String node = j.path("nodes").asText("");
                job.seen = new ScheduledWorker(job.id, state, "None".equals(reason) ? null : reason,
                        node.isEmpty() || "PENDING".equals(state) ? null : node, devices(j.path("gres_detail")));
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cannot read Slurm's queue: {0}", e.getMessage());
        }
    }

    private void refreshInventory() {
        try {
            inventory.refresh();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cannot read Slurm's nodes: {0}", e.getMessage());
        }
    }

    /** {@code gpu:a100:1(IDX:0)}, {@code gpu:h100:2(IDX:1-2)} to {@code 0} and {@code 1,2}. */
    static String devices(JsonNode gresDetail) {
        List<String> indices = new ArrayList<>();
        for (JsonNode g : gresDetail) {
            Matcher m = IDX.matcher(g.asText());
            while (m.find()) {
                for (String part : m.group(1).split(",")) {
                    String[] range = part.split("-");
                    if (range.length == 2 && range[0].matches("\\d+") && range[1].matches("\\d+")) {
                        for (int i = Integer.parseInt(range[0]); i <= Integer.parseInt(range[1]); i++) {
                            indices.add(Integer.toString(i));
                        }
                    } else if (part.matches("\\d+")) {
                        indices.add(part);
                    }
                }
            }
        }
        return String.join(",", indices);
    }

    /** Slurm reports the wait status: a signal as 128 + its number (as a shell does), else the exit code. */
    static int exitCode(int status) {
        if (status < 0) {
            return -1;
        }
        int signal = status & 0x7f;
        return signal != 0 ? 128 + signal : status >> 8;
    }

    private void ended(Job job, String state, int code) {
        if (!jobs.remove(job.workerId, job)) {
            return;
        }
        job.ended = true;
        job.seen = new ScheduledWorker(job.id, state, null, job.seen.node(), job.seen.devices());
        LOG.log(Level.DEBUG, "Slurm job {0} of worker {1} ended: {2}", job.id, job.workerId, state);
        Thread.ofVirtual().name("hearth-worker-exit").start(() -> {
            try {
                job.onExit.exited(job.workerId, code);
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "exit listener of worker " + job.workerId + " failed", e);
            }
        });
    }

    @Override
    public void close() {
        closed = true;
        List<Job> all = List.copyOf(jobs.values());
        all.forEach(j -> stop(j.workerId, closeGrace));
        long deadline = System.nanoTime() + closeGrace.plus(CLOSE_SLACK).toNanos();
        while (!jobs.isEmpty() && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(POLL.toMillis()); // the poller reports the exits
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (!jobs.isEmpty()) {
            LOG.log(Level.WARNING, "Slurm jobs of workers {0} still there after scancel; giving up on them",
                    jobs.keySet());
        }
        poller.shutdownNow();
    }
}
