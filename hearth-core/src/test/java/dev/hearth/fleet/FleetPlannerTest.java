package dev.hearth.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.functions.GpuRequest;
import dev.hearth.functions.ScalingConfig;
import dev.hearth.placement.FairShare;
import dev.hearth.placement.Gpu;
import dev.hearth.scaling.Autoscaler;
import dev.hearth.scaling.FunctionLoad;
import dev.hearth.scaling.WorkerPhase;
import dev.hearth.scaling.WorkerSnapshot;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The fleet-level decisions of a scaling round, as the server and the simulator both apply them. */
class FleetPlannerTest {

    static final GpuRequest ONE = new GpuRequest(List.of("H100"), 1);
    static final GpuRequest TWO = new GpuRequest(List.of("H100"), 2);
    static final Instant T0 = Instant.parse("2026-01-05T00:00:00Z");

    Instant now = T0;
    final InstantSource clock = () -> now;
    final FleetPlanner planner = new FleetPlanner(new Autoscaler(clock), new FairShare(clock,
            FairShare.DEFAULT_AGING), clock, Duration.ofSeconds(30));
    final FleetMemory memory = new FleetMemory();

    static List<Gpu> node(String node, int n) {
        return IntStream.range(0, n).mapToObj(i -> new Gpu(node, i, "H100", 0)).toList();
    }

    /** A round's snapshot, built up by a test. */
    final class Fleet {
        final List<Gpu> inventory;
        final List<FleetSnapshot.Lane> lanes = new ArrayList<>();
        final List<FleetSnapshot.Worker> workers = new ArrayList<>();
        final Map<String, FleetSnapshot.Owner> owners = new HashMap<>();

        Fleet(List<Gpu> inventory) {
            this.inventory = inventory;
        }

        /** A lane with {@code queued} jobs waiting and none of its own workers. */
        Fleet wants(String function, int priority, GpuRequest gpu, int queued) {
            lanes.add(new FleetSnapshot.Lane(function, function, priority, gpu, true, new FunctionLoad(function,
                    ScalingConfig.DEFAULT, queued, 0, 0, List.of(), Duration.ZERO)));
            owners.put(function, new FleetSnapshot.Owner(priority, gpu));
            return this;
        }

        /** A worker of a function that is not a lane this round (the autoscaler leaves it be). */
        Fleet holds(String id, String function, int priority, WorkerPhase phase, int inFlight, Gpu... gpus) {
            workers.add(new FleetSnapshot.Worker(id, function, phase, inFlight, List.of(gpus)));
            owners.put(function, new FleetSnapshot.Owner(priority, new GpuRequest(List.of("H100"), gpus.length)));
            return this;
        }

        FleetPlan plan() {
            return planner.plan(new FleetSnapshot(inventory, Set.of(), lanes, workers, owners), memory);
        }
    }

    static List<FleetPlan.Start> starts(FleetPlan plan) {
        return plan.actions().stream().filter(a -> a instanceof FleetPlan.Start).map(a -> (FleetPlan.Start) a)
                .toList();
    }

    @Test
    void theLastFreeGpuGoesToTheHigherPriorityFunction() {
        List<Gpu> gpus = node("a", 1);

        FleetPlan plan = new Fleet(gpus).wants("batch", 1, ONE, 1).wants("chat", 10, ONE, 1).plan();

        assertThat(starts(plan)).containsExactly(new FleetPlan.Start("chat", "chat", gpus));
        assertThat(plan.lacking()).containsOnlyKeys("batch");
    }

    @Test
    void cpuStartsNeedNoGpuAndAreAllPlanned() {
        FleetPlan plan = new Fleet(node("a", 1)).wants("resize", 1, null, 3).plan();

        assertThat(starts(plan)).hasSize(3).allMatch(s -> s.gpus().isEmpty() && s.key().equals("resize"));
    }

    @Test
    void aStartPlacedThisRoundTakesItsGpusFromLaterStarts() {
        List<Gpu> gpus = node("a", 2);

        FleetPlan plan = new Fleet(gpus).wants("chat", 10, ONE, 3).plan();

        assertThat(starts(plan)).extracting(FleetPlan.Start::gpus).containsExactlyInAnyOrder(List.of(gpus.get(0)),
                List.of(gpus.get(1)));
        assertThat(plan.lacking()).containsKey("chat");
    }

