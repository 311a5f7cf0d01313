package dev.hearth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.client.Fn;
import dev.hearth.client.Hearth;
import dev.hearth.client.HearthRemoteException;
import dev.hearth.client.HearthTimeoutException;
import dev.hearth.client.JobHandle;
import dev.hearth.client.JobStatus;
import dev.hearth.client.StreamRead;
import dev.hearth.functions.Durations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code hearth run <function> [--input JSON | -] [--async] [--no-stream]}. */
@Command(name = "run", description = "Call a function: print its output (a generator's chunks as they arrive), or "
        + "with --async the job id.")
final class RunCommand implements Callable<Integer> {

    /** How long a call may take before the CLI says why it is still waiting. */
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    @ParentCommand
    HearthCommand root;

    @Mixin
    ClientOptions client;

    @Parameters(paramLabel = "FUNCTION", description = "The function to call.")
    String function;

    @Option(names = {"-i", "--input"}, paramLabel = "JSON",
            description = "The job's input as JSON, or - to read it from stdin (default: {}).")
    String input;

    @Option(names = "--async", description = "Queue the job and print its id instead of waiting.")
    boolean async;

    @Option(names = "--stream", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Print a generator's chunks as they arrive, one JSON value a line, instead of its output "
                    + "(the list of them) at the end; a function that yields nothing prints its output as usual "
                    + "(default: on; --no-stream waits for the output).")
    boolean stream;

    @Option(names = "--timeout", paramLabel = "DURATION", description = "Stop waiting after this long, e.g. 30s or "
            + "5m; the job goes on (default: wait as long as it takes).")
    String timeout;

    @Override
    public Integer call() {
        Context ctx = root.context();
        JsonNode in = input();
        Duration limit = timeout();
        try (Hearth hearth = client.connect(ctx)) {
            Fn fn = hearth.function(function);
            if (async) {
                ctx.out().println(fn.spawn(in).id());
                return ExitCodes.OK;
            }
            if (stream) {
                Followed f = follow(fn.spawn(in), limit, ctx);
                if (!f.status().isCompleted()) {
                    throw new HearthRemoteException(f.status());
                }
                if (f.chunks() == 0) {
                    ctx.out().println(Json.pretty(f.status().output()));
                }
                return ExitCodes.OK;
            }
            JobStatus status = await(fn, in, limit, ctx);
            if (!status.isCompleted()) {
                throw new HearthRemoteException(status);
            }
            ctx.out().println(Json.pretty(status.output()));
            return ExitCodes.OK;
        }
    }

    /** A followed job's final status, and how many chunks were printed on the way. */
    private record Followed(JobStatus status, int chunks) {
    }

    /**
     * Reads the job's stream until it ends, printing each chunk as it arrives; like {@link #await}, says once why a
     * job is slow to start, and gives up after {@code limit}.
     */
    private static Followed follow(JobHandle job, Duration limit, Context ctx) {
        Instant start = Instant.now();
        int printed = 0;
        boolean toldWhy = false;
        while (true) {
            StreamRead read = job.readStream();
            for (JsonNode chunk : read.chunks()) {
                ctx.out().println(Json.compact(chunk));
                printed++;
            }
            ctx.out().flush();
            if (read.isEnd()) {
                return new Followed(job.status(), printed);
            }
            Duration waited = Duration.between(start, Instant.now());
            if (limit != null && waited.compareTo(limit) >= 0) {
                JobStatus last = job.status();
                if (last.isFinal()) {
                    continue; // ended meanwhile: read what is left of the stream
                }
                throw stillWaiting(last, limit);
            }
            if (!toldWhy && printed == 0 && waited.compareTo(PATIENCE) >= 0) {
                toldWhy = true;
                JobStatus last = job.status();
                if (!last.isFinal()) {
                    saySlow(last, ctx);
                }
            }
        }
    }

    /**
     * Waits like /runsync, but says once on stderr why a job is slow to finish (typically queued for a GPU that is
     * busy or absent), so that a long wait does not look like a hang.
     */
    private static JobStatus await(Fn fn, JsonNode in, Duration limit, Context ctx) {
        Duration first = limit != null && limit.compareTo(PATIENCE) < 0 ? limit : PATIENCE;
        JobStatus last;
        try {
            return fn.runSync(in, first);
        } catch (HearthTimeoutException e) {
            last = e.lastStatus();
        }
        try {
            if (limit == null || limit.compareTo(first) > 0) {
                saySlow(last, ctx);
                return fn.job(last.id()).await(limit == null ? null : limit.minus(first));
            }
        } catch (HearthTimeoutException e) {
            last = e.lastStatus();
        }
        throw stillWaiting(last, limit);
    }

    private static void saySlow(JobStatus last, Context ctx) {
        ctx.err().println("job " + last.id() + " is " + last.status() + (last.reason() == null ? "" : ": "
                + last.reason()) + "; still waiting (Ctrl-C stops waiting, the job goes on)");
        ctx.err().flush();
    }

    private static CliException stillWaiting(JobStatus last, Duration limit) {
        return CliException.failure("job " + last.id() + " still " + last.status() + " after "
                + Durations.format(limit) + (last.reason() == null ? "" : " (" + last.reason() + ")")
                + "; it goes on: see ./hearth status " + last.id() + ", or ./hearth cancel " + last.id());
    }

    private Duration timeout() {
        if (timeout == null) {
            return null;
        }
        Duration d = CliException.duration("--timeout", timeout);
        if (d.isZero() || d.isNegative()) {
            throw CliException.usage("--timeout must be positive, got " + timeout);
        }
        return d;
    }

    private JsonNode input() {
        if (input == null) {
            return Json.MAPPER.createObjectNode();
        }
        if (input.equals("-")) {
            try {
                return Json.parse(new String(root.context().in().readAllBytes(), StandardCharsets.UTF_8),
                        "the input on stdin");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the input from stdin: " + e.getMessage(), e);
            }
        }
        return Json.parse(input, "--input");
    }
}
