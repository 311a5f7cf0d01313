package dev.hearth.server.workers;

import dev.hearth.functions.FunctionVersion;
import dev.hearth.jobs.Job;
import dev.hearth.placement.BestFitPlacement;
import dev.hearth.placement.Gpu;
import dev.hearth.placement.GpuInventory;
import dev.hearth.runtime.WorkerLaunch;
import dev.hearth.runtime.WorkerRuntime;
import dev.hearth.runtime.WorkerStartException;
import dev.hearth.scaling.WorkerPhase;
import dev.hearth.server.timeline.LogSlice;
import dev.hearth.server.logging.LogContext;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * Starts, drains and stops worker processes: places them on GPUs, hands them their protocol environment, and turns
 * their exits into lost leases. Scale-down is a protocol: a drained worker gets no new jobs, finishes those it has,
 * and only then receives SIGTERM.
 */
public final class WorkerPool {

    private static final Logger LOG = Logger.getLogger(WorkerPool.class.getName());
    private static final int LAST_LINES = 20;
    private static final int LAST_LINES_BYTES = 64 << 10;

    private final WorkerRegistry registry;
    private final WorkerRuntime runtime;
    private final GpuInventory inventory;
    private volatile Function<FunctionVersion, Set<String>> warmNodes = v -> Set.of();
    private final WorkerCommands commands;
    private final InstantSource clock;
    private final Duration grace;
    /** Workers in a row that die before their first job before their version counts as crash looping. */
    private volatile int crashLoopAfter = 3;
    private final SecureRandom random = new SecureRandom();
    private final AtomicLong sequence = new AtomicLong();
    private final ConcurrentHashMap<String, String> waitingReasons = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, StartFailures> startFailures = new ConcurrentHashMap<>();
    private final Nodes nodes;
    private final Set<String> lackingGpus = ConcurrentHashMap.newKeySet();
    private final Set<String> drainedByCluster = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<String, CrashLoop> crashLooping = new ConcurrentHashMap<>();
    private volatile java.util.function.Consumer<CrashLoop> crashLoopListener = c -> { };
    private volatile WorkerEvents jobs = WorkerEvents.NONE;
    private volatile java.util.function.Function<String, Optional<FunctionVersion>> functions = f -> Optional.empty();
    private volatile WorkerObserver observer = WorkerObserver.NONE;
    private volatile java.util.function.UnaryOperator<String> tokenOf = id -> HexFormat.of().formatHex(bytes(24));
    private final ColdStarts coldStarts = new ColdStarts();
    private final PreinitPool preinit = new PreinitPool();

    public WorkerPool(WorkerRegistry registry, WorkerRuntime runtime, GpuInventory inventory, WorkerCommands commands,
                      InstantSource clock, Duration grace) {
        this.registry = registry;
        this.runtime = runtime;
        this.inventory = inventory;
        this.commands = commands;
        this.clock = clock;
        this.grace = grace;
        this.nodes = new Nodes(inventory.gpus());
    }

    /** Wired after construction: who is told what becomes of the workers (the job service). */
    public void events(WorkerEvents workerEvents) {
        this.jobs = workerEvents;
    }

    /** Wired after construction: how to find a function's latest version, to replace workers moved by a repack. */
    public void bindFunctions(java.util.function.Function<String, Optional<FunctionVersion>> lookup) {
        this.functions = lookup;
    }

    /** The latest version of a function, as {@link #bindFunctions} finds it. */
    public Optional<FunctionVersion> functionVersion(String function) {
        return functions.apply(function);
    }

    /**
     * Wired after construction, for runtimes whose workers outlive the control plane (Slurm): a worker's token is
     * derived from its id with a key kept in the data dir, so that a restarted control plane knows the tokens of the
     * workers it adopts. Without it each token is random.
     */
    public void deriveTokens(java.util.function.UnaryOperator<String> tokenOfWorker) {
        this.tokenOf = tokenOfWorker;
    }

