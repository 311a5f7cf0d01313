package dev.hearth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code hearth restart <function>}: ends its crash loops and replaces its workers. */
@Command(name = "restart", description = "End a function's crash loop and replace its workers, once what they "
        + "lacked (a file, a secret, a driver) is there.")
final class RestartCommand implements Callable<Integer> {

    @ParentCommand
    HearthCommand root;

    @Mixin
    ClientOptions client;

    @Parameters(paramLabel = "FUNCTION", description = "The function to restart.")
    String function;

    @Override
    public Integer call() {
        Context ctx = root.context();
        JsonNode r = ManagementCalls.of(client, ctx).post("/v1/functions/" + function + "/restart", "");
        JsonNode cleared = r.path("clearedCrashLoops");
        ctx.out().println("restarted " + function + (cleared.isEmpty() ? ""
                : ": ended the crash loop of version " + cleared.get(cleared.size() - 1).asText()));
        return ExitCodes.OK;
    }
}
