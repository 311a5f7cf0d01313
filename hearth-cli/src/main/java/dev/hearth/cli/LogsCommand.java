package dev.hearth.cli;

import dev.hearth.client.Hearth;
import dev.hearth.client.HearthApiException;
import dev.hearth.client.JobLogs;
import dev.hearth.client.WorkerInfo;
import dev.hearth.client.WorkerLogChunk;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code hearth logs <function> [--worker id] [--tail N] [--follow]} and {@code hearth logs --job <id> [--follow]}. */
@Command(name = "logs", description = {"Print the recent output of a function's workers, or what the workers printed "
        + "while running one job (--job).",
        "With --follow, keep printing new lines as they come (Ctrl-C to stop; a job's logs stop at its end).",
        "A job's lines are exact with concurrency 1; with concurrency > 1 they also hold the lines of jobs that "
                + "ran beside it on the same worker."})
final class LogsCommand implements Callable<Integer> {

    private static final long POLL_MS = 500;

    @ParentCommand
    HearthCommand root;

    @Mixin
    ClientOptions client;

    @Parameters(paramLabel = "FUNCTION", arity = "0..1", description = "The function (not with --job).")
    String function;

    @Option(names = {"-w", "--worker"}, paramLabel = "ID", description = "Only this worker's output.")
    String worker;

    @Option(names = {"-n", "--tail"}, paramLabel = "N", defaultValue = "200",
            description = "How many lines (default: ${DEFAULT-VALUE}).")
    int tail;

    @Option(names = {"-j", "--job"}, paramLabel = "JOB_ID", description = "Only what was printed while this job ran.")
    String job;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new output as it comes.")
    boolean follow;

    @Override
    public Integer call() throws InterruptedException {
        if (tail < 1) {
            throw CliException.usage("--tail must be at least 1, got " + tail);
        }
        if ((job == null) == (function == null)) {
            throw CliException.usage(job == null ? "name a FUNCTION, or a job with --job"
                    : "give either a FUNCTION or --job, not both");
        }
        Context ctx = root.context();
        try (Hearth hearth = client.connect(ctx)) {
            if (job != null) {
                return jobLogs(hearth, ctx.out());
            }
            if (!follow) {
                String text = hearth.logs(function, worker, tail);
                ctx.out().print(text.isEmpty() || text.endsWith("\n") ? text : text + "\n");
                return ExitCodes.OK;
            }
            followFunction(hearth, ctx.out());
        }
        return ExitCodes.OK;
    }

    /** Prints each attempt's lines; with --follow polls until the job's last attempt has ended. */
    private int jobLogs(Hearth hearth, PrintWriter out) throws InterruptedException {
        Map<Integer, Integer> printed = new HashMap<>();
        while (true) {
            JobLogs logs = hearth.jobLogs(job);
            boolean running = false;
            for (JobLogs.Segment s : logs.segments()) {
                int done = printed.getOrDefault(s.attempt(), 0);
                if (done == 0 && !s.lines().isEmpty() && logs.segments().size() > 1) {
                    out.println("--- attempt " + s.attempt() + " on " + s.workerId());
                }
                for (int i = done; i < s.lines().size(); i++) {
                    out.println(s.lines().get(i));
                }
                printed.put(s.attempt(), Math.max(done, s.lines().size()));
                running |= s.running();
            }
            out.flush();
            if (!follow || (!running && logs.status().isFinal())) {
                return ExitCodes.OK;
            }
            Thread.sleep(POLL_MS);
        }
    }

    /**
     * Prints the recent lines, then polls each worker of the function for what follows its cursor. New workers are
     * read from their first line; a worker that exits is read to its end once more, then dropped.
     */
    private void followFunction(Hearth hearth, PrintWriter out) throws InterruptedException {
        Map<String, Long> cursors = new HashMap<>();
        for (WorkerInfo w : hearth.workers(function)) {
            if (worker == null || worker.equals(w.id())) {
                WorkerLogChunk c = hearth.workerLogs(w.id(), null, tail);
                print(out, c);
                cursors.put(w.id(), c.next());
            }
        }
        out.flush();
        while (true) {
            Thread.sleep(POLL_MS);
            Set<String> live = new HashSet<>();
            List<WorkerInfo> workers = hearth.workers(function);
            for (WorkerInfo w : workers) {
                if (worker == null || worker.equals(w.id())) {
                    live.add(w.id());
                    cursors.putIfAbsent(w.id(), 0L);
                }
            }
            for (String id : Set.copyOf(cursors.keySet())) {
                try {
                    WorkerLogChunk c = hearth.workerLogs(id, cursors.get(id), 0);
                    print(out, c);
                    cursors.put(id, c.next());
                    if (!live.contains(id) || c.exited()) {
                        cursors.remove(id);
                    }
                } catch (HearthApiException e) {
                    if (e.status() != 404) {
                        throw e;
                    }
                    cursors.remove(id); // never wrote a line
                }
            }
            out.flush();
        }
    }

    private static void print(PrintWriter out, WorkerLogChunk c) {
        for (String line : c.lines()) {
            out.println("[" + c.workerId() + "] " + line);
        }
    }
}
