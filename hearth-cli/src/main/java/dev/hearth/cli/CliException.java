package dev.hearth.cli;

/** An expected failure: printed as its message alone, without a stack trace, and exiting with its code. */
final class CliException extends RuntimeException {

    private final int exitCode;

    CliException(int exitCode, String message) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    static CliException usage(String message) {
        return new CliException(ExitCodes.USAGE, message);
    }

    /** A duration option ({@code 30s}, {@code 2m}) or a usage error naming the option. */
    static java.time.Duration duration(String option, String text) {
        try {
            return dev.hearth.functions.Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw usage(option + ": " + e.getMessage());
        }
    }

    static CliException failure(String message) {
        return new CliException(ExitCodes.FAILURE, message);
    }

    int exitCode() {
        return exitCode;
    }
}
