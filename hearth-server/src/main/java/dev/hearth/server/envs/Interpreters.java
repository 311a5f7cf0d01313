package dev.hearth.server.envs;

import dev.hearth.functions.ManifestException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Finds the interpreter a {@code python:} block asks for: {@code version: "3.11"} is {@code python3.11} on the server's
 * PATH. Resolved to the real executable behind it (a version manager's shim is a script), and remembered once found.
 */
final class Interpreters {

    /** An interpreter's real executable and its {@code major.minor} version. */
    record Interpreter(String executable, String version) {
    }

    private final ConcurrentHashMap<String, Interpreter> found = new ConcurrentHashMap<>();

    /**
     * @param command {@code python3.11}, or a path
     * @param field   what the manifest calls it, for the error
     * @throws ManifestException naming the interpreter when it is not there or does not run
     */
    Interpreter resolve(String command, String field) {
        Interpreter known = found.get(command);
        if (known != null) {
            return known;
        }
        Interpreter i = run(command, field);
        found.put(command, i);
        return i;
    }

    private static Interpreter run(String command, String field) {
        String output;
        Process p;
        try {
            p = new ProcessBuilder(command, "-c",
                    "import sys; print(sys.executable); print('%d.%d' % sys.version_info[:2])")
                    .redirectErrorStream(true).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new ManifestException(field + ": " + command + " on the server did not answer within 30 s");
            }
            output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new ManifestException(field + ": there is no " + command + " on the server's PATH; install it "
                    + "or ask for another version");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while looking for " + command, e);
        }
        List<String> lines = output.lines().toList();
        if (p.exitValue() != 0 || lines.size() < 2 || !lines.get(lines.size() - 2).startsWith("/")) {
            throw new ManifestException(field + ": " + command + " on the server's PATH does not run (exit "
                    + p.exitValue() + "): " + (lines.isEmpty() ? "no output" : lines.getFirst())
                    + "; install it or ask for another version");
        }
        return new Interpreter(lines.get(lines.size() - 2), lines.getLast());
    }
}
