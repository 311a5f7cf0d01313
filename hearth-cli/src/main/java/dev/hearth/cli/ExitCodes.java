package dev.hearth.cli;

/** The exit codes scripts may rely on; the same as picocli's defaults so parse errors agree with ours. */
final class ExitCodes {

    static final int OK = 0;
    /** The server or a job failed, or the server could not be reached. */
    static final int FAILURE = 1;
    /** The command line or the configuration is wrong. */
    static final int USAGE = 2;

    private ExitCodes() {
    }
}
