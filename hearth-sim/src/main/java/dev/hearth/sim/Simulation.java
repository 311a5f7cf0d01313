package dev.hearth.sim;

import dev.hearth.fleet.FleetMemory;
import dev.hearth.fleet.FleetPlan;
import dev.hearth.fleet.FleetPlanner;
import dev.hearth.fleet.FleetSnapshot;
import dev.hearth.functions.GpuRequest;
import dev.hearth.functions.Scaler;
import dev.hearth.functions.ScalingConfig;
import dev.hearth.jobs.JobTransitions;
import dev.hearth.metering.Money;
import dev.hearth.metering.PriceCatalog;
import dev.hearth.metering.PriceTier;
import dev.hearth.metering.Resources;
import dev.hearth.metering.UsageKind;
import dev.hearth.placement.BestFitPlacement;
import dev.hearth.placement.FairShare;
import dev.hearth.placement.Gpu;
import dev.hearth.placement.Placement;
import dev.hearth.placement.RepackPlan;
import dev.hearth.scaling.Autoscaler;
import dev.hearth.scaling.FunctionLoad;
import dev.hearth.scaling.ScalingTuning;
import dev.hearth.scaling.WorkerPhase;
import dev.hearth.scaling.WorkerSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * A discrete-event simulation of the control plane on a virtual clock: requests arrive, workers start (their init
 * time), take jobs, run them and go idle, and every scaling round asks the core {@link FleetPlanner} what to do (the
 * {@link Autoscaler} per function, starts in fair-share order placed by {@link BestFitPlacement}, hold-back, yields,
 * repacks), exactly as the server's scaling loop does. No wall clock, no threads, no sleeping: a run of hours takes a
 * fraction of a second.
 *
 * <p>Mechanics reproduced from the server (see {@code ScalingLoop}, {@code WorkerPool}, {@code JobService}):
 * <ul>
 *   <li>a round every {@value #TICK_MS} ms, and at once when a request arrives, but at most one per
 *       {@value #MIN_ROUND_GAP_MS} ms; a round snapshots each function's queue, in-flight jobs and workers into a
 *       {@link FunctionLoad}, the workers and the fleet into a {@link FleetSnapshot} and applies the
 *       {@link FleetPlan}: drains, starts on the GPUs it names, yields and repacks;</li>
 *   <li>a worker takes jobs from the head of the queue as soon as it has a free slot; among waiting workers the one
 *       that was busy most recently gets the next request (the server's queue ranks long-polls by idle-since);</li>
 *   <li>a drained worker takes no new job and stops once its jobs are done;</li>
 *   <li>the first {@code minWorkers} workers of a function are billed always-on, the others on demand;</li>
 *   <li>a request is a cold start by the server's rule ({@link JobTransitions#isColdStart}).</li>
 * </ul>
 * Not reproduced: a stopping worker's exit time (a drained idle worker frees its GPUs at once), failed launches,
 * crash loops, retries and timeouts.
 *
 * <p>A run ends when the traffic is over, every request has its result and every worker above the floor has gone;
 * always-on workers are billed to the traffic's end (or to the last result, if later).
 */
public final class Simulation {

    /** The scaling loop's tick and the shortest gap between two rounds, as in the server. */
    static final long TICK_MS = FleetPlanner.TICK.toMillis();
    static final long MIN_ROUND_GAP_MS = FleetPlanner.MIN_ROUND_GAP.toMillis();
    /**
     * How long GPUs freed by a repack stay reserved for the function they were freed for: the server's 30 s beyond
     * its stop grace period, which is zero here (a drained idle worker exits at once).
     */
    static final Duration RESERVATION_TTL = Duration.ofSeconds(30);
    /** Where the virtual clock starts: a midnight, so that diurnal traffic starts at its trough. */
    public static final Instant DEFAULT_START = Instant.parse("2026-01-05T00:00:00Z");

    /**
     * One function under one policy.
     *
     * @param gpu      GPUs per worker, or null for a CPU-only function
     * @param cpu      cores per worker (what a CPU-only worker is billed for)
     * @param priority the manifest priority: its weight when GPUs are scarce
     * @param init     a worker's start-up time, from process start to its first take
     * @param initSeed seeds the start-up times, so that every policy draws the same sequence
     */
    public record Lane(String function, GpuRequest gpu, double cpu, int priority, ScalingConfig scaling,
                       Distribution init, long initSeed, Arrivals arrivals) {
    }

    private final PriceCatalog catalog;
    private final List<Gpu> inventory;
    private final ScalingTuning tuning;
    private final Instant start;

    public Simulation(PriceCatalog catalog, List<Gpu> inventory) {
        this(catalog, inventory, ScalingTuning.DEFAULT, DEFAULT_START);
    }

    public Simulation(PriceCatalog catalog, List<Gpu> inventory, ScalingTuning tuning, Instant start) {
        this.catalog = catalog;
        this.inventory = List.copyOf(inventory);
        this.tuning = tuning;
        this.start = start;
    }

    /** Runs the lanes together on the fleet (they compete for its GPUs); one result per lane, in order. */
    public List<LaneResult> run(List<Lane> lanes) {
        return new Run(lanes).run();
    }

    /** How many workers of the request fit on the whole (empty) fleet; unbounded (max int) for a CPU function. */
    public static int capacity(GpuRequest request, List<Gpu> inventory) {
        if (request == null) {
            return Integer.MAX_VALUE;
        }
        BestFitPlacement placement = new BestFitPlacement();
        Set<Gpu> used = new HashSet<>();
        int n = 0;
        while (placement.place(request, inventory, used) instanceof Placement.Placed p) {
            used.addAll(p.gpus());
            n++;
        }
        return n;
    }

    private enum EventType { ROUND, READY, DONE }

    private record Event(long at, long seq, EventType type, Worker worker, int job) {
    }

    /** One worker as the simulation tracks it: the server's {@code Worker}, reduced to what the policies see. */
    private static final class Worker {
        final String id;
        final LaneState lane;
        final List<Gpu> gpus;
        final Resources resources;
        final PriceTier tier;
        final Instant startedAt;
        WorkerPhase phase = WorkerPhase.STARTING;
        Instant readyAt;
        Instant idleSince;
        int inFlight;
        long jobsTaken;
        boolean exited;
        UsageKind kind = UsageKind.STARTING;
        long kindSince;

        Worker(String id, LaneState lane, List<Gpu> gpus, Resources resources, PriceTier tier, Instant startedAt,
               long now) {
            this.id = id;
            this.lane = lane;
            this.gpus = gpus;
            this.resources = resources;
            this.tier = tier;
            this.startedAt = startedAt;
            this.kindSince = now;
        }

        /** As the server's {@code Worker.usageKind()}. */
        UsageKind usageKind() {
            if (inFlight > 0) {
                return UsageKind.BUSY;
            }
            return switch (phase) {
                case STARTING -> UsageKind.STARTING;
                case READY -> UsageKind.IDLE;
                case DRAINING -> UsageKind.DRAINING;
            };
        }

        /** The planner's view, made anew only when the worker's phase or jobs changed (a round sees every worker). */
        private FleetSnapshot.Worker view;

        /** The autoscaler's view, made anew only when the worker's phase, jobs or idle time changed. */
        private WorkerSnapshot snapshot;

        WorkerSnapshot snapshot() {
            WorkerSnapshot s = snapshot;
            if (s == null || s.phase() != phase || s.inFlight() != inFlight || s.idleSince() != idleSince) {
                s = new WorkerSnapshot(id, phase, inFlight, startedAt, idleSince);
                snapshot = s;
            }
            return s;
        }

        FleetSnapshot.Worker view() {
            if (view == null || view.phase() != phase || view.inFlight() != inFlight) {
                view = new FleetSnapshot.Worker(id, lane.spec.function(), phase, inFlight, gpus);
            }
            return view;
        }
    }

    /** Billed time of one kind of use: priced once at the end with the catalog. */
    private record UsageKey(Resources resources, PriceTier tier, UsageKind kind) {
    }

    private static final class LaneState {
        final Lane spec;
        final int index;
        final String key;
        /** The start-up times of this lane's workers, in the order they start. */
        final java.util.function.LongSupplier init;
        final long[] takenAt;
        final long[] doneAt;
        final boolean[] cold;
        final List<Worker> workers = new ArrayList<>();
        /** The workers' snapshots of the last round, reused while none changed (rounds come every few ms). */
        List<WorkerSnapshot> snapshots = List.of();
        /**
         * One entry per free slot of a ready worker, the most recently freed last; entries of drained workers are
         * stale. The next request goes to the last (see {@link Run#freeWorker}).
         */
        final ArrayDeque<Worker> waiting = new ArrayDeque<>();
        final Map<UsageKey, Long> usage = new HashMap<>();
        int[] queue = new int[64];
        int queueHead;
        int queueSize;
        int nextArrival;
        int inFlight;
        int peakWorkers;

        LaneState(Lane spec, int index) {
            this.spec = spec;
            this.index = index;
            this.key = String.valueOf(index);
            this.init = spec.init().sampler(spec.initSeed());
            int n = spec.arrivals().count();
            this.takenAt = new long[n];
            this.doneAt = new long[n];
            this.cold = new boolean[n];
        }

        void enqueue(int job) {
            if (queueSize == queue.length) {
                int[] bigger = new int[queue.length * 2];
                for (int i = 0; i < queueSize; i++) {
                    bigger[i] = queue[(queueHead + i) % queue.length];
                }
                queue = bigger;
                queueHead = 0;
            }
            queue[(queueHead + queueSize) % queue.length] = job;
            queueSize++;
        }

        int dequeue() {
            int job = queue[queueHead];
            queueHead = (queueHead + 1) % queue.length;
            queueSize--;
            return job;
        }

        long nextArrivalAt() {
            long[] at = spec.arrivals().at();
            return nextArrival < at.length ? at[nextArrival] : Long.MAX_VALUE;
        }

        /** No worker, no work and no floor: a round would decide nothing and its windows start afresh anyway. */
        boolean atRest(Instant now) {
            return workers.isEmpty() && queueSize == 0 && inFlight == 0 && spec.scaling().minWorkersAt(now) == 0;
        }
    }

    private final class Run {
        final VirtualClock clock = new VirtualClock(start);
        final Autoscaler autoscaler = new Autoscaler(clock, tuning);
        final FleetPlanner planner = new FleetPlanner(autoscaler, new FairShare(clock, FairShare.DEFAULT_AGING),
                clock, RESERVATION_TTL);
        final FleetMemory memory = new FleetMemory();
        final PriorityQueue<Event> events = new PriorityQueue<>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at)
                : Long.compare(a.seq, b.seq));
        final LaneState[] lanes;
        final Map<String, LaneState> byKey = new HashMap<>();
        final Map<String, Worker> byId = new HashMap<>();
        /** Every GPU function's priority and request: who competes for GPUs, and how a moved worker is replaced. */
        final Map<String, FleetSnapshot.Owner> owners;
        final long horizon;
        long seq;
        long workerSeq;
        long lastRound = Long.MIN_VALUE / 2;
        /** The workers' views of the last round, reused while none changed. */
        List<FleetSnapshot.Worker> views = List.of();
        /** When the next round is due; events of other times are stale. */
        long roundAt = Long.MIN_VALUE;
        long arrivalsLeft;
        long pending;

        Run(List<Lane> specs) {
            lanes = new LaneState[specs.size()];
            Map<String, FleetSnapshot.Owner> gpuOwners = new HashMap<>();
            long h = 0;
            for (int i = 0; i < lanes.length; i++) {
                lanes[i] = new LaneState(specs.get(i), i);
                byKey.put(lanes[i].key, lanes[i]);
                if (specs.get(i).gpu() != null) {
                    gpuOwners.put(specs.get(i).function(), new FleetSnapshot.Owner(specs.get(i).priority(),
                            specs.get(i).gpu()));
                }
                arrivalsLeft += specs.get(i).arrivals().count();
                h = Math.max(h, specs.get(i).arrivals().horizon());
            }
            horizon = h;
            owners = Map.copyOf(gpuOwners); // the snapshot of every round takes it as it is
        }

        List<LaneResult> run() {
            scheduleRound(0);
            long end;
            while (true) {
                LaneState next = null;
                long arrivalAt = Long.MAX_VALUE;
                for (LaneState l : lanes) {
                    long t = l.nextArrivalAt();
                    if (t < arrivalAt) {
                        arrivalAt = t;
                        next = l;
                    }
                }
                Event e = events.peek();
                if (e != null && e.at <= arrivalAt) {
                    events.poll();
                    clock.advanceTo(e.at);
                    switch (e.type) {
                        case ROUND -> {
                            if (e.at == roundAt) {
                                round();
                            }
                        }
                        case READY -> ready(e.worker);
                        case DONE -> done(e.worker, e.job);
                    }
                } else if (next != null) {
                    clock.advanceTo(arrivalAt);
                    arrive(next);
                } else {
                    throw new IllegalStateException("the simulation ran out of events with " + pending
                            + " requests unfinished");
                }
                if (arrivalsLeft == 0 && pending == 0 && settled()) {
                    end = Math.max(clock.now(), horizon);
                    break;
                }
            }
            List<LaneResult> results = new ArrayList<>(lanes.length);
            for (LaneState l : lanes) {
                for (Worker w : l.workers) {
                    bill(w, end);
                }
                results.add(result(l, end));
            }
            return results;
        }

        /** Nothing left to happen: every function is down to its floor, nothing starting or draining. */
        private boolean settled() {
            Instant now = clock.instant();
            for (LaneState l : lanes) {
                if (l.workers.size() > l.spec.scaling().minWorkersAt(now)) {
                    return false;
                }
                for (Worker w : l.workers) {
                    if (w.phase != WorkerPhase.READY) {
                        return false;
                    }
                }
            }
            return true;
        }

        private void push(long at, EventType type, Worker w, int job) {
            events.add(new Event(at, seq++, type, w, job));
        }

        private void scheduleRound(long at) {
            roundAt = at;
            push(at, EventType.ROUND, null, -1);
        }

        // ------------------------------------------------------------ requests and workers

        private void arrive(LaneState lane) {
            int job = lane.nextArrival++;
            arrivalsLeft--;
            pending++;
            Worker w = freeWorker(lane);
            if (w != null) {
                take(w, job);
            } else {
                lane.enqueue(job);
            }
            // a submission nudges the scaling loop, which runs at most one round per MIN_ROUND_GAP
            long nudge = Math.max(clock.now(), lastRound + MIN_ROUND_GAP_MS);
            if (roundAt < clock.now() || nudge < roundAt) {
                scheduleRound(nudge);
            }
        }

        /**
         * The worker that was busy most recently, as the server's queue ranks waiting long-polls (by idle-since, the
         * latest first): a trickle of requests keeps the same few workers busy and lets the others reach their idle
         * timeout. (Longest-waiting-first would spread it over every worker, keep them all warm, and predict too few
         * cold starts.) With concurrency above 1 the server also ranks a worker with jobs in flight above every idle
         * one; here the most recently freed slot goes first, which is that worker unless another went idle since.
         */
        private Worker freeWorker(LaneState lane) {
            while (!lane.waiting.isEmpty()) {
                Worker w = lane.waiting.pollLast();
                if (w.phase == WorkerPhase.READY && !w.exited) {
                    return w;
                }
            }
            return null;
        }

        private void ready(Worker w) {
            if (w.exited) {
                return; // drained while it started
            }
            Instant now = clock.instant();
            w.phase = WorkerPhase.READY;
            w.readyAt = now;
            w.idleSince = now;
            LaneState lane = w.lane;
            for (int slot = 0; slot < lane.spec.scaling().concurrency(); slot++) {
                if (lane.queueSize > 0) {
                    take(w, lane.dequeue());
                } else {
                    lane.waiting.addLast(w);
                }
            }
            usageChanged(w);
        }

        private void take(Worker w, int job) {
            LaneState lane = w.lane;
            long now = clock.now();
            long[] at = lane.spec.arrivals().at();
            lane.cold[job] = JobTransitions.isColdStart(clock.at(at[job]), w.readyAt, w.jobsTaken,
                    lane.spec.scaling().concurrency());
            lane.takenAt[job] = now;
            w.jobsTaken++;
            w.inFlight++;
            w.idleSince = null;
            lane.inFlight++;
            usageChanged(w);
            push(now + lane.spec.arrivals().exec()[job], EventType.DONE, w, job);
        }

        private void done(Worker w, int job) {
            LaneState lane = w.lane;
            lane.doneAt[job] = clock.now();
            pending--;
            lane.inFlight--;
            w.inFlight--;
            if (w.inFlight == 0) {
                w.idleSince = clock.instant();
            }
            if (w.phase == WorkerPhase.DRAINING) {
                if (w.inFlight == 0) {
                    exit(w);
                } else {
                    usageChanged(w);
                }
                return;
            }
            if (lane.queueSize > 0) {
                take(w, lane.dequeue());
            } else {
                lane.waiting.addLast(w);
                usageChanged(w);
            }
        }

        private void drain(Worker w) {
            if (w.phase == WorkerPhase.DRAINING) {
                return;
            }
            w.phase = WorkerPhase.DRAINING;
            if (w.inFlight == 0) {
                exit(w);
            } else {
                usageChanged(w);
            }
        }

        private void exit(Worker w) {
            bill(w, clock.now());
            w.exited = true;
            w.lane.workers.remove(w);
            byId.remove(w.id);
        }

        private void start(LaneState lane, List<Gpu> gpus) {
            Lane spec = lane.spec;
            Resources resources = gpus.isEmpty() ? Resources.cpu(spec.cpu())
                    : Resources.gpus(gpus.getFirst().type(), gpus.size(), spec.cpu());
            PriceTier tier = PriceTier.forNewWorker(lane.workers.size(), spec.scaling().minWorkers());
            Worker w = new Worker(String.format("w-%s-%09d", spec.function(), ++workerSeq), lane, gpus, resources,
                    tier, clock.instant(), clock.now());
            lane.workers.add(w);
            byId.put(w.id, w);
            lane.peakWorkers = Math.max(lane.peakWorkers, lane.workers.size());
            push(clock.now() + lane.init.getAsLong(), EventType.READY, w, -1);
        }

        // ------------------------------------------------------------ metering

        /** The worker's kind of use may have changed: bill the one that ended. */
        private void usageChanged(Worker w) {
            UsageKind next = w.usageKind();
            if (next != w.kind) {
                bill(w, clock.now());
                w.kind = next;
            }
        }

        /** Adds the worker's time in its current kind up to {@code until} to its function's usage. */
        private void bill(Worker w, long until) {
            long ms = until - w.kindSince;
            if (ms > 0) {
                w.lane.usage.merge(new UsageKey(w.resources, w.tier, w.kind), ms, Long::sum);
            }
            w.kindSince = until;
        }

        private LaneResult result(LaneState l, long end) {
            Money cost = Money.ZERO;
            long billed = 0;
            long busy = 0;
            for (Map.Entry<UsageKey, Long> u : l.usage.entrySet()) {
                UsageKey k = u.getKey();
                cost = cost.plus(catalog.cost(k.resources(), k.tier(), u.getValue()));
                long units = u.getValue() * Math.max(1, k.resources().gpuCount());
                billed += units;
                if (k.kind() == UsageKind.BUSY) {
                    busy += units;
                }
            }
            long[] at = l.spec.arrivals().at();
            int n = at.length;
            long[] latency = new long[n];
            long[] delay = new long[n];
            int cold = 0;
            for (int i = 0; i < n; i++) {
                latency[i] = l.doneAt[i] - at[i];
                delay[i] = l.takenAt[i] - at[i];
                cold += l.cold[i] ? 1 : 0;
            }
            return new LaneResult(n, cost, billed, busy, cold, Latency.of(latency), Latency.of(delay), l.peakWorkers,
                    end);
        }

        // ------------------------------------------------------------ the scaling loop

        /**
         * One round over every function: the core {@link FleetPlanner} plans it from a snapshot, as for the server's
         * {@code ScalingLoop.runOnce}, and the plan is applied to the simulated workers.
         */
        private void round() {
            long now = clock.now();
            Instant instant = clock.instant();
            lastRound = now;
            List<FleetSnapshot.Lane> planned = new ArrayList<>(lanes.length);
            List<FleetSnapshot.Worker> workers = views();
            for (LaneState l : lanes) {
                if (l.atRest(instant)) {
                    continue; // a round would decide nothing for it, and its windows start afresh anyway
                }
                ScalingConfig config = l.spec.scaling();
                List<WorkerSnapshot> snapshots = snapshots(l);
                Duration oldest = config.scaler() == Scaler.QUEUE_DELAY || l.queueSize > 0
                        ? Duration.ofMillis(l.queueSize == 0 ? 0 : now - l.spec.arrivals().at()[l.queue[l.queueHead]])
                        : Duration.ZERO;
                FunctionLoad load = new FunctionLoad(l.spec.function(), config, l.queueSize, 0, l.inFlight, snapshots,
                        oldest);
                planned.add(new FleetSnapshot.Lane(l.key, l.spec.function(), l.spec.priority(), l.spec.gpu(), true,
                        load));
            }
            apply(planner.plan(new FleetSnapshot(inventory, Set.of(), planned, workers, owners), memory));
            boolean allAtRest = true;
            for (LaneState l : lanes) {
                allAtRest &= l.atRest(instant);
            }
            // at rest, the loop's rounds decide nothing until the next request nudges it
            if (!allAtRest) {
                scheduleRound(now + MIN_ROUND_GAP_MS + TICK_MS);
            } else {
                roundAt = Long.MIN_VALUE;
            }
        }

        /** Every worker's view, lane by lane: last round's list itself when none changed. */
        private List<FleetSnapshot.Worker> views() {
            List<FleetSnapshot.Worker> last = views;
            boolean same = true;
            int i = 0;
            for (LaneState l : lanes) {
                for (Worker w : l.workers) {
                    same &= i < last.size() && last.get(i) == w.view();
                    i++;
                }
            }
            if (!same || i != last.size()) {
                List<FleetSnapshot.Worker> now = new ArrayList<>(i);
                for (LaneState l : lanes) {
                    for (Worker w : l.workers) {
                        now.add(w.view());
                    }
                }
                views = List.copyOf(now); // immutable, so FleetSnapshot's List.copyOf keeps it as it is
            }
            return views;
        }

        /** The lane's worker snapshots: last round's list itself when every worker's is the same object. */
        private List<WorkerSnapshot> snapshots(LaneState l) {
            List<WorkerSnapshot> last = l.snapshots;
            int n = l.workers.size();
            boolean same = last.size() == n;
            for (int i = 0; i < n && same; i++) {
                same = last.get(i) == l.workers.get(i).snapshot();
            }
            if (!same) {
                WorkerSnapshot[] now = new WorkerSnapshot[n];
                for (int i = 0; i < n; i++) {
                    now[i] = l.workers.get(i).snapshot();
                }
                l.snapshots = List.of(now); // immutable, so FunctionLoad's List.copyOf keeps it as it is
            }
            return l.snapshots;
        }

        /** Carries a plan out at once: a start always launches here, and a drained idle worker exits at once. */
        private void apply(FleetPlan plan) {
            for (FleetPlan.Action action : plan.actions()) {
                switch (action) {
                    case FleetPlan.Drain d -> drain(byId.get(d.workerId()));
                    case FleetPlan.Start s -> start(byKey.get(s.key()), s.gpus());
                    case FleetPlan.Yield y -> drain(byId.get(y.workerId()));
                    case FleetPlan.Repack r -> {
                        for (RepackPlan.Move m : r.plan().moves()) {
                            Worker moved = byId.get(m.workerId());
                            drain(moved);
                            start(moved.lane, m.to());
                        }
                    }
                }
            }
        }
    }
}
