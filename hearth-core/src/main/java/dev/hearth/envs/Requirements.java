package dev.hearth.envs;

import dev.hearth.functions.ManifestException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Requirements in the one form that is hashed and handed to pip: comments and blank lines dropped, package names
 * normalized as PEP 503 compares them ({@code Foo_Bar} is {@code foo-bar}), duplicates dropped, sorted (pip resolves
 * them all together, so their order does not matter). Option lines ({@code --extra-index-url ...}) keep their order,
 * first. A line that includes another file ({@code -r}, {@code -c}, {@code -e}) is refused: that file's content
 * would not be part of the environment's identity.
 */
public final class Requirements {

    private static final Pattern NAME = Pattern.compile("([A-Za-z0-9][A-Za-z0-9._-]*)(.*)", Pattern.DOTALL);
    private static final Pattern SEPARATORS = Pattern.compile("[-_.]+");
    private static final List<String> INCLUDES = List.of("-r", "--requirement", "-c", "--constraint", "-e",
            "--editable");

    private Requirements() {
    }

    /**
     * @param lines the lines of a requirements file, or the manifest's list
     * @param where what to name in errors, e.g. {@code python.requirements (requirements.txt)}
     */
    public static List<String> normalize(List<String> lines, String where) {
        List<String> options = new ArrayList<>();
        TreeSet<String> packages = new TreeSet<>();
        for (String raw : lines) {
            String line = stripComment(raw).strip();
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("-")) {
                String flag = line.split("[\\s=]", 2)[0];
                if (INCLUDES.contains(flag)) {
                    throw new ManifestException("'" + where + "' includes another file with '" + line + "'; list "
                            + "the packages themselves");
                }
                if (!options.contains(line)) {
                    options.add(line);
                }
                continue;
            }
            Matcher m = NAME.matcher(line);
            if (!m.matches()) {
                throw new ManifestException("'" + where + "' has a line that is not a package requirement: '"
                        + line + "'");
            }
            packages.add(SEPARATORS.matcher(m.group(1)).replaceAll("-").toLowerCase(Locale.ROOT)
                    + specifier(m.group(2)));
        }
        List<String> out = new ArrayList<>(options);
        out.addAll(packages);
        return out;
    }

    /**
     * Versions and extras without spaces ({@code == 1.0} is {@code ==1.0}); an environment marker after {@code ;}
     * keeps single spaces, which its {@code and} and {@code or} need.
     */
    private static String specifier(String rest) {
        int semi = rest.indexOf(';');
        String versions = (semi < 0 ? rest : rest.substring(0, semi)).replaceAll("\\s+", "");
        return semi < 0 ? versions : versions + "; " + rest.substring(semi + 1).strip().replaceAll("\\s+", " ");
    }

    /** A {@code #} starts a comment at the start of a line or after whitespace (pip's rule; URLs keep theirs). */
    private static String stripComment(String line) {
        for (int i = 0; i < line.length(); i++) {
            if (line.charAt(i) == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
                return line.substring(0, i);
            }
        }
        return line;
    }
}
