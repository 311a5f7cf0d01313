package dev.hearth.sim;

import dev.hearth.metering.PriceCatalog;
import dev.hearth.placement.Gpu;
import java.util.List;

/** What {@code hearth plan --scenario} reads: prices, the fleet, the latency target and the functions' traffic. */
public record Scenario(PriceCatalog prices, List<Gpu> gpus, Slo slo, long seed, List<FunctionSpec> functions) {

    public Scenario {
        gpus = List.copyOf(gpus);
        functions = List.copyOf(functions);
    }
}
