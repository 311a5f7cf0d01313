package dev.hearth.cli;

import dev.hearth.client.Hearth;
import dev.hearth.client.JobStatus;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code hearth cancel <function> <job-id>}. */
@Command(name = "cancel", description = "Cancel a queued or running job.")
final class CancelCommand implements Callable<Integer> {

    @ParentCommand
    HearthCommand root;

    @Mixin
    ClientOptions client;

    @Parameters(index = "0", paramLabel = "FUNCTION", description = "The job's function.")
    String function;

    @Parameters(index = "1", paramLabel = "JOB_ID", description = "The job to cancel.")
    String jobId;

    @Override
    public Integer call() {
        Context ctx = root.context();
        try (Hearth hearth = client.connect(ctx)) {
            JobStatus s = hearth.function(function).job(jobId).cancel();
            ctx.out().println(s.id() + " " + s.status());
        }
        return ExitCodes.OK;
    }
}
