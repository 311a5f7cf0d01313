package dev.hearth.volumes;

import dev.hearth.errors.HearthException;
import java.util.regex.Pattern;

/**
 * What may name a volume and a file in it. Names are checked before they become directory names, and file paths before
 * they are resolved against a volume's directory, so that no request reaches outside it.
 */
public final class VolumePaths {

    private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final int MAX_PATH = 1024;

    private VolumePaths() {
    }

    public static boolean isName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /** The name, or a 400 saying what a volume name may be. */
    public static String name(String name) {
        if (!isName(name)) {
            throw new HearthException.BadRequest("volume name must be lowercase letters, digits and '-' (at most 63, "
                    + "starting and ending with a letter or digit), got '" + name + "'");
        }
        return name;
    }

    /** The environment variable that holds a volume's directory for workers: {@code HEARTH_VOLUME_MODEL_CACHE}. */
    public static String environmentVariable(String name) {
        return "HEARTH_VOLUME_" + name.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
    }

    /**
     * A path inside a volume, {@code a/b.bin}: relative, no {@code .} or {@code ..} segments, no empty segments, no
     * NUL, at most 1024 characters. A leading or trailing slash is dropped. Otherwise a 400 naming the path.
     */
    public static String file(String path) {
        String why = problem(path);
        if (why != null) {
            throw new HearthException.BadRequest("path '" + path + "' " + why);
        }
        return strip(path);
    }

    /** Why the path cannot name a file in a volume, or null when it can. */
    public static String problem(String path) {
        if (path == null || strip(path).isEmpty()) {
            return "is empty";
        }
        if (path.length() > MAX_PATH) {
            return "is longer than " + MAX_PATH + " characters";
        }
        if (path.indexOf('\0') >= 0 || path.indexOf('\\') >= 0) {
            return "has a NUL or a backslash";
        }
        for (String segment : strip(path).split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return "must stay inside the volume: no '.', '..' or empty segments";
            }
        }
        return null;
    }

    private static String strip(String path) {
        int from = 0;
        int to = path.length();
        while (from < to && path.charAt(from) == '/') {
            from++;
        }
        while (to > from && path.charAt(to - 1) == '/') {
            to--;
        }
        return path.substring(from, to);
    }
}
