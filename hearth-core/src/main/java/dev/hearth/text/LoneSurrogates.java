package dev.hearth.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * Finds text that is not Unicode: a UTF-16 surrogate without its pair, which JSON's {@code \ud800} escapes and YAML's
 * {@code "\uD800"} can spell. Such a string cannot be written as UTF-8 (the store, a worker's environment), so it is
 * refused where it comes in, naming where it is.
 */
public final class LoneSurrogates {

    private LoneSurrogates() {
    }

    /**
     * What is wrong with the first string or field name in {@code tree} that holds a lone surrogate, naming its path
     * below {@code prefix} (e.g. {@code input.items[2]}); empty if there is none.
     */
    public static Optional<String> first(JsonNode tree, String prefix) {
        if (tree == null) {
            return Optional.empty();
        }
        if (tree.isTextual()) {
            return at(tree.textValue()).map(i -> describe(prefix, i));
        }
        if (tree.isArray()) {
            for (int i = 0; i < tree.size(); i++) {
                Optional<String> found = first(tree.get(i), prefix + "[" + i + "]");
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = tree.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            Optional<Integer> inName = at(field.getKey());
            if (inName.isPresent()) {
                return Optional.of("a field name in '" + (prefix.isEmpty() ? "the document" : prefix)
                        + "' holds a lone UTF-16 surrogate at character " + inName.get() + "; text must be valid "
                        + "Unicode");
            }
            Optional<String> found = first(field.getValue(), prefix.isEmpty() ? field.getKey()
                    : prefix + "." + field.getKey());
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    private static String describe(String path, int index) {
        return "'" + path + "' holds a lone UTF-16 surrogate at character " + index + "; text must be valid "
                + "Unicode";
    }

    /** The index of the first unpaired surrogate in {@code s}. */
    static Optional<Integer> at(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return Optional.of(i);
            }
        }
        return Optional.empty();
    }
}
