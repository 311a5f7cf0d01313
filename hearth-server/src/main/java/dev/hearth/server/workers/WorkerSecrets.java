package dev.hearth.server.workers;

import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/** The secrets workers are given, and how to keep their values out of the logs the API serves. */
public interface WorkerSecrets {

    /**
     * The variables that the named secrets hold.
     *
     * @throws IllegalStateException naming a secret that cannot be given
     */
    Map<String, String> environment(List<String> names);

    /** Masks the values of the secrets given to the function's workers in a text they printed. */
    UnaryOperator<String> masker(String function);
}
