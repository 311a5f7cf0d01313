package dev.hearth.server.workers;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Finds the real interpreter behind {@code python3} once, at start. Version managers put shell shims on the PATH
 * (pyenv's costs about 60 ms per start), and every cold start would pay for them.
 *
 * <p>The same run compiles the worker library to bytecode. A worker would otherwise compile it at every start
 * wherever {@code PYTHONDONTWRITEBYTECODE} is set (some images and sandboxes set it): ~15 ms of each cold start.
 */
public final class PythonInterpreter {

    private static final Logger LOG = Logger.getLogger(PythonInterpreter.class.getName());

    private PythonInterpreter() {
    }

    /**
     * The absolute path of the interpreter {@code python} starts, or {@code python} itself if that fails; compiles
     * the Python files under {@code library} on the way (compiling writes bytecode whatever the environment says).
     */
    public static String resolve(String python, Path library) {
        try {
            Process p = new ProcessBuilder(python, "-c", "import sys, compileall\n"
                    + "compileall.compile_dir(sys.argv[1], quiet=2)\n"
                    + "print(sys.executable)", library.toString())
                    .redirectErrorStream(true).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return python;
            }
            String all = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            String out = all.substring(all.lastIndexOf('\n') + 1); // the last line: sys.executable
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
