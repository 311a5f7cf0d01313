package dev.hearth.functions;

import java.util.List;

/**
 * A function's own Python environment, the manifest's {@code python:} block: a virtualenv built with pip at deploy
 * time and shared by every function and version that asks for the same one.
 *
 * @param version            {@code 3.11}: the interpreter {@code python3.11} on the server's PATH; null: the server's
 *                           {@code --python}
 * @param requirementsFile   a requirements file in the bundle, relative to its root; null when {@code requirements}
 *                           is a list (or absent)
 * @param requirements       the requirements listed in the manifest; empty when given as a file or absent
 * @param systemSitePackages whether the environment also sees the interpreter's own packages (Debian's
 *                           {@code python3-torch}, say)
 */
public record PythonEnv(String version, String requirementsFile, List<String> requirements,
                        boolean systemSitePackages) {

    public PythonEnv {
        requirements = List.copyOf(requirements);
    }

    /** The interpreter to look for on the PATH, {@code python3.11}, or null for the server's default. */
    public String interpreterCommand() {
        return version == null ? null : "python" + version;
    }
}
