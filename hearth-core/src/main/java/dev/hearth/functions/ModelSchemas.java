package dev.hearth.functions;

import java.util.Optional;

/** The OpenAPI schema of a function version's inputs and outputs, where its model declares one (Cog predictors). */
public interface ModelSchemas {
    Optional<String> openApiSchema(String function, int version);
}
