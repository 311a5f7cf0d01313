package dev.hearth.cli;

import dev.hearth.client.HearthApiException;
import dev.hearth.client.HearthClientException;
import dev.hearth.client.HearthConnectionException;
import dev.hearth.errors.HearthException;
import dev.hearth.store.StoreException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/** Entry point of {@code hearth.jar}: {@code hearth <command> [options]}. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        int code = execute(Context.system(), args);
        // serve/up return only on failure; their normal end is a signal, which exits through the shutdown hook.
        System.exit(code);
    }

    static int execute(Context ctx, String... args) {
        CommandLine cli = commandLine(ctx);
        int code = cli.execute(args);
        ctx.out().flush();
        ctx.err().flush();
        return code;
    }

    static CommandLine commandLine(Context ctx) {
        CommandLine cli = new CommandLine(new HearthCommand(ctx));
        cli.setOut(ctx.out());
        cli.setErr(ctx.err());
        cli.setExecutionExceptionHandler(new Errors(ctx));
        return cli;
    }

    /** Turns expected failures into one clear line and an exit code; only bugs get a stack trace. */
    private record Errors(Context ctx) implements IExecutionExceptionHandler {

        @Override
        public int handleExecutionException(Exception e, CommandLine cmd, ParseResult parsed) {
            PrintWriter err = ctx.err();
            int code = switch (e) {
                case CliException c -> {
                    err.println(c.getMessage());
                    yield c.exitCode();
                }
                case HearthConnectionException c when c.refused() -> {
                    err.println("no Hearth server at " + c.server() + "; start one with ./hearth up");
                    yield ExitCodes.FAILURE;
                }
                case HearthApiException a when a.status() == 401 -> {
                    err.println("the server refused the API key: " + a.detail()
                            + " (check --key, $HEARTH_API_KEY or .hearth/client.json)");
                    yield ExitCodes.FAILURE;
                }
                case HearthClientException c -> {
                    err.println(c.getMessage());
                    yield ExitCodes.FAILURE;
                }
                case HearthException h -> {
                    err.println(h.getMessage());
                    yield ExitCodes.FAILURE;
                }
                case StoreException s -> { // e.g. the data dir is locked by another server
                    err.println(s.getMessage());
                    yield ExitCodes.FAILURE;
                }
                case UncheckedIOException io -> {
                    err.println(io.getMessage());
                    yield ExitCodes.FAILURE;
                }
                case RuntimeException bad when bad.getMessage() != null
                        && (bad instanceof IllegalStateException || bad instanceof IllegalArgumentException) -> {
                    err.println(bad.getMessage());
                    yield ExitCodes.FAILURE;
                }
                default -> {
                    err.println("unexpected error: " + e);
                    if (ctx.variable("HEARTH_DEBUG") == null) {
                        err.println("(set HEARTH_DEBUG=1 for the stack trace)");
                    }
                    yield ExitCodes.FAILURE;
                }
            };
            if (ctx.variable("HEARTH_DEBUG") != null && !(e instanceof CliException)) {
                e.printStackTrace(err);
            }
            err.flush();
            return code;
        }
    }
}
