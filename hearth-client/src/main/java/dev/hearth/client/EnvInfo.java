package dev.hearth.client;

import java.time.Instant;
import java.util.List;

/**
 * A function's Python environment on the server (its manifest's {@code python:}): one virtualenv shared by every
 * function and version that asks for the same interpreter, requirements and {@code systemSitePackages}.
 *
 * @param hash         what names it; deploys of the same environment share it
 * @param path         its directory on the server
 * @param requirements its requirements, normalized
 * @param sizeBytes    its size on disk
 * @param lastUsed     when a worker last started in it, or null if none has
 * @param usedBy       {@code function:version} of every stored version that runs in it; empty: {@code hearth env
 *                     prune} removes it
 */
public record EnvInfo(String hash, String path, String interpreter, String pythonVersion, boolean systemSitePackages,
                      List<String> requirements, long sizeBytes, Instant builtAt, Instant lastUsed,
                      List<String> usedBy) {

    public EnvInfo {
        requirements = List.copyOf(requirements);
        usedBy = List.copyOf(usedBy);
    }
}
