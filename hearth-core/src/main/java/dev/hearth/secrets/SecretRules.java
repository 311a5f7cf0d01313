package dev.hearth.secrets;

import java.util.Map;
import java.util.regex.Pattern;

/** What a secret may be called and hold; the rules the API and the manifest share. */
public final class SecretRules {

    /** Like function names: lowercase letters, digits and '-', at most 63. */
    public static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    /** Keys become environment variables. */
    public static final Pattern KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    /** Enough for tokens, certificates and service-account files; a secret is not a place for data. */
    public static final int MAX_BYTES = 64 << 10;

    private SecretRules() {
    }

    /** @return what is wrong with the name, or null */
    public static String checkName(String name) {
        return NAME.matcher(name).matches() ? null
                : "a secret name must be lowercase letters, digits and '-' (at most 63), got '" + name + "'";
    }

    /** @return what is wrong with the values, or null */
    public static String checkValues(Map<String, String> values) {
        if (values.isEmpty()) {
            return "a secret needs at least one KEY=VALUE";
        }
        long bytes = 0;
        for (Map.Entry<String, String> e : values.entrySet()) {
            if (!KEY.matcher(e.getKey()).matches()) {
                return "'" + e.getKey() + "' is not a valid environment variable name (letters, digits and '_', "
                        + "not starting with a digit)";
            }
            if (e.getValue().indexOf('\0') >= 0) {
                return "the value of " + e.getKey() + " holds a NUL character, which no environment variable can";
            }
            bytes += e.getKey().length() + (long) e.getValue().length();
        }
        return bytes > MAX_BYTES ? "a secret holds at most " + (MAX_BYTES >> 10) + " KiB, this one " + bytes
                + " characters" : null;
    }
}