    /**
     * Adopts the workers a previous run left running in the cluster (see {@link WorkerRuntime#leftovers()}): each of
     * a version still deployed becomes a worker again, with the same id, token, node and GPUs, starting (it is ready
     * at its next take); the others are stopped. Call once at start, after the job service recovered its jobs.
     *
     * @return how many were adopted
     */
    public synchronized int adoptLeftovers() {
        int adopted = 0;
        for (dev.hearth.runtime.RunningWorker r : runtime.leftovers()) {
            Optional<FunctionVersion> fn = functions.apply(r.function()).filter(v -> v.version() == r.version());
            if (fn.isEmpty() || r.node() == null || registry.find(r.workerId()).isPresent()) {
                LOG.info("stopping worker " + r.workerId() + " left by a previous run: "
                        + (fn.isEmpty() ? "version " + r.version() + " of " + r.function() + " is not the latest"
                        : "it was not placed yet"));
                runtime.stop(r.workerId(), Duration.ZERO);
                continue;
            }
            java.util.Set<String> devices = r.devices().isEmpty() ? Set.of() : Set.of(r.devices().split(","));
            List<Gpu> gpus = inventory.gpus().stream().filter(g -> g.node().equals(r.node())
                    && devices.contains(Integer.toString(g.index()))).toList();
            Worker w = new Worker(r.workerId(), r.function(), r.version(), tokenOf.apply(r.workerId()), gpus,
                    r.node(), slots(fn.get()), fn.get().manifest().batch(), clock.instant());
            registry.add(w);
            observer.started(w, fn.get(), false);
            runtime.adopt(r, (workerId, code) -> exited(w, code));
            LogContext.of(r.function(), null, r.workerId()).run(() -> LOG.info("adopted worker " + r.workerId()
                    + " on " + r.node() + " left running by a previous run"));
            adopted++;
        }
        return adopted;
    }

    /**
     * Where a version's new workers would start warm: the nodes whose cache holds its code and environment (see
     * {@link NodeCaches}); placement prefers them. Without it (local workers) no node is preferred.
     */
    public void preferWarmNodes(Function<FunctionVersion, Set<String>> warmNodes) {
        this.warmNodes = warmNodes;
    }

    /** The nodes where a new worker of the version would start warm, for the scaling round's placement. */
    public Set<String> warmNodes(FunctionVersion fn) {
        return warmNodes.apply(fn);
    }

    /** How many workers of a version in a row may die before their first job before it counts as crash looping. */
    public void crashLoopAfter(int workersInARow) {
        if (workersInARow < 1) {
            throw new IllegalArgumentException("the crash-loop threshold must be at least 1, got " + workersInARow);
        }
        this.crashLoopAfter = workersInARow;
    }

    /** Wired after construction: who follows workers' lives (metering). */
    public void observe(WorkerObserver workerObserver) {
        this.observer = workerObserver;
    }

    /**
     * Starts one worker for the function version on the GPUs the scaling round's plan chose for it (see
     * {@code dev.hearth.fleet.FleetPlanner}); a CPU worker (no GPUs) goes to the open node with the fewest workers.
     *
     * @return the worker, or empty with the reason recorded (see {@link #waitingReason})
     */
    public synchronized Optional<Worker> start(FunctionVersion fn, List<Gpu> gpus) {
        if (!mayStart(fn)) {
            refuse(fn);
            return Optional.empty();
        }
        String node;
        if (!gpus.isEmpty()) {
            node = gpus.getFirst().node();
            // the plan was made from a snapshot: a node drained or a GPU taken since then waits for the next round
            if (nodes.closed().contains(node) || registry.all().stream()
                    .anyMatch(w -> !w.hasExited() && w.gpus().stream().anyMatch(gpus::contains))) {
                noteLackingGpus(fn.name(), "waiting for GPU: " + gpus + " was taken or closed since the round began");
                return Optional.empty();
            }
        } else {
            node = nodes.forCpuWorker(registry.all().stream()
                    .collect(java.util.stream.Collectors.groupingBy(Worker::node, java.util.stream.Collectors.counting())));
            if (node == null) {
                lackingGpus.add(fn.name());
                waitingReasons.put(fn.name(), "waiting for a node: every node is draining (hearth node undrain)");
                return Optional.empty();
            }
        }
        lackingGpus.remove(fn.name());
        // the first minWorkers of a function are its always-on workers, billed at that (lower) rate
        boolean alwaysOn = registry.ofFunction(fn.name()).size() < fn.manifest().scaling().minWorkers();
        Optional<PreinitPool.Pooled> ready = gpus.isEmpty() ? Optional.empty()
                : preinit.takeWaiting(fn).filter(p -> runtime.isAlive(p.process().id()));
        if (ready.isPresent()) {
            return Optional.of(handOver(ready.get(), fn, gpus, node, alwaysOn));
        }
        String id = newId(fn);
        String token = tokenOf.apply(id);
        Worker w = new Worker(id, fn.name(), fn.version(), token, gpus, node, slots(fn), fn.manifest().batch(),
                clock.instant());
        registry.add(w);
        try {
            WorkerLaunch launch = commands.launch(fn, w, token);
            observer.started(w, fn, alwaysOn);
            runtime.start(launch, (workerId, code) -> exited(w, code));
        } catch (WorkerStartException e) {
            w.markExited();
            registry.remove(id);
            waitingReasons.put(fn.name(), e.getMessage());
            LOG.warning(e.getMessage());
            return Optional.empty();
        }
        if (!startFailures.containsKey(crashKey(fn.name(), fn.version()))) {
            waitingReasons.remove(fn.name());
        }
        return Optional.of(w);
    }

