package dev.hearth.server.logging;

import java.util.Locale;
import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Logger;

/** How the server writes its log: {@code text} for people (the default), {@code json} for log shippers. */
public enum LogFormat {
    TEXT,
    JSON;

    /** The environment variable that picks the format when no flag does. */
    public static final String VARIABLE = "HEARTH_LOG_FORMAT";

    /** {@code text} or {@code json}, any case. */
    public static LogFormat parse(String value) {
        try {
            return valueOf(value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("log format must be 'text' or 'json', got '" + value + "'");
        }
    }

    /**
     * Makes the process's root log handlers write this format (java.util.logging, which System.Logger also goes to
     * by default). Text leaves the JDK's configuration alone.
     */
    public void install() {
        if (this == TEXT) {
            return;
        }
        Logger root = Logger.getLogger("");
        Handler[] handlers = root.getHandlers();
        if (handlers.length == 0) {
            root.addHandler(new ConsoleHandler());
            handlers = root.getHandlers();
        }
        for (Handler h : handlers) {
            h.setFormatter(new JsonLogFormatter());
        }
    }
}
