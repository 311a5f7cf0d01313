package dev.hearth.cli;

import dev.hearth.client.FunctionInfo;
import dev.hearth.client.Hearth;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** {@code hearth ls}. */
@Command(name = "ls", description = "List deployed functions.")
final class LsCommand implements Callable<Integer> {

    @ParentCommand
    HearthCommand root;

    @Mixin
    ClientOptions client;

    @Override
    public Integer call() {
        Context ctx = root.context();
        List<FunctionInfo> functions;
        try (Hearth hearth = client.connect(ctx)) {
            functions = hearth.functions();
        }
        if (functions.isEmpty()) {
            ctx.out().println("no functions deployed; deploy one with ./hearth deploy examples/echo/hearth.yaml");
            return ExitCodes.OK;
        }
        Table t = new Table("NAME", "VERSION", "GPU", "WORKERS", "QUEUE", "STATE");
        for (FunctionInfo f : functions) {
            t.row(f.name(), f.version(), f.gpu() == null ? "cpu" : f.gpu(), f.workers(), f.inQueue(), state(f));
        }
        t.print(ctx.out());
        functions.stream().filter(f -> f.crashLoop() != null).forEach(f -> ctx.out().println(f.name() + ": "
                + f.crashLoop()));
        return ExitCodes.OK;
    }

    private static String state(FunctionInfo f) {
        return switch (f.state() == null ? "ok" : f.state()) {
            case "crashLooping" -> "crash looping";
            case "waitingForGpu" -> "waiting for GPU";
            default -> "ok";
        };
    }
}
