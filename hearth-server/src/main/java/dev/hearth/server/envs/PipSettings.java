package dev.hearth.server.envs;

import java.util.ArrayList;
import java.util.List;

/**
 * The operator's pip settings for building functions' Python environments ({@code hearth serve --pip-index-url URL
 * --pip-find-links DIR --pip-extra-args "..."}). pip's own configuration files and {@code PIP_*} variables apply too:
 * pip runs with the server's environment.
 *
 * @param indexUrl  {@code --index-url}, or null for pip's own (configured) index
 * @param findLinks {@code --find-links}: a directory of wheels (absolute) or a URL, or null
 * @param extraArgs more arguments for {@code pip install}, e.g. {@code --no-index}
 */
public record PipSettings(String indexUrl, String findLinks, List<String> extraArgs) {

    public static final PipSettings NONE = new PipSettings(null, null, List.of());

    public PipSettings {
        extraArgs = List.copyOf(extraArgs);
    }

    /** {@code --pip-extra-args "--no-index --prefer-binary"}: split at whitespace. */
    public static List<String> splitArgs(String args) {
        return args == null || args.isBlank() ? List.of() : List.of(args.strip().split("\\s+"));
    }

    /** The arguments for {@code pip install} that come before the requirements. */
    List<String> installArgs() {
        List<String> a = new ArrayList<>(List.of("--disable-pip-version-check", "--no-input", "--progress-bar", "off"));
        if (indexUrl != null) {
            a.addAll(List.of("--index-url", indexUrl));
        }
        if (findLinks != null) {
            a.addAll(List.of("--find-links", findLinks));
        }
        a.addAll(extraArgs);
        return a;
    }
}
