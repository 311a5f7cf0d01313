package dev.hearth.cli;

import dev.hearth.client.Hearth;
import dev.hearth.client.JobStatus;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code hearth cancel <job-id>}; the older {@code hearth cancel <function> <job-id>} still works. */
@Command(name = "cancel", description = "Cancel a queued or running job.")
final class CancelCommand implements Callable<Integer> {

    @ParentCommand
    HearthCommand root;

    @Mixin
    ClientOptions client;

    @Parameters(arity = "1..2", paramLabel = "JOB_ID", description = "The job to cancel (the id alone is enough; "
            + "FUNCTION JOB_ID, as before, works too).")
    List<String> args;

    @Override
    public Integer call() {
        Context ctx = root.context();
        try (Hearth hearth = client.connect(ctx)) {
            JobStatus s = args.size() == 1 ? hearth.cancel(args.getFirst())
                    : hearth.function(args.getFirst()).job(args.getLast()).cancel();
            ctx.out().println(s.id() + " " + s.status());
        }
        return ExitCodes.OK;
    }
}
