package dev.hearth.fleet;

import dev.hearth.functions.GpuRequest;
import dev.hearth.placement.BestFitPlacement;
import dev.hearth.placement.Claim;
import dev.hearth.placement.FairShare;
import dev.hearth.placement.Gpu;
import dev.hearth.placement.Occupant;
import dev.hearth.placement.Placement;
import dev.hearth.placement.RepackPlan;
import dev.hearth.placement.RepackPlanner;
import dev.hearth.scaling.Autoscaler;
import dev.hearth.scaling.ScalingDecision;
import dev.hearth.scaling.WorkerPhase;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The fleet-level decisions of one scaling round, for the server and the simulator alike: a {@link FleetSnapshot} in,
 * a {@link FleetPlan} out. Every lane's {@link Autoscaler} decision first (its drains), then the wanted starts:
 * CPU workers at once; GPU workers one at a time in {@link FairShare} order, each placed by {@link BestFitPlacement}
 * on GPUs free now and not reserved for another function (on a node that holds the version's code and environment,
 * when one of those fits).
 *
 * <ul>
 *   <li>Hold-back: once a function's start finds no GPU while GPUs are on their way to it (a worker yielded or
 *       draining, a repack), later starts of functions that could use the same GPUs wait, so the freed GPUs go to
 *       the function ranked first.</li>
 *   <li>Yield: a function that finds no GPU may take one worker back from a function holding more than its share
 *       ({@link FairShare#yielder}); the victim is the holder's worker that loses least: an idle ready one, then a
 *       starting one, then the one running fewest jobs. One yield at a time: none while a drained worker that holds
 *       such GPUs has not exited yet.</li>
 *   <li>Repack: a function that finds no GPU, while idle workers of other functions are scattered over the nodes,
 *       gets room made by moving them ({@link RepackPlanner}); the freed GPUs are reserved for it for
 *       {@code reservationTtl}. One repack at a time, so no worker is moved twice.</li>
 * </ul>
 * A function whose start found no GPU gets no further starts in the round. Pure but for the {@link FleetMemory} the
 * caller passes (windows, waiting times, reservations), as the autoscaler's windows; time from the injected clock.
 */
public final class FleetPlanner {

    /** How often the scaling loop plans a round (and at once when a job arrives), in the server and the simulator. */
    public static final Duration TICK = Duration.ofMillis(250);
    /** The shortest gap between two rounds: a burst of submits nudges thousands of times a second. */
    public static final Duration MIN_ROUND_GAP = Duration.ofMillis(5);

    private final Autoscaler autoscaler;
    private final FairShare fair;
    private final InstantSource clock;
    private final Duration reservationTtl;
    private final BestFitPlacement placement = new BestFitPlacement();
    private final RepackPlanner repacker = new RepackPlanner();

    /**
     * @param reservationTtl how long GPUs freed by a repack stay reserved for the function they were freed for; the
     *                       server allows for its stop grace period, so that the moved workers have exited
     */
    public FleetPlanner(Autoscaler autoscaler, FairShare fair, InstantSource clock, Duration reservationTtl) {
        this.autoscaler = autoscaler;
        this.fair = fair;
        this.clock = clock;
        this.reservationTtl = reservationTtl;
    }

    /** Plans one round. The memory is updated (windows, waiting times, reservations) as the plan assumes it applied. */
    public FleetPlan plan(FleetSnapshot snapshot, FleetMemory memory) {
        return new Round(snapshot, memory).run();
    }

    /** A worker as the round sees it, updated as the plan drains and starts workers. */
    private static final class Held {
        final String id;
        final String function;
        final List<Gpu> gpus;
        final int inFlight;
        final boolean planned;
        WorkerPhase phase;

        Held(String id, String function, WorkerPhase phase, int inFlight, List<Gpu> gpus, boolean planned) {
            this.id = id;
            this.function = function;
            this.phase = phase;
            this.inFlight = inFlight;
            this.gpus = gpus;
            this.planned = planned;
        }

        boolean draining() {
            return phase == WorkerPhase.DRAINING;
        }

        boolean holdsAny(GpuRequest request) {
            for (Gpu g : gpus) {
                if (BestFitPlacement.accepts(request, g)) {
                    return true;
                }
            }
            return false;
        }
    }

    private final class Round {
        final FleetSnapshot snapshot;
        final FleetMemory memory;
        final Instant now;
        final List<Held> workers = new ArrayList<>();
        final Set<Gpu> taken = new HashSet<>();
        final Map<String, ScalingDecision> decisions = new LinkedHashMap<>();
        final List<FleetPlan.Action> actions = new ArrayList<>();
        final Map<String, String> heldBack = new HashMap<>();
        final Map<String, String> lacking = new HashMap<>();

        Round(FleetSnapshot snapshot, FleetMemory memory) {
            this.snapshot = snapshot;
            this.memory = memory;
            this.now = clock.instant();
        }

        /** The round's view of the workers, with the autoscaler's drains; built only when starts are wanted. */
        private void holdWorkers(Set<String> drained) {
            for (FleetSnapshot.Worker w : snapshot.workers()) {
                WorkerPhase phase = drained.contains(w.id()) ? WorkerPhase.DRAINING : w.phase();
                workers.add(new Held(w.id(), w.function(), phase, w.inFlight(), w.gpus(), false));
                taken.addAll(w.gpus());
            }
        }

        FleetPlan run() {
            List<FleetSnapshot.Lane> wants = new ArrayList<>();
            Set<String> drained = new HashSet<>();
            for (FleetSnapshot.Lane lane : snapshot.lanes()) {
                ScalingDecision decision = autoscaler.decide(lane.load(), memory.windows(lane.key()));
                decisions.put(lane.key(), decision);
                for (String id : decision.drain()) {
                    // a worker of the lane not draining yet
                    boolean drains = lane.load().workers().stream()
                            .anyMatch(w -> w.id().equals(id) && w.phase() != WorkerPhase.DRAINING);
                    if (drains && drained.add(id)) {
                        actions.add(new FleetPlan.Drain(lane.key(), id));
                    }
                }
                if (decision.start() > 0) {
                    wants.add(lane);
                }
            }
            if (!wants.isEmpty()) {
                holdWorkers(drained);
            }
            startAll(wants);
            return new FleetPlan(decisions, actions, heldBack, lacking);
        }

        private void startAll(List<FleetSnapshot.Lane> wants) {
            if (wants.isEmpty()) {
                memory.waitingSince.clear();
                return;
            }
            // per GPU function: its lanes' starts in order, and its first lane for priority and request
            Map<String, ArrayDeque<FleetSnapshot.Lane>> gpuWants = new LinkedHashMap<>();
            Map<String, FleetSnapshot.Owner> gpuFunctions = new LinkedHashMap<>();
            Map<String, Integer> wanted = new HashMap<>();
            for (FleetSnapshot.Lane lane : wants) {
                int count = decisions.get(lane.key()).start();
                if (lane.gpu() == null) {
                    // CPU workers compete for no GPU
                    for (int i = 0; i < count && lane.mayStart(); i++) {
                        actions.add(new FleetPlan.Start(lane.key(), lane.function(), List.of()));
                    }
                    continue;
                }
                var queue = gpuWants.computeIfAbsent(lane.function(), n -> new ArrayDeque<>());
                for (int i = 0; i < count; i++) {
                    queue.add(lane);
                }
                gpuFunctions.putIfAbsent(lane.function(), new FleetSnapshot.Owner(lane.priority(), lane.gpu()));
                wanted.merge(lane.function(), count, Integer::sum);
            }
            for (Held w : workers) {
                FleetSnapshot.Owner owner = snapshot.owners().get(w.function);
                if (!w.gpus.isEmpty() && owner != null && owner.gpu() != null) {
                    gpuFunctions.putIfAbsent(w.function, owner);
                }
            }
            List<Claim> claims = new ArrayList<>();
            gpuFunctions.forEach((name, owner) -> claims.add(claim(name, owner, wanted.getOrDefault(name, 0))));
            Map<String, GpuRequest> blocked = new LinkedHashMap<>();
            Map<String, Integer> startedByFunction = new HashMap<>();
            Set<String> failed = new HashSet<>();
            for (String name : fair.order(claims)) {
                FleetSnapshot.Lane lane = gpuWants.get(name).poll();
                if (lane == null || failed.contains(name)) {
                    continue;
                }
                GpuRequest request = lane.gpu();
                Optional<String> first = blocked.entrySet().stream()
                        .filter(b -> anyGpuServesBoth(b.getValue(), request)).map(Map.Entry::getKey).findFirst();
                if (first.isPresent()) {
                    if (!first.get().equals(name)) {
                        heldBack.putIfAbsent(name, "waiting for GPU: " + first.get() + " ranks first for the next "
                                + "free one (fair share by priority and waiting time)");
                    }
                    continue;
                }
                if (!lane.mayStart()) {
                    failed.add(name);
                    continue;
                }
                Set<Gpu> unavailable = new HashSet<>(taken);
                unavailable.addAll(memory.reservedForOthers(name, now));
                Placement p = placement.place(request, snapshot.inventory(), unavailable, snapshot.closedNodes(),
                        lane.warmNodes());
                if (p instanceof Placement.Placed placed) {
                    actions.add(new FleetPlan.Start(lane.key(), name, placed.gpus()));
                    plannedWorker(name, placed.gpus());
                    memory.started(name);
                    startedByFunction.merge(name, 1, Integer::sum);
                    continue;
                }
                String repack = repack(name, request);
                lacking.put(name, repack != null ? repack : ((Placement.Unplaceable) p).reason());
                if (couldEverPlace(request)) {
                    Claim claim = claims.stream().filter(c -> c.function().equals(name)).findFirst().orElseThrow();
                    // Hold the GPUs back for it only while some are on their way to it; else others may backfill.
                    if (askForYield(claim, request, claims) || memory.repackPending(name, now)) {
                        blocked.put(name, request);
                    }
                }
                failed.add(name); // its further starts this round would fail the same way
            }
            for (Claim c : claims) {
                if (c.wantedStarts() > startedByFunction.getOrDefault(c.function(), 0)) {
                    memory.waitingSince.putIfAbsent(c.function(), now);
                } else {
                    memory.waitingSince.remove(c.function());
                }
            }
        }

        private Claim claim(String function, FleetSnapshot.Owner owner, int wantedStarts) {
            List<Held> live = active(function);
            int held = live.stream().mapToInt(w -> w.gpus.size()).sum();
            return new Claim(function, owner.priority(), owner.gpu().count(), live.size(), held, wantedStarts,
                    memory.waitingSince.get(function));
        }

        /** Asks a holder to give a worker back if fair share says so; returns whether GPUs are on their way. */
        private boolean askForYield(Claim waiting, GpuRequest request, List<Claim> claims) {
            if (workers.stream().anyMatch(w -> w.draining() && w.holdsAny(request))) {
                return true; // one yield at a time
            }
            List<Claim> holders = claims.stream()
                    .filter(c -> active(c.function()).stream().anyMatch(w -> w.holdsAny(request))).toList();
            // a worker this plan only starts cannot be drained yet: it has no id until it is started
            Optional<Held> yielded = fair.yielder(waiting, holders).flatMap(victim -> active(victim).stream()
                    .filter(w -> !w.planned && w.holdsAny(request))
                    .min(Comparator.<Held>comparingInt(w -> w.phase == WorkerPhase.READY && w.inFlight == 0 ? 0
                            : w.phase == WorkerPhase.STARTING ? 1 : 2).thenComparingInt(w -> w.inFlight)));
            yielded.ifPresent(w -> {
                w.phase = WorkerPhase.DRAINING;
                actions.add(new FleetPlan.Yield(w.id, w.function, waiting.function(), waiting.priority()));
            });
            return yielded.isPresent();
        }

        /**
         * Tries to make room for a start that does not fit by moving idle workers of other functions. Returns what
         * the function waits for, or null if no repack helps.
         */
        private String repack(String function, GpuRequest request) {
            memory.reservations.values().removeIf(r -> now.isAfter(r.until()));
            FleetMemory.Reservation pending = memory.reservations.get(function);
            if (pending != null) {
                return pending.reason();
            }
            if (!memory.reservations.isEmpty()) {
                return null; // one repack at a time, so no worker is moved twice
            }
            List<Occupant> occupants = new ArrayList<>();
            for (Held w : workers) {
                if (w.gpus.isEmpty()) {
                    continue;
                }
                FleetSnapshot.Owner owner = w.function.equals(function) ? null : snapshot.owners().get(w.function);
                boolean movable = owner != null && owner.gpu() != null;
                boolean idle = movable && !w.planned && w.phase == WorkerPhase.READY && w.inFlight == 0;
                occupants.add(new Occupant(w.id, w.function, movable ? owner.gpu() : request, w.gpus, idle));
            }
            Optional<RepackPlan> plan = repacker.plan(request, snapshot.inventory(), occupants,
                    snapshot.closedNodes());
            if (plan.isEmpty()) {
                return null;
            }
            String moved = plan.get().moves().stream().map(RepackPlan.Move::workerId)
                    .collect(Collectors.joining(", "));
            String reason = "repacking: moving idle worker(s) " + moved + " so that " + request + " fits on "
                    + plan.get().target().getFirst().node() + " (" + plan.get().target() + ")";
            memory.reservations.put(function, new FleetMemory.Reservation(plan.get().target(),
                    now.plus(reservationTtl), reason));
            for (RepackPlan.Move m : plan.get().moves()) {
                workers.stream().filter(w -> w.id.equals(m.workerId())).findFirst()
                        .ifPresent(w -> w.phase = WorkerPhase.DRAINING);
                plannedWorker(m.function(), m.to());
            }
            actions.add(new FleetPlan.Repack(function, plan.get(), reason));
            return reason;
        }

        private void plannedWorker(String function, List<Gpu> gpus) {
            workers.add(new Held("planned-" + workers.size(), function, WorkerPhase.STARTING, 0, gpus, true));
            taken.addAll(gpus);
        }

        private List<Held> active(String function) {
            return workers.stream().filter(w -> w.function.equals(function) && !w.draining()).toList();
        }

        private boolean couldEverPlace(GpuRequest request) {
            return placement.place(request, snapshot.inventory(), Set.of(), snapshot.closedNodes())
                    instanceof Placement.Placed;
        }

        /** Whether a GPU of the fleet is one both requests would take. */
        private boolean anyGpuServesBoth(GpuRequest a, GpuRequest b) {
            return snapshot.inventory().stream()
                    .anyMatch(g -> BestFitPlacement.accepts(a, g) && BestFitPlacement.accepts(b, g));
        }
    }
}