    /**
     * Whether a start of the version may be tried now, whatever the GPUs: not while it is crash looping, backing off
     * after failed starts, or a worker that reported its start failed has not exited yet (its replacement waits for
     * that failure to be counted).
     */
    public boolean mayStart(FunctionVersion fn) {
        if (crashLooping.containsKey(crashKey(fn.name(), fn.version()))) {
            return false;
        }
        StartFailures loop = startFailures.get(crashKey(fn.name(), fn.version()));
        if (loop != null && clock.instant().isBefore(loop.nextStartAt())) {
            return false;
        }
        return registry.ofFunction(fn.name()).stream().noneMatch(w -> w.version() == fn.version()
                && w.startFailure() != null && !w.hasExited());
    }

    /** A wanted start was not tried ({@link #mayStart} said no): a crash-looping version's queued jobs fail. */
    public void refuse(FunctionVersion fn) {
        CrashLoop looping = crashLooping.get(crashKey(fn.name(), fn.version()));
        if (looping != null) {
            jobs.failQueued(fn.name(), fn.version(), looping.error()); // retried or relaned since it was marked
        }
    }

    /** The scaling round found no GPUs for the function's start: why, as {@link #waitingReason} reports it. */
    public void noteLackingGpus(String function, String reason) {
        lackingGpus.add(function);
        long outside = functionVersion(function).filter(f -> f.manifest().gpu() != null)
                .map(f -> heldElsewhere().stream().filter(g -> BestFitPlacement.accepts(f.manifest().gpu(), g))
                        .count()).orElse(0L);
        waitingReasons.put(function, reason + (outside == 0 ? ""
                : "; " + outside + " of the GPUs it takes held by the cluster's jobs outside Hearth"));
    }

    private String newId(FunctionVersion fn) {
        return "w-" + fn.name() + "-" + sequence.incrementAndGet() + "-" + HexFormat.of().formatHex(bytes(3));
    }

    /** Job slots of a worker: a batching worker holds up to a batch per concurrent handler call. */
    private static int slots(FunctionVersion fn) {
        return fn.manifest().scaling().concurrency()
                * (fn.manifest().batch() == null ? 1 : fn.manifest().batch().maxSize());
    }

    /**
     * Makes a waiting pre-initialized process the worker placed on {@code gpus}: same process, id and token, a new
     * worker record that starts now (its cold start is only the hand-over), billed from now on for its GPUs.
     */
    private Worker handOver(PreinitPool.Pooled p, FunctionVersion fn, List<Gpu> gpus, String node, boolean alwaysOn) {
        Worker process = p.process();
        Worker w = new Worker(process.id(), fn.name(), fn.version(), process.token(), gpus, node, slots(fn),
                fn.manifest().batch(), clock.instant(), process.startedAt(), false);
        registry.add(w);
        p.adopt(w);
        process.markExited(); // closes its CPU-rate (preinit) usage interval
        observer.started(w, fn, alwaysOn);
        p.giveGpus(gpus);
        if (!startFailures.containsKey(crashKey(fn.name(), fn.version()))) {
            waitingReasons.remove(fn.name());
        }
        LogContext.of(fn.name(), null, w.id()).run(() -> LOG.info("pre-initialized worker " + w.id() + " given GPU(s) "
                + gpus.stream().map(g -> Integer.toString(g.index())).collect(java.util.stream.Collectors.joining(","))));
        return w;
    }

    /**
     * Keeps each version's pool of pre-initialized processes ({@code scaling.preinit}) at its size: launches the
     * missing ones, with no GPU, and stops those of versions no longer wanted. Called every scaling round.
     *
     * @param wanted     pool size by version; versions absent get none
     * @param refillLater versions with jobs waiting: their pools are refilled once the queue is empty, so that
     *                    starting interpreters does not take the CPU from the workers that serve a burst
     */
    public synchronized void keepPreinitialized(Map<FunctionVersion, Integer> wanted, Set<FunctionVersion> refillLater) {
        if (runtime.allocatesGpusAtStart()) {
            return; // a Slurm job gets its GPUs when it starts, never later: scaling.preinit does nothing there
        }
        Map<String, Integer> sizes = new java.util.HashMap<>();
        wanted.forEach((fn, n) -> sizes.put(crashKey(fn.name(), fn.version()), n));
        for (PreinitPool.Pooled p : preinit.surplus(sizes)) {
            p.process().drain();
            runtime.stop(p.process().id(), grace);
        }
        Instant now = clock.instant();
        wanted.forEach((fn, n) -> {
            String key = crashKey(fn.name(), fn.version());
            StartFailures loop = startFailures.get("preinit " + key);
            if (fn.manifest().gpu() == null || refillLater.contains(fn) || preinit.refused(key)
                    || loop != null && now.isBefore(loop.nextStartAt())) {
                return;
            }
            for (int i = preinit.count(key); i < n; i++) {
                if (!launchPooled(fn)) {
                    return;
                }
            }
        });
    }

