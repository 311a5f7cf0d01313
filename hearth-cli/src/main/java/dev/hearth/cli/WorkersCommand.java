package dev.hearth.cli;

import dev.hearth.client.Hearth;
import dev.hearth.client.PreinitInfo;
import dev.hearth.client.WorkerInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code hearth workers [function]}. */
@Command(name = "workers", description = "List running workers, of one function or all.")
final class WorkersCommand implements Callable<Integer> {

    @ParentCommand
    HearthCommand root;

    @Mixin
    ClientOptions client;

    @Parameters(paramLabel = "FUNCTION", arity = "0..1", description = "Only this function's workers.")
    String function;

    @Override
    public Integer call() {
        Context ctx = root.context();
        List<WorkerInfo> workers;
        List<PreinitInfo> pooled;
        try (Hearth hearth = client.connect(ctx)) {
            Hearth.WorkerListing listing = hearth.workerListing(function);
            workers = listing.workers();
            pooled = listing.preinitialized();
        }
        if (workers.isEmpty() && pooled.isEmpty()) {
            ctx.out().println("no workers" + (function == null ? "" : " for " + function)
                    + " (functions scale to zero when idle)");
            return ExitCodes.OK;
        }
        Table t = new Table("ID", "FUNCTION", "VERSION", "STATE", "NODE", "GPUS", "PID", "IN-FLIGHT", "DONE", "UP");
        for (WorkerInfo w : workers) {
            t.row(w.id(), w.function(), w.version(), w.state(), w.node(), w.gpus().isEmpty() ? "-" : String.join(",", w.gpus()),
                    w.pid() == 0 ? null : w.pid(), w.inFlight(), w.jobsDone(), uptime(w.startedAt()));
        }
        // scaling.preinit: set up without a GPU; PREINIT is ready to be handed GPUs, PREINIT-SETUP still importing
        for (PreinitInfo p : pooled) {
            t.row(p.id(), p.function(), p.version(), "WAITING_FOR_GPU".equals(p.state()) ? "PREINIT" : "PREINIT-SETUP",
                    null, "-", p.pid() == 0 ? null : p.pid(), 0, 0, uptime(p.startedAt()));
        }
        t.print(ctx.out());
        if (!pooled.isEmpty()) {
            ctx.out().println("PREINIT: pre-initialized (scaling.preinit): handler imported and setup() run, holding no "
                    + "GPU until a worker is needed");
        }
        return ExitCodes.OK;
    }

    static String uptime(Instant startedAt) {
        if (startedAt == null) {
            return null;
        }
        long s = Math.max(0, Duration.between(startedAt, Instant.now()).toSeconds());
        return s < 60 ? s + "s" : s < 3600 ? s / 60 + "m" + s % 60 + "s" : s / 3600 + "h" + s % 3600 / 60 + "m";
    }
}
