package dev.hearth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.client.Hearth;
import dev.hearth.client.ScalingChange;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code hearth scale <function> --min 1 --max 8 ...}: change scaling live, without a redeploy. */
@Command(name = "scale", description = "Change a function's scaling now, without a redeploy (until the next deploy).")
final class ScaleCommand implements Callable<Integer> {

    @ParentCommand
    HearthCommand root;

    @Mixin
    ClientOptions client;

    @Parameters(paramLabel = "FUNCTION", description = "The function.")
    String function;

    @Option(names = "--min", paramLabel = "N", description = "minWorkers: workers kept even without work.")
    Integer min;

    @Option(names = "--max", paramLabel = "N", description = "maxWorkers: the most workers at once.")
    Integer max;

    @Option(names = "--buffer", paramLabel = "N", description = "bufferWorkers: extra idle workers while busy.")
    Integer buffer;

    @Option(names = "--idle-timeout", paramLabel = "DURATION", description = "idleTimeout, e.g. 30s or 5m.")
    String idleTimeout;

    @Option(names = "--target-concurrency", paramLabel = "N", description = "Jobs per worker to aim for.")
    Double targetConcurrency;

    @Option(names = "--scaler", paramLabel = "TYPE", description = "requestCount or queueDelay.")
    String scaler;

    @Option(names = "--scaler-value", paramLabel = "X",
            description = "Jobs per worker (requestCount) or seconds of queue delay (queueDelay).")
    Double scalerValue;

    @Option(names = "--reset", description = "Drop the live changes: the manifest's scaling applies again.")
    boolean reset;

    @Override
    public Integer call() {
        Duration idle = idleTimeout == null ? null : CliException.duration("--idle-timeout", idleTimeout);
        ScalingChange change = new ScalingChange(min, max, buffer, idle, targetConcurrency, scaler, scalerValue);
        if (reset == !change.isEmpty()) {
            throw CliException.usage(reset ? "--reset takes no other change"
                    : "give at least one of --min, --max, --buffer, --idle-timeout, --target-concurrency, --scaler, "
                    + "--scaler-value (or --reset)");
        }
        Context ctx = root.context();
        JsonNode s;
        try (Hearth hearth = client.connect(ctx)) {
            s = reset ? hearth.resetScaling(function) : hearth.scale(function, change);
        }
        ctx.out().println(function + ": minWorkers " + s.path("minWorkers").asText() + ", maxWorkers "
                + s.path("maxWorkers").asText() + ", bufferWorkers " + s.path("bufferWorkers").asText()
                + ", idleTimeout " + s.path("idleTimeout").asText() + ", scaler " + s.path("scaler").asText() + " "
                + s.path("scalerValue").asText() + (reset ? " (as deployed)" : " (live until the next deploy)"));
        return ExitCodes.OK;
    }
}