    private boolean launchPooled(FunctionVersion fn) {
        String node = inventory.gpus().isEmpty() ? "local" : inventory.gpus().getFirst().node();
        String id = newId(fn);
        Worker process = new Worker(id, fn.name(), fn.version(), tokenOf.apply(id),
                List.of(), node, slots(fn), fn.manifest().batch(), clock.instant(), clock.instant(), true);
        PreinitPool.Pooled p = preinit.add(process, crashKey(fn.name(), fn.version()));
        WorkerLaunch launch = commands.launch(fn, process, process.token());
        try {
            observer.started(process, fn, false);
            runtime.start(launch, (workerId, code) -> pooledExited(p, code));
            return true;
        } catch (WorkerStartException e) {
            process.markExited();
            preinit.remove(p);
            LOG.warning(e.getMessage());
            return false;
        }
    }

    private void pooledExited(PreinitPool.Pooled p, int code) {
        Worker adopted = p.adopted();
        if (adopted != null) {
            exited(adopted, code);
            return;
        }
        Worker process = p.process();
        boolean onPurpose = process.isStopRequested();
        process.markExited();
        preinit.remove(p);
        if (!onPurpose && !p.isWaiting()) {
            StartFailures loop = startFailures.compute("preinit " + p.key(), (k, l) ->
                    (l == null ? new StartFailures(0, clock.instant()) : l).next(clock.instant()));
            preinit.note(process.function(), "pre-initialized worker " + process.id() + " exited with code " + code
                    + " before its setup was done (" + loop.failures() + " in a row; next one after "
                    + loop.nextStartAt() + "); see hearth logs " + process.function());
        }
    }

    /**
     * A pre-initialized process waits to be given GPUs ({@code GET /v2/{fn}/preinit-wait/{worker}}).
     *
     * @param marks      the moments of its start it reports (see {@code ColdStartPhases#of})
     * @param cudaReason why its setup() already initialized CUDA, or null: such a process is not used
     * @return its GPUs once a worker is placed, or empty if none came within {@code wait}
     * @throws dev.hearth.errors.HearthException.Unauthorized if it is no pooled process of the function
     * @throws dev.hearth.errors.HearthException.Conflict if it is not used (CUDA initialized, or being stopped)
     */
    public Optional<List<Gpu>> awaitGpus(String function, String workerId, String token, long[] marks,
                                         String cudaReason, Duration wait) throws InterruptedException {
        PreinitPool.Pooled p = preinit.authenticate(function, workerId, token).orElseThrow(() ->
                new dev.hearth.errors.HearthException.Unauthorized("unknown pre-initialized worker '" + workerId
                        + "' or wrong worker token for function '" + function + "'"));
        p.process().bootMarks(marks);
        startFailures.remove("preinit " + p.key());
        if (cudaReason != null && !cudaReason.isBlank()) {
            preinit.refuse(p, "pre-initialized worker " + workerId + " of " + function + " v" + p.process().version()
                    + " is not used: its setup() initialized CUDA before it was given GPUs (" + cudaReason
                    + "), so it could not use the GPUs it would be placed on; this version gets no more "
                    + "pre-initialized workers, its workers start with their GPUs (move CUDA work from setup() "
                    + "into the first job, or remove scaling.preinit)");
            p.process().drain();
            runtime.stop(workerId, grace);
            throw new dev.hearth.errors.HearthException.Conflict("this process initialized CUDA during setup(); "
                    + "it is not used as a pre-initialized worker");
        }
        if (p.process().isDraining() && p.adopted() == null) {
            throw new dev.hearth.errors.HearthException.Conflict("this pre-initialized worker is being stopped");
        }
        return p.awaitGpus(wait);
    }

    /** A pre-initialized process: still setting up, or waiting to be given GPUs. */
    public record PreinitProcess(Worker process, boolean waiting) {
    }

