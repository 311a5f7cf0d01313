package dev.hearth.cli;

import dev.hearth.client.Hearth;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code hearth delete <function>}. */
@Command(name = "delete", description = "Delete a function: its workers drain and stop, its queued jobs are cancelled.")
final class DeleteCommand implements Callable<Integer> {

    @ParentCommand
    HearthCommand root;

    @Mixin
    ClientOptions client;

    @Parameters(paramLabel = "FUNCTION", description = "The function to delete.")
    String function;

    @Override
    public Integer call() {
        Context ctx = root.context();
        try (Hearth hearth = client.connect(ctx)) {
            hearth.deleteFunction(function);
        }
        ctx.out().println("deleted " + function);
        return ExitCodes.OK;
    }
}
