package dev.hearth.placement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.functions.GpuRequest;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BestFitPlacementTest {

    final BestFitPlacement placement = new BestFitPlacement();

    static List<Gpu> node(String node, String type, int n, int firstIndex) {
        return java.util.stream.IntStream.range(0, n).mapToObj(i -> new Gpu(node, firstIndex + i, type, 0)).toList();
    }

    @Test
    void theFirstTypeInThePreferenceListWithRoomWins() {
        List<Gpu> inv = new java.util.ArrayList<>(node("a", "A100", 2, 0));
        inv.addAll(node("a", "H100", 1, 2));

        Placement p = placement.place(new GpuRequest(List.of("H100", "A100"), 1), inv, Set.of());

        assertThat(((Placement.Placed) p).gpus()).extracting(Gpu::type).containsExactly("H100");
    }

    @Test
    void fallsBackWhenThePreferredTypeIsBusy() {
        List<Gpu> inv = new java.util.ArrayList<>(node("a", "H100", 1, 0));
        inv.addAll(node("a", "A100", 1, 1));

        Placement p = placement.place(new GpuRequest(List.of("H100", "A100"), 1), inv, Set.of(inv.getFirst()));

        assertThat(((Placement.Placed) p).gpus()).extracting(Gpu::type).containsExactly("A100");
    }

    @Test
    void aNodeThatHoldsTheWorkersEnvironmentWinsOverABetterFit() {
        List<Gpu> big = node("big", "H100", 4, 0);
        List<Gpu> small = node("small", "H100", 2, 0);
        List<Gpu> inv = new java.util.ArrayList<>(big);
        inv.addAll(small);

        Placement p = placement.place(new GpuRequest(List.of("H100"), 1), inv, Set.of(small.getFirst()), Set.of(),
                Set.of("big"));

        assertThat(((Placement.Placed) p).gpus()).extracting(Gpu::node).containsExactly("big");
    }

    @Test
    void aWarmNodeDoesNotOutrankThePreferenceListOfGpuTypes() {
        List<Gpu> inv = new java.util.ArrayList<>(node("cold", "H100", 1, 0));
        inv.addAll(node("warm", "A100", 1, 0));

        Placement p = placement.place(new GpuRequest(List.of("H100", "A100"), 1), inv, Set.of(), Set.of(),
                Set.of("warm"));

        assertThat(((Placement.Placed) p).gpus()).extracting(Gpu::node).containsExactly("cold");
    }

    @Test
    void aWarmNodeWithoutRoomLeavesTheChoiceToBestFit() {
        List<Gpu> warm = node("warm", "H100", 1, 0);
        List<Gpu> inv = new java.util.ArrayList<>(warm);
        inv.addAll(node("cold", "H100", 2, 0));

        Placement p = placement.place(new GpuRequest(List.of("H100"), 1), inv, Set.of(warm.getFirst()), Set.of(),
                Set.of("warm"));

        assertThat(((Placement.Placed) p).gpus()).extracting(Gpu::node).containsExactly("cold");
    }

    @Test
    void bestFitPicksTheNodeWithTheFewestFreeGpusSoWholeNodesStayFree() {
        List<Gpu> big = node("big", "H100", 4, 0);
        List<Gpu> small = node("small", "H100", 2, 0);
        List<Gpu> inv = new java.util.ArrayList<>(big);
        inv.addAll(small);

        Placement p = placement.place(new GpuRequest(List.of("H100"), 1), inv, Set.of(small.getFirst()));

        assertThat(((Placement.Placed) p).gpus()).extracting(Gpu::node).containsExactly("small");
    }

    @Test
    void aMultiGpuWorkerGetsGpusOfOneNode() {
        List<Gpu> inv = new java.util.ArrayList<>(node("a", "H100", 2, 0));
        inv.addAll(node("b", "H100", 2, 0));

        Placement p = placement.place(new GpuRequest(List.of("H100"), 2), inv, Set.of(inv.get(0), inv.get(2)));

        assertThat(p).isInstanceOf(Placement.Unplaceable.class);
        assertThat(((Placement.Unplaceable) p).reason()).contains("needs 2x H100").contains("H100 2/4 free");
    }

    @Test
    void typeNamesMatchIgnoringCaseAndMemoryVariants() {
        assertThat(BestFitPlacement.matches("A100-80GB", "a100")).isTrue();
        assertThat(BestFitPlacement.matches("H100", "H10")).isFalse();
    }

    @Test
    void anExclamationMarkPinsTheExactType() {
        List<Gpu> inv = node("a", "A100-80GB", 1, 0);

        assertThat(placement.place(new GpuRequest(List.of("A100!"), 1), inv, Set.of()))
                .isInstanceOf(Placement.Unplaceable.class);
        assertThat(placement.place(new GpuRequest(List.of("A100-80GB!"), 1), inv, Set.of()))
                .isInstanceOf(Placement.Placed.class);
    }

    @Test
    void noGpusMeansAClearReason() {
        Placement p = placement.place(new GpuRequest(List.of("H100"), 1), List.of(), Set.of());

        assertThat(((Placement.Unplaceable) p).reason()).contains("no GPUs");
    }

    @Test
    void smallWorkersPackIntoThePartlyUsedGroupSoAWholeQuadStaysFree() {
        List<Gpu> inv = node("a", "H100", 8, 0);

        Placement p = placement.place(new GpuRequest(List.of("H100"), 1), inv, Set.of(inv.get(5)));

        assertThat(((Placement.Placed) p).gpus()).containsExactly(inv.get(4));
        Placement quad = placement.place(new GpuRequest(List.of("H100"), 4), inv, Set.of(inv.get(5)));
        assertThat(((Placement.Placed) quad).gpus()).containsExactlyElementsOf(inv.subList(0, 4));
    }

    @Test
    void aWorkerSpansGroupsOfOneNodeOnlyWhenNoGroupHasRoom() {
        List<Gpu> inv = node("a", "H100", 8, 0);

        Placement p = placement.place(new GpuRequest(List.of("H100"), 4), inv,
                Set.of(inv.get(0), inv.get(1), inv.get(4), inv.get(5)));

        assertThat(((Placement.Placed) p).gpus()).containsExactly(inv.get(2), inv.get(3), inv.get(6), inv.get(7));
    }

    @Test
    void closedNodesTakeNoNewWorkersAndTheReasonSaysSo() {
        List<Gpu> inv = new java.util.ArrayList<>(node("a", "H100", 1, 0));
        inv.addAll(node("b", "H100", 1, 1));

        Placement p = placement.place(new GpuRequest(List.of("H100"), 1), inv, Set.of(), Set.of("a"));
        Placement none = placement.place(new GpuRequest(List.of("H100"), 1), inv, Set.of(inv.get(1)), Set.of("a"));

        assertThat(((Placement.Placed) p).gpus()).extracting(Gpu::node).containsExactly("b");
        assertThat(((Placement.Unplaceable) none).reason()).contains("closed for drain: a");
    }

    @Test
    void theFallbackListIsTriedInOrderAcrossEveryNode() {
        List<Gpu> inv = new java.util.ArrayList<>(node("a", "A100", 2, 0));
        inv.addAll(node("b", "L4", 2, 0));
        inv.addAll(node("c", "H100", 1, 0));

        Placement p = placement.place(new GpuRequest(List.of("H100!", "L4", "A100"), 2), inv, Set.of());

        assertThat(((Placement.Placed) p).gpus()).extracting(Gpu::node).containsOnly("b");
    }
}
