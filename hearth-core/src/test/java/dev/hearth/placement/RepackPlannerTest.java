package dev.hearth.placement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.functions.GpuRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RepackPlannerTest {

    static final GpuRequest ONE = new GpuRequest(List.of("H100"), 1);
    static final GpuRequest TWO = new GpuRequest(List.of("H100"), 2);
    static final GpuRequest FOUR = new GpuRequest(List.of("H100"), 4);

    final RepackPlanner planner = new RepackPlanner();
    final List<Gpu> a = BestFitPlacementTest.node("a", "H100", 4, 0);
    final List<Gpu> b = BestFitPlacementTest.node("b", "H100", 4, 4);
    final List<Gpu> inventory = new ArrayList<>(a);

    {
        inventory.addAll(b);
    }

    static Occupant worker(String id, Gpu gpu, boolean idle) {
        return new Occupant(id, "small", ONE, List.of(gpu), idle);
    }

    @Test
    void scatteredIdleSingleGpuWorkersMoveSoAFourGpuWorkerFits() {
        // a: 2 busy + 1 idle; b: 1 idle. Neither node has 4 free GPUs, though 4 GPUs are free overall.
        List<Occupant> occupants = List.of(worker("busy-1", a.get(0), false), worker("busy-2", a.get(1), false),
                worker("idle-a", a.get(2), true), worker("idle-b", b.get(0), true));

        RepackPlan plan = planner.plan(FOUR, inventory, occupants, Set.of()).orElseThrow();

        assertThat(plan.moves()).extracting(RepackPlan.Move::workerId).containsExactly("idle-b");
        assertThat(plan.target()).containsExactlyElementsOf(b);
        assertThat(plan.moves().getFirst().to()).extracting(Gpu::node).containsExactly("a");
    }

    @Test
    void busyWorkersAreNeverMoved() {
        List<Occupant> occupants = List.of(worker("busy-a", a.get(0), false), worker("busy-b", b.get(0), false));

        assertThat(planner.plan(FOUR, inventory, occupants, Set.of())).isEmpty();
    }

    @Test
    void noPlanWhenTheRequestAlreadyFits() {
        assertThat(planner.plan(FOUR, inventory, List.of(worker("idle-a", a.get(0), true)), Set.of())).isEmpty();
    }

    @Test
    void aMovedWorkerMustHaveSomewhereToGo() {
        // Every GPU is held: moving the idle worker off b would leave it nowhere to run.
        List<Occupant> occupants = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            occupants.add(worker("busy-a" + i, a.get(i), false));
        }
        occupants.add(worker("idle-b", b.get(0), true));
        occupants.add(worker("busy-b", b.get(1), false));

        assertThat(planner.plan(TWO, inventory, occupants, Set.of())).isEmpty();
    }

    @Test
    void drainingNodesReceiveNeitherTheNewWorkerNorTheMovedOnes() {
        List<Occupant> occupants = List.of(worker("idle-a", a.get(0), true), worker("idle-b", b.get(0), true));

        // a is closed: the 4-GPU worker must go to b, and b's idle worker cannot move to a.
        assertThat(planner.plan(FOUR, inventory, occupants, Set.of("a"))).isEmpty();
    }
}