    /** The pre-initialized processes of the function (of every function when null), for listings. */
    public List<PreinitProcess> preinitialized(String function) {
        return preinit.ofFunction(function);
    }

    /** What happened in the pools since the last call (function, reason), for the scaling events. */
    public List<Map.Entry<String, String>> preinitNotes() {
        return preinit.drainNotes();
    }

    /** The phases of recent cold starts, for stats and metrics. */
    public ColdStarts coldStarts() {
        return coldStarts;
    }

    /**
     * The worker asks for work (job-take): the first time, its cold start ends here, with the phases it reports
     * ({@code hearth_boot}, see {@code ColdStartPhases}).
     */
    public void taking(Worker w, String bootParam) {
        synchronized (w) {
            if (w.readyAt() != null) {
                return;
            }
            w.bootMarks(dev.hearth.scaling.ColdStartPhases.parseMarks(bootParam));
            w.markReady(clock.instant());
        }
        if (w.coldStartPhases() != null) {
            coldStarts.record(new ColdStarts.ColdStart(w.function(), w.id(), w.readyAt(), w.coldStartPhases()));
        }
    }

    /** Whether the function's last start failed for want of GPUs (or of an open node), rather than a crash loop. */
    public boolean lacksGpus(String function) {
        return lackingGpus.contains(function);
    }

    /** How long a stopping worker gets to finish before it is killed. */
    public Duration stopGrace() {
        return grace;
    }

    /** The live worker with this id. */
    public Optional<Worker> worker(String workerId) {
        return registry.find(workerId);
    }

    public Nodes nodes() {
        return nodes;
    }

    public List<Gpu> inventory() {
        return inventory.gpus();
    }

    /** GPUs of the inventory that the cluster's jobs outside Hearth hold now (see {@link GpuInventory#heldElsewhere}). */
    public Set<Gpu> heldElsewhere() {
        Set<Gpu> used = new HashSet<>();
        registry.all().stream().filter(w -> !w.hasExited()).forEach(w -> used.addAll(w.gpus()));
        return inventory.heldElsewhere(used);
    }

    /**
     * The GPUs the scaling round may place on: the inventory less those another user's job of a shared cluster holds
     * (Slurm would queue a worker placed there behind that job).
     */
    public List<Gpu> placeableInventory() {
        Set<Gpu> elsewhere = heldElsewhere();
        return elsewhere.isEmpty() ? inventory.gpus()
                : inventory.gpus().stream().filter(g -> !elsewhere.contains(g)).toList();
    }

    /**
     * Drains a node (maintenance, a spot interruption notice): no new workers are placed on it, its workers take no
     * new jobs and stop once their jobs are done; jobs still running when the grace period ends go back to the queue
     * without using a retry and run on another node (see {@link #sweep}).
     */
    public Nodes.Status drainNode(String node, Duration gracePeriod) {
        Nodes.Status status = drainNodeHere(node, gracePeriod);
        runtime.nodeDraining(node, true);
        return status;
    }

    private Nodes.Status drainNodeHere(String node, Duration gracePeriod) {
        nodes.draining(node, clock.instant().plus(gracePeriod));
        registry.all().stream().filter(w -> w.node().equals(node)).forEach(this::drain);
        sweepNodes(clock.instant());
        return nodes.require(node);
    }

    /** The node takes new workers again. */
    public Nodes.Status undrainNode(String node) {
        nodes.activate(node);
        drainedByCluster.remove(node);
        runtime.nodeDraining(node, false);
        return nodes.require(node);
    }

    /**
     * Follows the cluster's nodes: those added to it (or its partition) take workers, those removed from it are
     * forgotten; and those the cluster's scheduler (Slurm) runs nothing on: such a node is drained here too, with the
     * pool's grace period, so its workers finish their jobs or hand them back to run elsewhere; once the scheduler
     * takes work there again, so does Hearth (unless it was drained here, with {@code hearth node drain}).
     *
     * @param unavailable the scheduler's closed nodes, with its reason
     */
    public synchronized void followCluster(Map<String, String> unavailable) {
        List<String> before = nodes.all().stream().map(Nodes.Status::name).toList();
        if (nodes.follow(inventory.gpus())) {
            LOG.info("the cluster's nodes changed: " + nodes.all().stream().map(Nodes.Status::name).toList()
                    + " (were " + before + ")");
            drainedByCluster.retainAll(nodes.all().stream().map(Nodes.Status::name).toList());
        }
        unavailable.forEach((node, why) -> {
            Nodes.Status s = nodes.find(node);
            if (s != null && s.state() == dev.hearth.placement.NodeState.ACTIVE) {
                LOG.info("node " + node + " takes no work in the cluster (" + why + "); draining it");
                drainedByCluster.add(node);
                drainNodeHere(node, grace);
            }
        });
        for (String node : List.copyOf(drainedByCluster)) {
            if (!unavailable.containsKey(node)) {
                LOG.info("node " + node + " takes work in the cluster again; undrained");
                drainedByCluster.remove(node);
                nodes.activate(node);
            }
        }
    }

