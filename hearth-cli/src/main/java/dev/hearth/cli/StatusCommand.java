package dev.hearth.cli;

import dev.hearth.client.FunctionInfo;
import dev.hearth.client.Hearth;
import dev.hearth.client.HearthApiException;
import dev.hearth.client.JobStatus;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code hearth status <job-id> [--function f] [--timeline]}. */
@Command(name = "status", description = "Print a job's status object.")
final class StatusCommand implements Callable<Integer> {

    /** How many recent jobs of each function to search when the function is not given. */
    static final int SEARCH_LIMIT = 1000;

    @ParentCommand
    HearthCommand root;

    @Mixin
    ClientOptions client;

    @Parameters(paramLabel = "JOB_ID", description = "The job id that run --async printed.")
    String jobId;

    @Option(names = {"-f", "--function"}, paramLabel = "FUNCTION",
            description = "The job's function (default: look in every function's recent jobs).")
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
                    : find(hearth).orElseThrow(() -> CliException.failure("no job " + jobId
                            + " among the recent jobs of any function; name its function with --function"));
            ctx.out().println(Json.pretty(status));
        }
        return ExitCodes.OK;
    }

    /** Status URLs name the function, so without one each function's job list is searched. */
    private Optional<JobStatus> find(Hearth hearth) {
        for (FunctionInfo f : hearth.functions()) {
            try {
                Optional<JobStatus> hit = hearth.jobs(f.name(), null, SEARCH_LIMIT).stream()
                        .filter(j -> jobId.equals(j.id())).findFirst();
                if (hit.isPresent()) {
                    // The listing may be a summary; the status call is the authoritative, complete object.
                    return Optional.of(hearth.function(f.name()).job(jobId).status());
                }
            } catch (HearthApiException e) {
                if (e.status() != 404) { // a function deleted meanwhile is simply not where the job is
                    throw e;
                }
            }
        }
        return Optional.empty();
    }
}
