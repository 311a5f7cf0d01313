package dev.hearth.server.workers;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Finds the real interpreter behind {@code python3} once, at start. Version managers put shell shims on the PATH
 * (pyenv's costs about 60 ms per start), and every cold start would pay for them.
 */
public final class PythonInterpreter {

    private static final Logger LOG = Logger.getLogger(PythonInterpreter.class.getName());

    private PythonInterpreter() {
    }

    /** The absolute path of the interpreter {@code python} starts, or {@code python} itself if that fails. */
    public static String resolve(String python) {
        try {
            Process p = new ProcessBuilder(python, "-c", "import sys; print(sys.executable)")
                    .redirectErrorStream(true).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return python;
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.exitValue() == 0 && out.startsWith("/") ? out : python;
        } catch (java.io.IOException e) {
            LOG.warning("cannot run " + python + " (" + e.getMessage() + "); python-runtime functions will not start"
                    + " until it is installed");
            return python;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return python;
        }
    }
}