    /** Where the cluster's scheduler has the worker (its job, state, node and GPUs), for runtimes that have one. */
    public Optional<dev.hearth.runtime.ScheduledWorker> scheduled(String workerId) {
        return runtime.scheduled(workerId);
    }

    private void sweepNodes(Instant now) {
        for (Nodes.Status s : nodes.all()) {
            if (s.state() != dev.hearth.placement.NodeState.DRAINING) {
                continue;
            }
            List<Worker> left = registry.all().stream().filter(w -> w.node().equals(s.name())).toList();
            if (left.isEmpty()) {
                nodes.drained(s.name());
                LOG.info("node " + s.name() + " is drained");
                continue;
            }
            boolean graceOver = !now.isBefore(s.graceEndsAt());
            for (Worker w : left) {
                if (w.phase() != WorkerPhase.DRAINING) {
                    drain(w); // placed while the drain began
                }
                if (graceOver && w.inFlightCount() > 0) {
                    int n = jobs.handBack(w, "node " + s.name() + " was drained and its grace period ended");
                    LOG.info("node " + s.name() + ": handed " + n + " job(s) of worker " + w.id()
                            + " back to the queue");
                    stop(w, Duration.ofSeconds(2));
                }
            }
        }
    }

    /** Consecutive 401s of one worker after which its function's queued jobs say so. */
    static final int REFUSALS_SHOWN_AFTER = 3;

    /**
     * A request that named the worker carried a wrong token: after a few in a row, the function's queued jobs show
     * why they wait (a worker that keeps being refused never takes them).
     */
    public void refused(Worker w) {
        int n = w.refused();
        if (n >= REFUSALS_SHOWN_AFTER) {
            waitingReasons.put(w.function(), "worker " + w.id() + " is refused: " + n + " of its requests in a row "
                    + "carried a wrong worker token (401); runpod-python sends the key of ~/.runpod/config.toml "
                    + "or of RUNPOD_API_KEY when one is set, or give it the URLs it was started with (they carry its "
                    + "token); see hearth logs " + w.function());
        }
    }

    /** Why the function's queued jobs wait (no free GPU, start failure), or null. */
    public String waitingReason(String function) {
        String reason = waitingReasons.get(function);
        if (reason != null) {
            return reason;
        }
        // a worker the cluster's scheduler has not placed yet: its reason (Slurm's "Resources", say)
        for (Worker w : registry.ofFunction(function)) {
            Optional<dev.hearth.runtime.ScheduledWorker> s = w.phase() == WorkerPhase.STARTING
                    ? runtime.scheduled(w.id()) : Optional.empty();
            if (s.isPresent() && s.get().pending()) {
                return "worker " + w.id() + " waits in the cluster's queue as job " + s.get().job() + ": "
                        + (s.get().reason() == null ? "not placed yet" : s.get().reason());
            }
        }
        return null;
    }

    /** Stop routing to the worker; it receives SIGTERM once its in-flight jobs are done (see {@link #sweep}). */
    public void drain(Worker w) {
        if (w.phase() != WorkerPhase.DRAINING) {
            w.drain();
            jobs.wake(w.function());
        }
        if (w.idleForStop()) {
            stop(w, grace);
        }
    }

    /** Drains every worker of a function that does not run the given version (a rolling release). */
    public void drainOlderThan(FunctionVersion fn) {
        registry.ofFunction(fn.name()).stream().filter(w -> w.version() != fn.version()).forEach(this::drain);
    }

    public void drainAll(String function) {
        registry.ofFunction(function).forEach(this::drain);
    }

    /**
     * Periodic: stops drained workers that have become idle, and replaces workers that overran their start-up
     * timeout.
     */
    public void sweep() {
        Instant now = clock.instant();
        sweepNodes(now);
        sweepPreinitialized(now);
        for (Worker w : registry.all()) {
            if (w.hasExited()) {
                continue;
            }
            if (w.phase() == WorkerPhase.DRAINING && w.idleForStop()) {
                stop(w, grace);
            } else if (w.phase() == WorkerPhase.STARTING) {
                Duration limit = functions.apply(w.function()).map(f -> f.manifest().startupTimeout())
                        .orElse(Duration.ofMinutes(5));
                if (w.startedAt().plus(limit).isBefore(now)) {
                    w.markStartFailed("it did not ask for a job within its startupTimeout of " + limit.toMillis()
                            + " ms");
                    w.drain();
                    stop(w, Duration.ZERO);
                }
            }
        }
    }

