package dev.hearth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.client.Fn;
import dev.hearth.client.Hearth;
import dev.hearth.client.HearthRemoteException;
import dev.hearth.client.HearthTimeoutException;
import dev.hearth.client.JobStatus;
import dev.hearth.functions.Durations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code hearth run <function> [--input JSON | -] [--async]}. */
@Command(name = "run", description = "Call a function: print its output, or with --async the job id.")
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
            JobStatus status = await(fn, in, limit, ctx);
            if (!status.isCompleted()) {
                throw new HearthRemoteException(status);
            }
            ctx.out().println(Json.pretty(status.output()));
            return ExitCodes.OK;
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
                ctx.err().println("job " + last.id() + " is " + last.status()
                        + (last.reason() == null ? "" : ": " + last.reason())
                        + "; still waiting (Ctrl-C stops waiting, the job goes on)");
                ctx.err().flush();
                return fn.job(last.id()).await(limit == null ? null : limit.minus(first));
            }
        } catch (HearthTimeoutException e) {
            last = e.lastStatus();
        }
        throw CliException.failure("job " + last.id() + " still " + last.status() + " after " + Durations.format(limit)
                + (last.reason() == null ? "" : " (" + last.reason() + ")") + "; it goes on: see ./hearth status "
                + last.id() + ", or ./hearth cancel " + last.id());
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
