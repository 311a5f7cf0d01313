package dev.hearth.cli;

import dev.hearth.client.Hearth;
import dev.hearth.client.ScalingEvent;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code hearth events <function>}: the autoscaler's recent decisions and why. */
@Command(name = "events", description = "Show a function's recent autoscaling decisions and their reasons.")
final class EventsCommand implements Callable<Integer> {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    @ParentCommand
    HearthCommand root;

    @Mixin
    ClientOptions client;

    @Parameters(paramLabel = "FUNCTION", description = "The function.")
    String function;

    @Option(names = {"-n", "--tail"}, paramLabel = "N", defaultValue = "50",
            description = "How many of the latest decisions (default: ${DEFAULT-VALUE}).")
    int tail;

    @Override
    public Integer call() {
        if (tail < 1) {
            throw CliException.usage("--tail must be at least 1, got " + tail);
        }
        Context ctx = root.context();
        List<ScalingEvent> events;
        try (Hearth hearth = client.connect(ctx)) {
            events = hearth.scalingEvents(function);
        }
        if (events.isEmpty()) {
            ctx.out().println("no scaling decisions for " + function + " yet");
            return ExitCodes.OK;
        }
        Table t = new Table("TIME", "ACTION", "DELTA", "DESIRED", "QUEUE", "IN-FLIGHT", "WORKERS", "REASON");
        for (ScalingEvent e : events.subList(Math.max(0, events.size() - tail), events.size())) {
            int workers = e.inputs().path("ready").asInt() + e.inputs().path("starting").asInt();
            t.row(e.at() == null ? null : TIME.format(e.at().atZone(ZoneId.systemDefault())),
                    e.action() + (e.panic() ? " (panic)" : ""), e.delta() > 0 ? "+" + e.delta() : e.delta(),
                    e.desired(), e.inputs().path("queued").asInt(), e.inputs().path("inFlight").asInt(), workers,
                    e.reason());
        }
        t.print(ctx.out());
        return ExitCodes.OK;
    }
}