    /** Pre-initialized processes still setting up after their startupTimeout: stopped, and retried with back-off. */
    private void sweepPreinitialized(Instant now) {
        for (PreinitProcess p : preinit.ofFunction(null)) {
            Worker w = p.process();
            Duration limit = functions.apply(w.function()).map(f -> f.manifest().startupTimeout())
                    .orElse(Duration.ofMinutes(5));
            if (p.waiting() || w.isDraining() || !w.startedAt().plus(limit).isBefore(now)) {
                continue;
            }
            String key = crashKey(w.function(), w.version());
            StartFailures loop = startFailures.compute("preinit " + key, (k, l) ->
                    (l == null ? new StartFailures(0, now) : l).next(now));
            preinit.note(w.function(), "pre-initialized worker " + w.id() + " did not finish its import and setup "
                    + "within its startupTimeout of " + limit.toMillis() + " ms; stopped (" + loop.failures()
                    + " in a row; next one after " + loop.nextStartAt() + ")");
            w.drain();
            stop(w, Duration.ZERO);
        }
    }

    /** The worker reported that its start-up failed (runpod-python's unhealthy ping): replace it, with back-off. */
    public void startFailed(Worker worker, String reason) {
        String masked = commands.logMask(worker.function()).apply(reason); // an exception may quote a secret
        worker.markStartFailed(masked);
        retireWorker(worker, masked);
    }

    /** The worker should be replaced: it timed out on a job, or asked to be (stopPod). */
    public void retireWorker(Worker worker, String reason) {
        LogContext.of(worker.function(), null, worker.id())
                .run(() -> LOG.info("replacing worker " + worker.id() + ": " + reason));
        worker.drain();
        jobs.wake(worker.function());
        // A worker stuck in a timed-out handler will not finish on its own: short grace, then SIGKILL.
        stop(worker, worker.inFlightCount() == 0 ? grace : Duration.ofSeconds(2));
    }

    /** The worker should take no new job, finish those it runs, then stop: its version is no longer released. */
    public void drainWorker(Worker worker, String reason) {
        LogContext.of(worker.function(), null, worker.id())
                .run(() -> LOG.info("draining worker " + worker.id() + ": " + reason));
        drain(worker);
    }

    /** The worker took a job: its function no longer waits for capacity, and its version is not crash looping. */
    public void jobStarted(Job job, Worker worker) {
        waitingReasons.remove(job.function());
        startFailures.remove(crashKey(worker.function(), worker.version()));
        crashLooping.remove(crashKey(worker.function(), worker.version()));
    }

    /**
     * Workers of a function that keep dying before their first job: back off exponentially (0.5 s doubling to 60 s),
     * so a broken handler costs a log line now and then rather than a process every tick.
     */
    private record StartFailures(int failures, Instant nextStartAt) {
        StartFailures next(Instant now) {
            long delay = Math.min(60_000, 500L << Math.min(failures, 7));
            return new StartFailures(failures + 1, now.plusMillis(delay));
        }
    }

    /** Per version: a canary that crashes at start must not hold back the stable version's workers. */
    private static String crashKey(String function, int version) {
        return function + "@" + version;
    }

    private void exited(Worker w, int code) {
        boolean onPurpose = w.isStopRequested();
        LogContext.of(w.function(), null, w.id()).run(() -> LOG.info("worker " + w.id() + " of " + w.function()
                + " exited with code " + code + (onPurpose ? " after it was asked to stop" : "")
                + (w.inFlight().isEmpty() ? "" : " holding " + w.inFlightCount() + " jobs")));
        w.markExited();
        registry.remove(w.id());
        if (!w.inFlight().isEmpty()) {
            jobs.workerLost(w, "worker " + w.id() + " exited with code " + code + " while running the job");
        }
        if (w.readyAt() == null && (!onPurpose || w.startFailure() != null)) {
            StartFailures loop = startFailures.compute(crashKey(w.function(), w.version()), (f, l) ->
                    (l == null ? new StartFailures(0, clock.instant()) : l).next(clock.instant()));
            String why = w.startFailure() != null ? w.startFailure() : "it exited with code " + code;
            if (loop.failures() >= crashLoopAfter) {
                crashLooping(w, why, loop.failures());
            } else {
                waitingReasons.put(w.function(), "worker " + w.id() + " failed before asking for a job: " + why
                        + " (" + loop.failures() + " in a row; next start after " + loop.nextStartAt()
                        + "); see hearth logs " + w.function());
            }
        }
    }

