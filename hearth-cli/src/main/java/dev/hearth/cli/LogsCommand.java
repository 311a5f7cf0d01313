package dev.hearth.cli;

import dev.hearth.client.Hearth;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code hearth logs <function> [--worker id] [--tail N]}. */
@Command(name = "logs", description = "Print the recent output of a function's workers.")
final class LogsCommand implements Callable<Integer> {

    @ParentCommand
    HearthCommand root;

    @Mixin
    ClientOptions client;

    @Parameters(paramLabel = "FUNCTION", description = "The function.")
    String function;

    @Option(names = {"-w", "--worker"}, paramLabel = "ID", description = "Only this worker's output.")
    String worker;

    @Option(names = {"-n", "--tail"}, paramLabel = "N", defaultValue = "200",
            description = "How many lines (default: ${DEFAULT-VALUE}).")
    int tail;

    @Override
    public Integer call() {
        if (tail < 1) {
            throw CliException.usage("--tail must be at least 1, got " + tail);
        }
        Context ctx = root.context();
        try (Hearth hearth = client.connect(ctx)) {
            String text = hearth.logs(function, worker, tail);
            ctx.out().print(text.isEmpty() || text.endsWith("\n") ? text : text + "\n");
        }
        return ExitCodes.OK;
    }
}
