package dev.hearth.placement;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Shares scarce GPUs between functions, weighted by their manifest {@code priority}. Pure, with an injected clock.
 *
 * <ul>
 *   <li>Order of starts: first the first worker of every function that has none and waits for one (highest weight
 *       first, then the longest waiting); then one start at a time to the function whose GPUs per weight would be
 *       lowest after it, so GPUs split in proportion to priority.</li>
 *   <li>Yielding: a waiting function that cannot be placed may take a worker back from a function holding more than
 *       its share: a function's first worker always wins against holders of lower (aged) weight; otherwise the
 *       holder must still hold more GPUs per weight than the waiter would after the move (so two functions never
 *       trade a worker back and forth). The holder's worker is drained: it finishes its jobs first.</li>
 *   <li>Aging: a function's weight is its priority times {@code 1 + waited / agingPeriod}, so a function that keeps
 *       waiting outweighs any fixed priority in time and nothing starves forever.</li>
 * </ul>
 */
public final class FairShare {

    /** How long a function must wait for its weight to double. */
    public static final Duration DEFAULT_AGING = Duration.ofSeconds(60);

    private final InstantSource clock;
    private final Duration agingPeriod;

    public FairShare(InstantSource clock, Duration agingPeriod) {
        if (agingPeriod.isNegative() || agingPeriod.isZero()) {
            throw new IllegalArgumentException("agingPeriod must be positive");
        }
        this.clock = clock;
        this.agingPeriod = agingPeriod;
    }

    /** The priority, aged by how long the function has waited. */
    public double weight(Claim c) {
        if (c.waitingSince() == null) {
            return c.priority();
        }
        Duration waited = Duration.between(c.waitingSince(), clock.instant());
        double periods = Math.max(0, waited.toMillis()) / (double) agingPeriod.toMillis();
        return c.priority() * (1 + periods);
    }

    /** The order to try the wanted starts in: one entry (a function name) per start. */
    public List<String> order(List<Claim> claims) {
        Map<String, Double> weights = new HashMap<>();
        claims.forEach(c -> weights.put(c.function(), weight(c)));
        Comparator<Claim> heaviestFirst = Comparator.<Claim>comparingDouble(c -> -weights.get(c.function()))
                .thenComparing(c -> c.waitingSince() == null ? Instant.MAX : c.waitingSince())
                .thenComparing(Claim::function);
        List<String> order = new ArrayList<>();
        Map<String, Integer> granted = new HashMap<>();
        claims.stream().filter(c -> c.workers() == 0 && c.wantedStarts() > 0).sorted(heaviestFirst).forEach(c -> {
            order.add(c.function());
            granted.put(c.function(), 1);
        });
        List<Claim> open = new ArrayList<>(claims.stream()
                .filter(c -> c.wantedStarts() > granted.getOrDefault(c.function(), 0)).toList());
        while (!open.isEmpty()) {
            Claim next = open.stream().min(Comparator.<Claim>comparingDouble(c ->
                            shareAfter(c, granted.getOrDefault(c.function(), 0) + 1, weights.get(c.function())))
                    .thenComparing(heaviestFirst)).orElseThrow();
            int n = granted.merge(next.function(), 1, Integer::sum);
            order.add(next.function());
            if (n >= next.wantedStarts()) {
                open.remove(next);
            }
        }
        return order;
    }

    /**
     * Which function gives a worker back so that {@code waiting} can start one, or empty if none should.
     *
     * @param holders the functions holding GPUs that {@code waiting}'s workers could use
     */
    public Optional<String> yielder(Claim waiting, List<Claim> holders) {
        double ws = weight(waiting);
        double waiterAfter = shareAfter(waiting, 1, ws);
        return holders.stream()
                .filter(h -> !h.function().equals(waiting.function()) && h.workers() > 0 && h.gpusPerWorker() > 0
                        && h.heldGpus() >= h.gpusPerWorker())
                .filter(h -> {
                    double holderAfter = (h.heldGpus() - h.gpusPerWorker()) / weight(h);
                    boolean firstWorkerWins = waiting.workers() == 0 && weight(h) < ws;
                    return firstWorkerWins || holderAfter > waiterAfter;
                })
                .max(Comparator.<Claim>comparingDouble(h -> h.heldGpus() / weight(h))
                        .thenComparing(Comparator.comparingInt(Claim::priority).reversed())
                        .thenComparing(Claim::function, Comparator.reverseOrder()))
                .map(Claim::function);
    }

    private static double shareAfter(Claim c, int starts, double weight) {
        return (c.heldGpus() + (double) starts * c.gpusPerWorker()) / weight;
    }
}
