package dev.hearth.yaml;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Optional;
import java.util.Set;

/** The strict-keys check shared by Hearth's YAML files (function manifests, the price catalog). */
public final class UnknownFields {

    private UnknownFields() {
    }

    /**
     * What is wrong with the first field of {@code node} that is not in {@code allowed}, naming it with
     * {@code prefix} (the path to the node, e.g. {@code "scaling."}) and listing the allowed ones; empty if none.
     */
    public static Optional<String> first(JsonNode node, Set<String> allowed, String prefix) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!allowed.contains(key)) {
                return Optional.of("unknown field '" + prefix + key + "'; allowed: "
                        + String.join(", ", allowed.stream().sorted().toList()));
            }
        }
        return Optional.empty();
    }
}
