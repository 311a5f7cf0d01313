package dev.hearth.server.logging;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * One JSON object per line: {@code ts}, {@code level}, {@code logger}, {@code thread}, {@code msg}, the
 * {@code function}, {@code job} and {@code worker} ids of the {@link LogContext} when known, and {@code exception}
 * (the stack trace) when there is one. For log shippers (Loki, Elasticsearch, CloudWatch) that index fields.
 */
public final class JsonLogFormatter extends Formatter {

    @Override
    public String format(LogRecord r) {
        StringBuilder b = new StringBuilder(256);
        b.append('{');
        field(b, "ts", Instant.ofEpochMilli(r.getMillis()).toString());
        field(b, "level", r.getLevel().getName());
        field(b, "logger", r.getLoggerName());
        field(b, "thread", Thread.currentThread().getName());
        field(b, "msg", formatMessage(r));
        LogContext ids = LogContext.current();
        field(b, "function", ids.function());
        field(b, "job", ids.job());
        field(b, "worker", ids.worker());
        if (r.getThrown() != null) {
            StringWriter trace = new StringWriter();
            r.getThrown().printStackTrace(new PrintWriter(trace));
            field(b, "exception", trace.toString());
        }
        b.setLength(b.length() - 1); // the last comma
        return b.append("}\n").toString();
    }

    private static void field(StringBuilder b, String name, String value) {
        if (value == null) {
            return;
        }
        b.append('"').append(name).append("\":\"");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append("\",");
    }
}
