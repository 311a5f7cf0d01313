package dev.hearth.cli;

import dev.hearth.client.Hearth;
import dev.hearth.client.ReleaseInfo;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code hearth promote <function>}. */
@Command(name = "promote", description = "Make a function's canary its active version for every new job.")
final class PromoteCommand implements Callable<Integer> {

    @ParentCommand
    HearthCommand root;

    @Mixin
    ClientOptions client;

    @Parameters(paramLabel = "FUNCTION", description = "The function.")
    String function;

    @Override
    public Integer call() {
        Context ctx = root.context();
        ReleaseInfo after;
        try (Hearth hearth = client.connect(ctx)) {
            after = hearth.promote(function);
        }
        ctx.out().println(function + ": version " + after.active() + " is active for every new job");
        return ExitCodes.OK;
    }
}
