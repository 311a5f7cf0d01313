package dev.hearth.worker;

import java.io.PrintStream;
import java.lang.System.Logger.Level;
import java.text.MessageFormat;
import java.time.Instant;

/**
 * The worker's log. Embedded workers log to {@link System.Logger} {@code dev.hearth.worker}, wherever the application
 * routes it. A process run by {@link HearthWorker#serve} writes one line per event to stderr instead: the control
 * plane collects that as the function's log, and java.util.logging resets its handlers when the JVM begins to shut
 * down, which would swallow exactly the SIGTERM drain messages that matter.
 */
final class Log {

    private static final System.Logger LOGGER = System.getLogger("dev.hearth.worker");
    private static volatile boolean stderr;

    private Log() {
    }

    static void toStderr() {
        stderr = true;
    }

    static void debug(String format, Object... args) {
        if (!stderr) {
            LOGGER.log(Level.DEBUG, format, args);
        }
    }

    static void info(String format, Object... args) {
        log(Level.INFO, null, format, args);
    }

    static void warn(String format, Object... args) {
        log(Level.WARNING, null, format, args);
    }

    static void error(String format, Object... args) {
        log(Level.ERROR, null, format, args);
    }

    static void error(String message, Throwable failure) {
        log(Level.ERROR, failure, message);
    }

    private static void log(Level level, Throwable failure, String format, Object... args) {
        if (!stderr) {
            if (failure != null) {
                LOGGER.log(level, format, failure);
            } else {
                LOGGER.log(level, format, args);
            }
            return;
        }
        String text = args.length == 0 ? format : MessageFormat.format(format, args);
        PrintStream err = System.err;
        synchronized (err) {
            err.println(Instant.now() + " " + level.getName() + " hearth-worker: " + text);
            if (failure != null) {
                failure.printStackTrace(err);
            }
        }
    }
}