    /**
     * The version's workers died before their first job {@link #crashLoopAfter} times in a row: waiting would be
     * for ever, so its queued jobs fail with the error and no worker starts for it until {@link #restart} or a
     * redeploy.
     */
    private void crashLooping(Worker w, String why, int failures) {
        String key = crashKey(w.function(), w.version());
        if (crashLooping.containsKey(key)) {
            return;
        }
        List<String> lines = LogSlice.read(commands.logDir(w.function()).resolve(w.id() + ".log"), 0, -1,
                LAST_LINES_BYTES, false).lines();
        java.util.function.UnaryOperator<String> mask = commands.logMask(w.function());
        List<String> last = lines.subList(Math.max(0, lines.size() - LAST_LINES), lines.size()).stream()
                .map(mask).toList();
        // a process that said nothing to the control plane usually said why on its way out (a traceback's end)
        String printed = w.startFailure() != null ? "" : last.reversed().stream().filter(l -> !l.isBlank())
                .findFirst().map(l -> " (its last line: " + l.strip() + ")").orElse("");
        String error = mask.apply("version " + w.version() + " of " + w.function() + " is crash looping: " + failures
                + " workers in a row exited before asking for a job; the last (" + w.id() + ") because " + why
                + printed + ". See hearth logs " + w.function() + ", then deploy a fix or run hearth restart "
                + w.function()); // what the worker reported may quote a secret too
        CrashLoop loop = new CrashLoop(w.function(), w.version(), error, last, failures, clock.instant());
        if (crashLooping.putIfAbsent(key, loop) != null) {
            return;
        }
        waitingReasons.put(w.function(), error);
        LogContext.of(w.function(), null, w.id()).run(() -> LOG.warning(error));
        crashLoopListener.accept(loop);
        int failed = jobs.failQueued(w.function(), w.version(), error);
        if (failed > 0) {
            LOG.info("failed " + failed + " queued job(s) of crash-looping version " + w.version() + " of "
                    + w.function());
        }
    }

    /** The crash loop of the function version, if it is in one. */
    public Optional<CrashLoop> crashLoop(String function, int version) {
        return Optional.ofNullable(crashLooping.get(crashKey(function, version)));
    }

    /** The crash loops of the function's versions, oldest version first. */
    public List<CrashLoop> crashLoops(String function) {
        return crashLooping.values().stream().filter(c -> c.function().equals(function))
                .sorted(java.util.Comparator.comparingInt(CrashLoop::version)).toList();
    }

    /** Wired after construction: who hears of each new crash loop (metrics). */
    public void onCrashLoop(java.util.function.Consumer<CrashLoop> listener) {
        this.crashLoopListener = listener;
    }

    /**
     * Forgets the function's crash loops and start failures, and replaces its workers: {@code hearth restart}, and
     * what a deploy does for the versions before it.
     *
     * @return the crash loops that were cleared
     */
    public synchronized List<CrashLoop> restart(String function, boolean replaceWorkers) {
        List<CrashLoop> cleared = crashLoops(function);
        crashLooping.keySet().removeIf(k -> k.startsWith(function + "@"));
        startFailures.keySet().removeIf(k -> k.startsWith(function + "@") || k.startsWith("preinit " + function + "@"));
        waitingReasons.remove(function);
        if (replaceWorkers) {
            drainAll(function);
        }
        return cleared;
    }


    public List<Worker> workers(String function) {
        return function == null ? List.copyOf(registry.all()) : registry.ofFunction(function);
    }

    public java.util.OptionalLong pid(String workerId) {
        return runtime.pid(workerId);
    }

    /**
     * Stops every worker: the drain of every node at once. Workers take no new jobs and get SIGTERM (the worker
     * libraries finish their in-flight jobs on it), SIGKILL after the grace period; waits for them. Jobs still
     * running then go back to the queue without using a retry (the job service has stopped dispatch).
     */
    public void stopAll() {
        Instant end = clock.instant().plus(grace);
        nodes.all().forEach(s -> nodes.draining(s.name(), end));
        registry.all().forEach(w -> {
            w.drain();
            w.markStopping();
        });
        runtime.close();
    }

    /**
     * Stops the worker's process (SIGTERM, SIGKILL after {@code grace}), answering its pending long-polls first: a
     * runpod-python worker waits for its open requests before it exits, ~20 s with its GPU held otherwise.
     */
    private void stop(Worker w, Duration grace) {
        w.markStopping();
        if (jobs != null) {
            jobs.wake(w.function());
        }
        runtime.stop(w.id(), grace);
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
