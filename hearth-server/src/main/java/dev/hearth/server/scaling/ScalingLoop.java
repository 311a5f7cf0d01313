package dev.hearth.server.scaling;

import dev.hearth.fleet.FleetMemory;
import dev.hearth.fleet.FleetPlan;
import dev.hearth.fleet.FleetPlanner;
import dev.hearth.fleet.FleetSnapshot;
import dev.hearth.functions.FunctionVersion;
import dev.hearth.functions.Scaler;
import dev.hearth.functions.ScalingConfig;
import dev.hearth.jobs.Job;
import dev.hearth.placement.FairShare;
import dev.hearth.scaling.Autoscaler;
import dev.hearth.scaling.FunctionLoad;
import dev.hearth.scaling.ScalingDecision;
import dev.hearth.scaling.WorkerPhase;
import dev.hearth.server.functions.FunctionRegistry;
import dev.hearth.server.jobs.JobEvents;
import dev.hearth.server.jobs.JobService;
import dev.hearth.server.releases.ReleaseLanes;
import dev.hearth.server.workers.Worker;
import dev.hearth.server.workers.WorkerPool;
import dev.hearth.time.Ticker;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The mechanics around the pure {@link FleetPlanner} (which asks the {@link Autoscaler}): every tick (and at once when
 * a job arrives) it snapshots each lane's load and the workers, asks the planner, applies the plan to the worker pool
 * and records each decision with its inputs. It owns the planner's {@link FleetMemory} (windows, fair-share waiting,
 * repack reservations); only its thread touches it.
 */