    @Test
    void aHigherPriorityFunctionsFirstWorkerMakesALowerPriorityHolderYieldOne() {
        List<Gpu> gpus = node("a", 2);

        FleetPlan plan = new Fleet(gpus).holds("b-1", "batch", 1, WorkerPhase.READY, 1, gpus.get(0))
                .holds("b-2", "batch", 1, WorkerPhase.READY, 1, gpus.get(1)).wants("chat", 10, ONE, 1).plan();

        assertThat(plan.actions()).containsExactly(new FleetPlan.Yield("b-1", "batch", "chat", 10));
    }

    @Test
    void theYieldedWorkerIsAnIdleOneBeforeAStartingOneBeforeABusyOne() {
        List<Gpu> gpus = node("a", 3);

        FleetPlan plan = new Fleet(gpus).holds("busy", "batch", 1, WorkerPhase.READY, 1, gpus.get(0))
                .holds("starting", "batch", 1, WorkerPhase.STARTING, 0, gpus.get(1))
                .holds("idle", "batch", 1, WorkerPhase.READY, 0, gpus.get(2)).wants("chat", 10, ONE, 1).plan();

        assertThat(plan.actions()).containsExactly(new FleetPlan.Yield("idle", "batch", "chat", 10));
    }

    @Test
    void noSecondYieldWhileAWorkerHoldingSuchGpusIsStillDraining() {
        List<Gpu> gpus = node("a", 2);

        FleetPlan plan = new Fleet(gpus).holds("leaving", "batch", 1, WorkerPhase.DRAINING, 1, gpus.get(0))
                .holds("b-2", "batch", 1, WorkerPhase.READY, 1, gpus.get(1)).wants("chat", 10, ONE, 1).plan();

        assertThat(plan.actions()).isEmpty();
    }

    @Test
    void whileGpusAreOnTheirWayToAFunctionLaterStartsThatCouldUseThemAreHeldBack() {
        List<Gpu> gpus = node("a", 2);

        // chat needs both GPUs: batch yields its worker; "other" would fit on the free GPU but must leave it to chat
        FleetPlan plan = new Fleet(gpus).holds("b-1", "batch", 1, WorkerPhase.READY, 1, gpus.get(0))
                .wants("chat", 10, TWO, 1).wants("other", 5, ONE, 1).plan();

        assertThat(plan.actions()).containsExactly(new FleetPlan.Yield("b-1", "batch", "chat", 10));
        assertThat(plan.heldBack()).containsOnlyKeys("other");
        assertThat(plan.heldBack().get("other")).startsWith("waiting for GPU: chat ranks first");
    }

    @Test
    void withoutGpusOnTheirWayAFunctionThatFindsNoneDoesNotHoldOthersBack() {
        List<Gpu> gpus = node("a", 2);

        // batch holds no more than its share against chat (equal priority): no yield, so "other" backfills
        FleetPlan plan = new Fleet(gpus).holds("b-1", "batch", 10, WorkerPhase.READY, 1, gpus.get(0))
                .wants("chat", 10, TWO, 1).wants("other", 5, ONE, 1).plan();

        assertThat(starts(plan)).containsExactly(new FleetPlan.Start("other", "other", List.of(gpus.get(1))));
        assertThat(plan.heldBack()).isEmpty();
    }

    @Test
    void aFunctionThatKeepsWaitingOutranksAHigherPriorityOneInTime() {
        List<Gpu> gpus = node("a", 1);
        new Fleet(gpus).holds("vip-1", "vip", 100, WorkerPhase.READY, 1, gpus.get(0)).wants("batch", 1, ONE, 1)
                .plan();

        now = T0.plus(Duration.ofMinutes(10)); // batch's weight is now 1 × (1 + 10 min / 60 s) = 11
        FleetPlan plan = new Fleet(gpus).wants("batch", 1, ONE, 1).wants("chat", 10, ONE, 1).plan();

        assertThat(starts(plan)).containsExactly(new FleetPlan.Start("batch", "batch", gpus));
    }

