package dev.hearth.sim;

import dev.hearth.functions.GpuRequest;
import dev.hearth.functions.ScalingConfig;
import dev.hearth.metering.Money;
import dev.hearth.metering.PriceCatalog;
import dev.hearth.placement.Gpu;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What a server recorded about one function over a window: what {@code hearth plan FUNCTION --from-history 24h}
 * replays. The server writes it ({@code GET /v1/functions/{fn}/history}, see {@link HistoryJson}) from its store: the
 * jobs submitted in the window, every worker start, the function's scaling and GPU, the fleet and the price catalog.
 *
 * @param submittedMs each request's submission, ms after {@code from}, ascending
 * @param executionMs each request's execution time in ms, -1 where it is not known (still running, or it never ran)
 * @param truncated   whether the window held more requests than were read (the newest were kept)
 * @param initMs      the start-up time of every worker of the function that became ready in the window, in the order
 *                    they started
 * @param measured    what the server measured over the window, to print beside the simulation of the current scaling
 */
public record History(String function, Instant from, Instant to, GpuRequest gpu, double cpu, int priority,
                      ScalingConfig scaling, List<Gpu> fleet, PriceCatalog prices, long[] submittedMs,
                      long[] executionMs, boolean truncated, long[] initMs, Measured measured) {

    /** The seed of the draws of unknown execution times and of start-up times (the same plan for the same history). */
    static final long SEED = 1;

    public History {
        Objects.requireNonNull(function, "function");
        Objects.requireNonNull(scaling, "scaling");
        fleet = List.copyOf(fleet);
        if (submittedMs.length != executionMs.length) {
            throw new IllegalArgumentException("one execution time per request");
        }
        if (to.isBefore(from)) {
            throw new IllegalArgumentException("the window ends before it starts");
        }
    }

    /**
     * Figures the server measured over the window (the requests that finished in it).
     *
     * @param latency end-to-end, submission to result, ms
     * @param cost    what the function's workers cost in the window ({@code /v1/usage})
     */
    public record Measured(int requests, int coldStarts, Latency latency, Money cost) {
    }

    public Duration window() {
        return Duration.between(from, to);
    }

    /**
     * The scenario that replays this history: its arrivals at their real times, each with its real execution time (a
     * request without one draws from the others'), workers starting in times drawn from the real start-up times, the
     * current scaling as {@code current}, on the server's fleet and prices. Workers take the real start-up times in the
     * order the real workers started (then again from the first), so the policy that ran meets the start-ups it met.
     *
     * @param policies the policies to try, or null for the default sweep
     * @throws ScenarioException when the window holds no request that ran
     */
    public Scenario scenario(Slo slo, List<Policy> policies) {
        long[] known = Arrays.stream(executionMs).filter(e -> e >= 0).toArray();
        if (known.length == 0) {
            throw new ScenarioException("no job of '" + function + "' ran in the last " + dev.hearth.functions.Durations
                    .format(window()) + "; nothing to replay");
        }
        Distribution execution = new Distribution.Empirical(known);
        Distribution init = initMs.length == 0 ? new Distribution.Fixed(0) : new Distribution.InOrder(initMs);
        Traffic traffic = new Traffic.Replay("history of " + function, submittedMs, executionMs,
                Math.max(1, window().toMillis()));
        FunctionSpec spec = new FunctionSpec(function, gpu, cpu, priority, execution, init, traffic, scaling, policies);
        return new Scenario(prices, fleet, slo, SEED, List.of(spec));
    }

    /** The default SLO for a history: its measured end-to-end p95, plus a tenth (at least 100 ms). */
    public Slo defaultSlo() {
        long p95 = measured == null ? 0 : measured.latency().p95();
        long limit = Math.max(100, (long) Math.ceil(p95 * 1.1 / 100.0) * 100);
        return new Slo("p95", Duration.ofMillis(limit));
    }
}
