package dev.hearth.server.workers;

import dev.hearth.functions.FunctionVersion;
import dev.hearth.jobs.Job;
import dev.hearth.placement.BestFitPlacement;
import dev.hearth.placement.Gpu;
import dev.hearth.placement.GpuInventory;
import dev.hearth.placement.Placement;
import dev.hearth.runtime.WorkerLaunch;
import dev.hearth.runtime.WorkerRuntime;
import dev.hearth.runtime.WorkerStartException;
import dev.hearth.scaling.WorkerPhase;
import dev.hearth.server.jobs.JobEvents;
import dev.hearth.server.jobs.JobService;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * Starts, drains and stops worker processes: places them on GPUs, hands them their protocol environment, and turns
 * their exits into lost leases. Scale-down is a protocol: a drained worker gets no new jobs, finishes those it has,
 * and only then receives SIGTERM.
 */
public final class WorkerPool implements JobEvents {

    private static final Logger LOG = Logger.getLogger(WorkerPool.class.getName());

    private final WorkerRegistry registry;
    private final WorkerRuntime runtime;
    private final GpuInventory inventory;
    private final BestFitPlacement placement = new BestFitPlacement();
    private final WorkerCommands commands;
    private final InstantSource clock;
    private final Duration grace;
    private final SecureRandom random = new SecureRandom();
    private final AtomicLong sequence = new AtomicLong();
    private final ConcurrentHashMap<String, String> waitingReasons = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, CrashLoop> crashLoops = new ConcurrentHashMap<>();
    private volatile JobService jobs;
    private volatile WorkerObserver observer = WorkerObserver.NONE;

    public WorkerPool(WorkerRegistry registry, WorkerRuntime runtime, GpuInventory inventory, WorkerCommands commands,
                      InstantSource clock, Duration grace) {
        this.registry = registry;
        this.runtime = runtime;
        this.inventory = inventory;
        this.commands = commands;
        this.clock = clock;
        this.grace = grace;
    }

    /** Wired after construction: the job service and the pool know each other. */
    public void bind(JobService jobService) {
        this.jobs = jobService;
    }

    /** Wired after construction: who follows workers' lives (metering). */
    public void observe(WorkerObserver workerObserver) {
        this.observer = workerObserver;
    }

    /**
     * Starts one worker for the function version, if GPUs allow.
     *
     * @return the worker, or empty with the reason recorded (see {@link #waitingReason})
     */
    public synchronized Optional<Worker> start(FunctionVersion fn) {
        CrashLoop loop = crashLoops.get(crashKey(fn.name(), fn.version()));
        if (loop != null && clock.instant().isBefore(loop.nextStartAt())) {
            return Optional.empty();
        }
        List<Gpu> gpus = List.of();
        if (fn.manifest().gpu() != null) {
            Placement p = placement.place(fn.manifest().gpu(), inventory.gpus(), gpusInUse());
            if (p instanceof Placement.Unplaceable u) {
                waitingReasons.put(fn.name(), u.reason());
                return Optional.empty();
            }
            gpus = ((Placement.Placed) p).gpus();
        }
        String id = "w-" + fn.name() + "-" + sequence.incrementAndGet() + "-" + HexFormat.of().formatHex(bytes(3));
        String token = HexFormat.of().formatHex(bytes(24));
        // a batching worker holds up to a batch per concurrent handler call
        int slots = fn.manifest().scaling().concurrency()
                * (fn.manifest().batch() == null ? 1 : fn.manifest().batch().maxSize());
        Worker w = new Worker(id, fn.name(), fn.version(), token, gpus, slots, clock.instant());
        // the first minWorkers of a function are its always-on workers, billed at that (lower) rate
        boolean alwaysOn = registry.ofFunction(fn.name()).size() < fn.manifest().scaling().minWorkers();
        registry.add(w);
        WorkerLaunch launch = commands.launch(fn, w, token);
        try {
            observer.started(w, fn, alwaysOn);
            runtime.start(launch, (workerId, code) -> exited(w, code));
        } catch (WorkerStartException e) {
            w.markExited();
            registry.remove(id);
            waitingReasons.put(fn.name(), e.getMessage());
            LOG.warning(e.getMessage());
            return Optional.empty();
        }
        if (!crashLoops.containsKey(crashKey(fn.name(), fn.version()))) {
            waitingReasons.remove(fn.name());
        }
        return Optional.of(w);
    }