    @Test
    void scatteredIdleWorkersOfAnotherFunctionMoveSoATwoGpuWorkerFitsOnOneNode() {
        List<Gpu> a = node("a", 2);
        List<Gpu> b = node("b", 2);
        List<Gpu> inventory = new ArrayList<>(a);
        inventory.addAll(b);

        FleetPlan first = new Fleet(inventory).holds("s-a", "small", 1, WorkerPhase.READY, 0, a.get(0))
                .holds("s-b", "small", 1, WorkerPhase.READY, 0, b.get(0)).wants("big", 1, TWO, 1).plan();

        FleetPlan.Repack repack = (FleetPlan.Repack) first.actions().getFirst();
        assertThat(first.actions()).hasSize(1);
        assertThat(repack.plan().moves()).hasSize(1);
        assertThat(first.lacking().get("big")).startsWith("repacking: moving idle worker(s) "
                + repack.plan().moves().getFirst().workerId());
        List<Gpu> target = repack.plan().target();
        String stays = repack.plan().moves().getFirst().workerId().equals("s-a") ? "s-b" : "s-a";
        Gpu staysOn = stays.equals("s-a") ? a.get(0) : b.get(0);

        // the moved worker has exited and its replacement started where the plan said
        FleetPlan second = new Fleet(inventory).holds(stays, "small", 1, WorkerPhase.READY, 0, staysOn)
                .holds("s-new", "small", 1, WorkerPhase.STARTING, 0,
                        repack.plan().moves().getFirst().to().toArray(Gpu[]::new))
                .wants("big", 1, TWO, 1).plan();

        assertThat(starts(second)).containsExactly(new FleetPlan.Start("big", "big", target));
    }

    @Test
    void aScaleDownDrainsTheLongestIdleWorkerOfTheLane() {
        List<Gpu> gpus = node("a", 2);
        ScalingConfig config = new ScalingConfig(0, 3, Duration.ofSeconds(30), 1);
        now = T0.plus(Duration.ofMinutes(5));
        List<WorkerSnapshot> workers = List.of(
                new WorkerSnapshot("recent", WorkerPhase.READY, 0, T0, now.minusSeconds(40)),
                new WorkerSnapshot("longest", WorkerPhase.READY, 0, T0, now.minusSeconds(200)));
        FleetSnapshot snapshot = new FleetSnapshot(gpus, Set.of(), List.of(new FleetSnapshot.Lane("chat", "chat", 1,
                ONE, true, new FunctionLoad("chat", config, 0, 0, 0, workers, Duration.ZERO))),
                List.of(new FleetSnapshot.Worker("recent", "chat", WorkerPhase.READY, 0, List.of(gpus.get(0))),
                        new FleetSnapshot.Worker("longest", "chat", WorkerPhase.READY, 0, List.of(gpus.get(1)))),
                Map.of("chat", new FleetSnapshot.Owner(1, ONE)));

        FleetPlan plan = planner.plan(snapshot, memory);

        assertThat(plan.actions()).first().isEqualTo(new FleetPlan.Drain("chat", "longest"));
    }

    @Test
    void aStartGoesToANodeThatHoldsTheVersionsCodeWhenOneFits() {
        List<Gpu> inventory = new ArrayList<>(node("a", 1));
        inventory.addAll(IntStream.range(0, 1).mapToObj(i -> new Gpu("b", i, "H100", 0)).toList());
        FleetSnapshot snapshot = new FleetSnapshot(inventory, Set.of(), List.of(new FleetSnapshot.Lane("chat", "chat",
                1, ONE, true, new FunctionLoad("chat", ScalingConfig.DEFAULT, 1, 0, 0, List.of(), Duration.ZERO),
                Set.of("b"))), List.of(), Map.of());

        FleetPlan plan = planner.plan(snapshot, memory);

        assertThat(starts(plan)).extracting(s -> s.gpus().getFirst().node()).containsExactly("b");
    }
}
