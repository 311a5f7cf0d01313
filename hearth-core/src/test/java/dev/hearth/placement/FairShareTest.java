package dev.hearth.placement;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class FairShareTest {

    static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
    final FairShare fair = new FairShare(() -> NOW, Duration.ofSeconds(60));

    static Claim claim(String fn, int priority, int workers, int wanted, Instant waitingSince) {
        return new Claim(fn, priority, 1, workers, workers, wanted, waitingSince);
    }

    @Test
    void firstWorkersGoFirstByPriorityThenByHowLongTheyWaited() {
        List<String> order = fair.order(List.of(
                claim("busy", 100, 3, 2, NOW),
                claim("low", 1, 0, 1, NOW.minusSeconds(5)),
                claim("high-new", 50, 0, 1, NOW),
                claim("high-old", 50, 0, 1, NOW.minusSeconds(1))));

        assertThat(order.subList(0, 3)).containsExactly("high-old", "high-new", "low");
        assertThat(order.subList(3, 5)).containsExactly("busy", "busy");
    }

    @Test
    void furtherStartsSplitGpusInProportionToPriority() {
        List<String> order = fair.order(List.of(claim("a", 30, 3, 10, null), claim("b", 10, 1, 10, null)));

        // a holds 3 GPUs at weight 30, b 1 at weight 10: equal shares, kept equal by three starts of a per start of b
        List<String> first8 = order.subList(0, 8);
        assertThat(first8.stream().filter("a"::equals).count()).isEqualTo(6);
        assertThat(first8.stream().filter("b"::equals).count()).isEqualTo(2);
    }

    @Test
    void aLowPriorityFunctionYieldsAWorkerToAHighPriorityFunctionsFirstWorker() {
        Claim vip = claim("vip", 100, 0, 1, NOW);
        Claim bulk = claim("bulk", 1, 2, 5, NOW);

        assertThat(fair.yielder(vip, List.of(bulk))).contains("bulk");
    }

    @Test
    void aHolderWithinItsShareKeepsItsWorkers() {
        Claim waiter = claim("a", 10, 1, 3, NOW);
        Claim holder = claim("b", 10, 2, 3, NOW);

        // b giving one up would leave it with 1 and a with 2: a trade that would only be reversed
        assertThat(fair.yielder(waiter, List.of(holder))).isEmpty();
        assertThat(fair.yielder(waiter, List.of(claim("b", 10, 4, 3, NOW)))).contains("b");
    }

    @Test
    void aHighPriorityFunctionDoesNotYieldToALowPriorityFirstWorkerAtOnceButDoesAfterItWaitedLongEnough() {
        Claim holder = claim("vip", 100, 2, 0, null);

        assertThat(fair.yielder(claim("low", 1, 0, 1, NOW), List.of(holder))).isEmpty();
        // weight 1 * (1 + waited/60s) must pass 100 * ... : after ~2 hours its share after one start is the smaller
        assertThat(fair.yielder(claim("low", 1, 0, 1, NOW.minus(Duration.ofHours(2))), List.of(holder)))
                .contains("vip");
    }

    @Test
    void aFirstWorkerThatKeepsWaitingWinsAGpuFromAnEqualPriorityHolderInTheEnd() {
        Claim holder = claim("single", 10, 1, 0, null);

        assertThat(fair.yielder(claim("big", 10, 0, 1, NOW), List.of(holder))).isEmpty();
        assertThat(fair.yielder(claim("big", 10, 0, 1, NOW.minusSeconds(30)), List.of(holder))).contains("single");
    }

    @Test
    void agingRaisesTheWeightOfAFunctionThatKeepsWaiting() {
        assertThat(fair.weight(claim("a", 10, 0, 1, null))).isEqualTo(10.0);
        assertThat(fair.weight(claim("a", 10, 0, 1, NOW.minusSeconds(60)))).isEqualTo(20.0);
        List<String> order = fair.order(List.of(claim("old-low", 1, 0, 1, NOW.minusSeconds(600)),
                claim("new-high", 10, 0, 1, NOW)));
        assertThat(order).containsExactly("old-low", "new-high");
    }
}
