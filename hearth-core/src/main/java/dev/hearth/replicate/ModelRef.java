package dev.hearth.replicate;

import java.util.regex.Pattern;

/**
 * What a client names to run: a function, and maybe one of its versions. Replicate's forms are {@code owner/name},
 * {@code owner/name:<version id>} and a bare version id; a Hearth version id is its bundle's SHA-256 (64 hex digits,
 * like Replicate's). Hearth also takes {@code name:N} and {@code owner/name:N} for version number N. The owner is
 * accepted as any name: Hearth has one namespace.
 *
 * @param owner    the owner as the client wrote it, or null
 * @param function the function's name, or null when only a version id was given
 * @param number   the version number, or null
 * @param sha256   the version id (bundle SHA-256, lower case), or null
 */
public record ModelRef(String owner, String function, Integer number, String sha256) {

    private static final Pattern SHA = Pattern.compile("[0-9a-fA-F]{64}");
    private static final Pattern NUMBER = Pattern.compile("[0-9]{1,9}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    /** @throws IllegalArgumentException naming the forms it takes */
    public static ModelRef parse(String ref) {
        String r = ref == null ? "" : ref.trim();
        if (SHA.matcher(r).matches()) {
            return new ModelRef(null, null, null, r.toLowerCase(java.util.Locale.ROOT));
        }
        String model = r;
        String version = null;
        int colon = r.indexOf(':');
        if (colon >= 0) {
            model = r.substring(0, colon);
            version = r.substring(colon + 1);
        }
        String owner = null;
        String name = model;
        int slash = model.indexOf('/');
        if (slash >= 0) {
            owner = model.substring(0, slash);
            name = model.substring(slash + 1);
            if (!NAME.matcher(owner).matches()) {
                throw bad(r);
            }
        }
        if (!NAME.matcher(name).matches() || owner == null && version == null) {
            throw bad(r);
        }
        if (version == null) {
            return new ModelRef(owner, name, null, null);
        }
        if (SHA.matcher(version).matches()) {
            return new ModelRef(owner, name, null, version.toLowerCase(java.util.Locale.ROOT));
        }
        if (NUMBER.matcher(version).matches() && Integer.parseInt(version) > 0) {
            return new ModelRef(owner, name, Integer.parseInt(version), null);
        }
        throw bad(r);
    }

    private static IllegalArgumentException bad(String ref) {
        return new IllegalArgumentException("'version' must be owner/name, owner/name:<version id>, a version id "
                + "(64 hex digits) or name:N, got '" + ref + "'");
    }
}