    /** Why the function's queued jobs wait (no free GPU, start failure), or null. */
    public String waitingReason(String function) {
        return waitingReasons.get(function);
    }

    /** Stop routing to the worker; it receives SIGTERM once its in-flight jobs are done (see {@link #sweep}). */
    public void drain(Worker w) {
        if (w.phase() != WorkerPhase.DRAINING) {
            w.drain();
            jobs.wake(w.function());
        }
        if (w.inFlightCount() == 0) {
            runtime.stop(w.id(), grace);
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
    public void sweep(java.util.function.Function<String, Optional<FunctionVersion>> functions) {
        Instant now = clock.instant();
        for (Worker w : registry.all()) {
            if (w.hasExited()) {
                continue;
            }
            if (w.phase() == WorkerPhase.DRAINING && w.inFlightCount() == 0) {
                runtime.stop(w.id(), grace);
            } else if (w.phase() == WorkerPhase.STARTING) {
                Duration limit = functions.apply(w.function()).map(f -> f.manifest().startupTimeout())
                        .orElse(Duration.ofMinutes(5));
                if (w.startedAt().plus(limit).isBefore(now)) {
                    w.markStartFailed("it did not ask for a job within its startupTimeout of " + limit.toMillis()
                            + " ms");
                    w.drain();
                    runtime.stop(w.id(), Duration.ZERO);
                }
            }
        }
    }

    /** The worker reported that its start-up failed (runpod-python's unhealthy ping): replace it, with back-off. */
    public void startFailed(Worker worker, String reason) {
        worker.markStartFailed(reason);
        retireWorker(worker, reason);
    }

    @Override
    public void retireWorker(Worker worker, String reason) {
        LogContext.of(worker.function(), null, worker.id())
                .run(() -> LOG.info("replacing worker " + worker.id() + ": " + reason));
        worker.drain();
        jobs.wake(worker.function());
        // A worker stuck in a timed-out handler will not finish on its own: short grace, then SIGKILL.
        runtime.stop(worker.id(), worker.inFlightCount() == 0 ? grace : Duration.ofSeconds(2));
    }

    @Override
    public void started(Job job, Worker worker) {
        waitingReasons.remove(job.function());
        crashLoops.remove(crashKey(worker.function(), worker.version()));
    }

    /**
     * Workers of a function that keep dying before their first job: back off exponentially (0.5 s doubling to 60 s),
     * so a broken handler costs a log line now and then rather than a process every tick.
     */
    private record CrashLoop(int failures, Instant nextStartAt) {
        CrashLoop next(Instant now) {
            long delay = Math.min(60_000, 500L << Math.min(failures, 7));
            return new CrashLoop(failures + 1, now.plusMillis(delay));
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
            CrashLoop loop = crashLoops.compute(crashKey(w.function(), w.version()), (f, l) ->
                    (l == null ? new CrashLoop(0, clock.instant()) : l).next(clock.instant()));
            String why = w.startFailure() != null ? w.startFailure() : "it exited with code " + code;
            waitingReasons.put(w.function(), "worker " + w.id() + " failed before asking for a job: " + why + " ("
                    + loop.failures() + " in a row; next start after " + loop.nextStartAt() + "); see hearth logs "
                    + w.function());
        }
    }

    public List<Worker> workers(String function) {
        return function == null ? List.copyOf(registry.all()) : registry.ofFunction(function);
    }

    public java.util.OptionalLong pid(String workerId) {
        return runtime.pid(workerId);
    }

    /** Stops every worker: SIGTERM, the grace period, SIGKILL; waits for them. */
    public void stopAll() {
        registry.all().forEach(Worker::drain);
        runtime.close();
    }

    private Set<Gpu> gpusInUse() {
        Set<Gpu> used = new HashSet<>();
        registry.all().forEach(w -> used.addAll(w.gpus()));
        return used;
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
