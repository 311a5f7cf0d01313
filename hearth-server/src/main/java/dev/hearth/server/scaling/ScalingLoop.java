package dev.hearth.server.scaling;

import dev.hearth.functions.FunctionVersion;
import dev.hearth.jobs.Job;
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
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The mechanics around the pure {@link Autoscaler}: every tick (and at once when a job arrives) it snapshots each
 * function's load, asks the policy, applies the decision to the worker pool and records it with its reason.
 */
public final class ScalingLoop implements JobEvents, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ScalingLoop.class.getName());
    private static final Duration MIN_ROUND_GAP = Duration.ofMillis(5);

    private final FunctionRegistry functions;
    private final JobService jobs;
    private final WorkerPool pool;
    private final Autoscaler autoscaler;
    private final ScalingEvents events;
    private final ReleaseLanes lanes;
    private final InstantSource clock;
    private final Duration tick;
    private final ArrayBlockingQueue<Boolean> nudges = new ArrayBlockingQueue<>(1);
    private final Thread thread;
    private volatile boolean running = true;

    public ScalingLoop(FunctionRegistry functions, JobService jobs, WorkerPool pool, Autoscaler autoscaler,
                       ScalingEvents events, InstantSource clock, Duration tick) {
        this.functions = functions;
        this.jobs = jobs;
        this.pool = pool;
        this.autoscaler = autoscaler;
        this.events = events;
        this.lanes = new ReleaseLanes(functions, jobs, pool);
        this.clock = clock;
        this.tick = tick;
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

    /** One round over every function. */
    public void runOnce() {
        for (ReleaseLanes.Scaled lane : lanes.current()) {
            FunctionVersion fn = lane.version();
            JobService.QueueStats stats = lane.stats();
            List<Worker> workers = lane.workers();
            FunctionLoad load = new FunctionLoad(fn.name(), fn.manifest().scaling(), stats.queued(),
                    stats.queuedLowPriority(), stats.inFlight(), workers.stream().map(Worker::snapshot).toList());
            ScalingDecision decision = autoscaler.decide(load);
            if (decision.isNoop()) {
                continue;
            }
            int started = 0;
            for (int i = 0; i < decision.start(); i++) {
                if (pool.start(fn).isEmpty()) {
                    break;
                }
                started++;
            }
            for (String id : decision.drain()) {
                workers.stream().filter(w -> w.id().equals(id) && w.phase() != WorkerPhase.DRAINING)
                        .findFirst().ifPresent(pool::drain);
            }
            String outcome = started < decision.start()
                    ? "; started " + started + " of " + decision.start() + ": " + pool.waitingReason(fn.name()) : "";
            String reason = lane.label() + decision.reason() + outcome;
            if (lanes.reasonChanged(lane, reason) | started > 0 || !decision.drain().isEmpty()) {
                events.record(fn.name(), clock.instant(), reason);
            }
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
