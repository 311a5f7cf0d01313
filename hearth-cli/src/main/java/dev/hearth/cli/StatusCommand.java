package dev.hearth.cli;

import dev.hearth.client.Hearth;
import dev.hearth.client.JobStatus;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code hearth status <job-id> [--function f] [--timeline]}. */
@Command(name = "status", description = "Print a job's status object.")
final class StatusCommand implements Callable<Integer> {

    @ParentCommand
    HearthCommand root;

    @Mixin
    ClientOptions client;

    @Parameters(paramLabel = "JOB_ID", description = "The job id that run --async printed.")
    String jobId;

    @Option(names = {"-f", "--function"}, paramLabel = "FUNCTION",
            description = "The job's function (not needed: the id alone finds the job).")
    String function;

    @Option(names = {"-t", "--timeline"},
            description = "Print the job's timeline instead: queued, worker started, leased, progress, requeued, "
                    + "result, with ms offsets, workers, nodes and attempts.")
    boolean timeline;

    @Override
    public Integer call() {
        Context ctx = root.context();
        try (Hearth hearth = client.connect(ctx)) {
            if (timeline) {
                ctx.out().print(TimelineTable.render(hearth.timeline(jobId)));
                return ExitCodes.OK;
            }
            JobStatus status = function != null ? hearth.function(function).job(jobId).status()
                    : hearth.jobStatus(jobId);
            ctx.out().println(Json.pretty(status));
        }
        return ExitCodes.OK;
    }
}
