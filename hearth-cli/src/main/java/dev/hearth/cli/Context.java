package dev.hearth.cli;

import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a command may touch of the outside world. Passed in rather than read from {@code System} so that tests can
 * run commands with their own environment, directory and streams.
 */
record Context(Map<String, String> env, Path cwd, InputStream in, PrintWriter out, PrintWriter err) {

    Context {
        env = Map.copyOf(env);
        cwd = cwd.toAbsolutePath().normalize();
    }

    static Context system() {
        return new Context(System.getenv(), Path.of(""), System.in, new PrintWriter(System.out, true),
                new PrintWriter(System.err, true));
    }

    /** The variable's value, or null when unset or blank. */
    String variable(String name) {
        String v = env.get(name);
        return v == null || v.isBlank() ? null : v.strip();
    }

    Path resolve(Path p) {
        return cwd.resolve(p).normalize();
    }
}
