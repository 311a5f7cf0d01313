package dev.hearth.cli;

import dev.hearth.client.Hearth;
import dev.hearth.client.ReleaseInfo;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code hearth rollback <function> [version]}. */
@Command(name = "rollback", description = "Roll a function back: cancel its canary if one runs, else make the "
        + "previous active version (or VERSION) active again. Workers of the old version finish their jobs first.")
final class RollbackCommand implements Callable<Integer> {

    @ParentCommand
    HearthCommand root;

    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "FUNCTION", description = "The function.")
    String function;

    @Parameters(index = "1", arity = "0..1", paramLabel = "VERSION", description = "The version to make active.")
    Integer version;

    @Override
    public Integer call() {
        Context ctx = root.context();
        ReleaseInfo before;
        ReleaseInfo after;
        try (Hearth hearth = client.connect(ctx)) {
            before = hearth.release(function);
            after = hearth.rollback(function, version);
        }
        String was = before.canaryVersion() != null ? "canary version " + before.canaryVersion() + " cancelled"
                : "was version " + before.active();
        ctx.out().println(function + ": version " + after.active() + " is active (" + was + ")");
        return ExitCodes.OK;
    }
}
