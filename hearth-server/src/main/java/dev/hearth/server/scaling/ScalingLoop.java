package dev.hearth.server.scaling;

import dev.hearth.functions.FunctionVersion;
import dev.hearth.functions.Scaler;
import dev.hearth.functions.ScalingConfig;
import dev.hearth.jobs.Job;
import dev.hearth.placement.FairShare;
import dev.hearth.scaling.Autoscaler;
import dev.hearth.scaling.FunctionLoad;
import dev.hearth.scaling.ScalingDecision;
import dev.hearth.scaling.ScalingWindows;
import dev.hearth.scaling.WorkerPhase;
import dev.hearth.server.functions.FunctionRegistry;
import dev.hearth.server.jobs.JobEvents;
import dev.hearth.server.jobs.JobService;
import dev.hearth.server.releases.ReleaseLanes;
import dev.hearth.server.workers.Worker;
import dev.hearth.server.workers.WorkerPool;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The mechanics around the pure {@link Autoscaler}: every tick (and at once when a job arrives) it snapshots each
 * function's load, asks the policy, applies the decision to the worker pool and records it with its inputs. It owns
 * each function's {@link ScalingWindows}; only its thread touches them.
 */
public final class ScalingLoop implements JobEvents, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ScalingLoop.class.getName());
    private static final Duration MIN_ROUND_GAP = Duration.ofMillis(5);

    private final FunctionRegistry functions;
    private final JobService jobs;
    private final WorkerPool pool;
    private final Autoscaler autoscaler;
    private final ScalingEvents events;
    private final ScalingSettings settings;
    private final ReleaseLanes lanes;
    private final InstantSource clock;
    private final Duration tick;
    private final Map<String, ScalingWindows> windows = new HashMap<>();
    private final ArrayBlockingQueue<Boolean> nudges = new ArrayBlockingQueue<>(1);
    private final GpuArbiter arbiter;
    private final Thread thread;
    private volatile boolean running = true;

    public ScalingLoop(FunctionRegistry functions, JobService jobs, WorkerPool pool, Autoscaler autoscaler,
                       ScalingEvents events, ScalingSettings settings, InstantSource clock, Duration tick) {
        this.functions = functions;
        this.jobs = jobs;
        this.pool = pool;
        this.autoscaler = autoscaler;
        this.events = events;
        this.settings = settings;
        this.lanes = new ReleaseLanes(functions, jobs, pool);
        this.clock = clock;
        this.tick = tick;
        this.arbiter = new GpuArbiter(pool, new FairShare(clock, FairShare.DEFAULT_AGING), events, clock);
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
                    Thread.sleep(MIN_ROUND_GAP);
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "scaling round failed; next round goes on", e);
            }
        }
    }

    /**
     * One round over every function (each release lane of a split function on its own); the starts of all functions
     * go through the fair-share arbiter.
     */
    public synchronized void runOnce() {
        List<ReleaseLanes.Scaled> current = List.copyOf(lanes.current());
        windows.keySet().retainAll(current.stream().map(ReleaseLanes.Scaled::key).toList());
        List<GpuArbiter.Want> wants = new ArrayList<>();
        Map<Integer, ScalingDecision> decisions = new LinkedHashMap<>();
        Map<Integer, Instant> decidedAt = new HashMap<>();
        for (int index = 0; index < current.size(); index++) {
            ReleaseLanes.Scaled lane = current.get(index);
            FunctionVersion fn = lane.version();
            ScalingConfig config = settings.effective(fn);
            JobService.QueueStats stats = lane.stats();
            List<Worker> workers = lane.workers();
            FunctionLoad load = new FunctionLoad(fn.name(), config, stats.queued(), stats.queuedLowPriority(),
                    stats.inFlight(), workers.stream().map(Worker::snapshot).toList(),
                    config.scaler() == Scaler.QUEUE_DELAY || stats.queued() > 0 ? jobs.headOfQueueWait(fn.name())
                            : Duration.ZERO);
            ScalingDecision decision = autoscaler.decide(load,
                    windows.computeIfAbsent(lane.key(), f -> new ScalingWindows()));
            // the event carries the time of the decision: starting many processes can take a while
            decisions.put(index, decision);
            decidedAt.put(index, clock.instant());
            if (decision.start() > 0) {
                wants.add(new GpuArbiter.Want(index, fn, decision.start()));
            }
            for (String id : decision.drain()) {
                workers.stream().filter(w -> w.id().equals(id) && w.phase() != WorkerPhase.DRAINING)
                        .findFirst().ifPresent(pool::drain);
            }
        }
        Map<Integer, Integer> startedBy = arbiter.startAll(wants);
        keepPreinitialized(current);
        decisions.forEach((index, decision) -> {
            ReleaseLanes.Scaled lane = current.get(index);
            String name = lane.version().name();
            int started = startedBy.getOrDefault(index, 0);
            String why = arbiter.heldBack(name) != null ? arbiter.heldBack(name) : pool.waitingReason(name);
            String outcome = started < decision.start()
                    ? "; started " + started + " of " + decision.start() + ": " + why : "";
            events.record(decidedAt.get(index), decision, started, lane.label(), outcome);
        });
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