public final class ScalingLoop implements JobEvents, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ScalingLoop.class.getName());

    private final FunctionRegistry functions;
    private final JobService jobs;
    private final WorkerPool pool;
    private final Autoscaler autoscaler;
    private final ScalingEvents events;
    private final ScalingSettings settings;
    private final ReleaseLanes lanes;
    private final Ticker clock;
    private final Duration tick;
    private final FleetPlanner planner;
    private final FleetMemory memory = new FleetMemory();
    private final PlanApplier applier;
    private final ArrayBlockingQueue<Boolean> nudges = new ArrayBlockingQueue<>(1);
    private final Thread thread;
    private volatile boolean running = true;

    public ScalingLoop(FunctionRegistry functions, JobService jobs, WorkerPool pool, Autoscaler autoscaler,
                       ScalingEvents events, ScalingSettings settings, Ticker clock, Duration tick) {
        this.functions = functions;
        this.jobs = jobs;
        this.pool = pool;
        this.autoscaler = autoscaler;
        this.events = events;
        this.settings = settings;
        this.lanes = new ReleaseLanes(functions, jobs, pool);
        this.clock = clock;
        this.tick = tick;
        // GPUs freed by a repack stay reserved while the moved workers finish stopping, and a while after
        this.planner = new FleetPlanner(autoscaler, new FairShare(clock, FairShare.DEFAULT_AGING), clock,
                pool.stopGrace().plusSeconds(30));
        this.applier = new PlanApplier(pool, events, clock);
        this.thread = Thread.ofVirtual().name("hearth-scaling").unstarted(this::run);
    }

    public void start() {
        thread.start();
    }

    /** Runs a round now rather than at the next tick: the first job at zero workers must not wait. */
    public void nudge() {
        nudges.offer(Boolean.TRUE);
    }

    @Override
    public void submitted(Job job) {
        nudge();
    }

    @Override
    public void requeued(Job job, String reason) {
        nudge();
    }

    private void run() {
        while (running) {
            try {
                nudges.poll(tick.toMillis(), TimeUnit.MILLISECONDS);
                if (running) {
                    runOnce();
                    // A burst of submits nudges thousands of times a second; one round per few ms sees them all.
                    clock.sleep(FleetPlanner.MIN_ROUND_GAP);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "scaling round failed; next round goes on", e);
            }
        }
    }

    /**
     * One round over every function (each release lane of a split function on its own): the core
     * {@link FleetPlanner} decides from a snapshot of the lanes and workers (autoscaler decisions, fair-share starts,
     * hold-backs, yields, repacks); this loop applies its plan to the worker pool and records it.
     */
    public synchronized void runOnce() {
        List<ReleaseLanes.Scaled> current = List.copyOf(lanes.current());
        memory.retainLanes(current.stream().map(ReleaseLanes.Scaled::key).toList());
        Map<String, FunctionVersion> versions = new HashMap<>();
        List<FleetSnapshot.Lane> planned = new ArrayList<>();
        for (ReleaseLanes.Scaled lane : current) {
            FunctionVersion fn = lane.version();
            ScalingConfig config = settings.effective(fn);
            JobService.QueueStats stats = lane.stats();
            FunctionLoad load = new FunctionLoad(fn.name(), config, stats.queued(), stats.queuedLowPriority(),
                    stats.inFlight(), lane.workers().stream().map(Worker::snapshot).toList(),
                    config.scaler() == Scaler.QUEUE_DELAY || stats.queued() > 0 ? jobs.headOfQueueWait(fn.name())
                            : Duration.ZERO);
            planned.add(new FleetSnapshot.Lane(lane.key(), fn.name(), fn.manifest().priority(), fn.manifest().gpu(),
                    pool.mayStart(fn), load, fn.manifest().gpu() == null ? Set.of() : pool.warmNodes(fn)));
            versions.put(lane.key(), fn);
        }
        FleetPlan plan = planner.plan(snapshot(planned), memory);
        // the events carry the time of the decisions: starting many processes can take a while
        Instant decidedAt = clock.instant();
        for (FleetSnapshot.Lane lane : planned) {
            if (!lane.mayStart() && plan.decisions().get(lane.key()).start() > 0) {
                pool.refuse(versions.get(lane.key()));
            }
        }
        Map<String, Integer> startedBy = applier.apply(plan, versions);
        keepPreinitialized(current);
        for (ReleaseLanes.Scaled lane : current) {
            ScalingDecision decision = plan.decisions().get(lane.key());
            String name = lane.version().name();
            int started = startedBy.getOrDefault(lane.key(), 0);
            String why = plan.heldBack().get(name) != null ? plan.heldBack().get(name) : pool.waitingReason(name);
            String outcome = started < decision.start()
                    ? "; started " + started + " of " + decision.start() + ": " + why : "";
            events.record(decidedAt, decision, started, lane.label(), outcome);
        }
    }

    /** Every live worker, and the priority and GPU request of each GPU function holding some. */
    private FleetSnapshot snapshot(List<FleetSnapshot.Lane> planned) {
        List<FleetSnapshot.Worker> workers = new ArrayList<>();
        Map<String, FleetSnapshot.Owner> owners = new HashMap<>();
        for (Worker w : pool.workers(null)) {
            if (w.hasExited()) {
                continue;
            }
            workers.add(new FleetSnapshot.Worker(w.id(), w.function(), w.isDraining() ? WorkerPhase.DRAINING
                    : w.phase(), w.inFlightCount(), w.gpus()));
            if (!w.gpus().isEmpty() && !owners.containsKey(w.function())) {
                pool.functionVersion(w.function()).filter(f -> f.manifest().gpu() != null).ifPresent(f ->
                        owners.put(f.name(), new FleetSnapshot.Owner(f.manifest().priority(), f.manifest().gpu())));
            }
        }
        // GPUs another user's Slurm job holds are not there for this round
        return new FleetSnapshot(pool.placeableInventory(), pool.nodes().closed(), planned, workers, owners);
    }

    /** Pools of pre-initialized processes for the released versions that ask for them (scaling.preinit). */
    private void keepPreinitialized(List<ReleaseLanes.Scaled> current) {
        Map<FunctionVersion, Integer> wanted = new LinkedHashMap<>();
        java.util.Set<FunctionVersion> serving = new java.util.HashSet<>();
        for (ReleaseLanes.Scaled lane : current) {
            int n = settings.effective(lane.version()).preinit();
            if (n > 0) {
                wanted.put(lane.version(), n);
                if (lane.stats().queued() > 0) {
                    serving.add(lane.version());
                }
            }
        }
        pool.keepPreinitialized(wanted, serving);
        Instant now = clock.instant();
        pool.preinitNotes().forEach(n -> events.note(n.getKey(), now, "preinit", List.of(), n.getValue()));
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
