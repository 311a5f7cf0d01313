package dev.hearth.envs;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * What makes two Python environments the same: the interpreter they run on, their normalized requirements (see
 * {@link Requirements}) and whether they see the interpreter's own packages. Every function and version with the
 * same key shares one environment, named by {@link #hash()}.
 *
 * @param interpreter        the interpreter's real executable (not a version manager's shim)
 * @param pythonVersion      its major and minor version, {@code 3.11}: a new minor version at the same path is a
 *                           new key (a patch release is not: a virtualenv keeps working across one)
 * @param requirements       normalized
 * @param systemSitePackages whether the environment sees the interpreter's own packages
 */
public record EnvKey(String interpreter, String pythonVersion, List<String> requirements,
                     boolean systemSitePackages) {

    public EnvKey {
        requirements = List.copyOf(requirements);
    }

    /** 16 hex digits of the SHA-256 of the key: a directory name, and what {@code hearth env ls} shows. */
    public String hash() {
        StringBuilder s = new StringBuilder()
                .append("interpreter ").append(interpreter).append('\n')
                .append("python ").append(pythonVersion).append('\n')
                .append("system-site-packages ").append(systemSitePackages).append('\n');
        requirements.forEach(r -> s.append("requirement ").append(r).append('\n'));
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
