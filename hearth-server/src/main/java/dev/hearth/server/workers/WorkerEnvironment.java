package dev.hearth.server.workers;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * What a worker's environment is made of besides the worker protocol and its manifest's {@code env}: a few variables
 * of the control plane's own environment (never the rest, which holds the API key and whatever else the operator
 * exported), those the operator lets through, and the values of the secrets its manifest names.
 */
public final class WorkerEnvironment {

    /** Always passed on from the control plane's environment, where set. */
    public static final List<String> ALWAYS = List.of("PATH", "HOME", "LANG", "TZ");

    private final Map<String, String> inherited;
    private final WorkerSecrets secrets;

    /**
     * @param host        the control plane's environment
     * @param passThrough more of its variables that workers get ({@code --worker-env-passthrough})
     * @param secrets     the secrets that manifests name
     */
    public WorkerEnvironment(Map<String, String> host, List<String> passThrough, WorkerSecrets secrets) {
        Set<String> names = new LinkedHashSet<>(ALWAYS);
        names.addAll(passThrough);
        Map<String, String> picked = new LinkedHashMap<>();
        names.forEach(n -> {
            if (host.get(n) != null) {
                picked.put(n, host.get(n));
            }
        });
        this.inherited = Map.copyOf(picked);
        this.secrets = secrets;
    }

    /** The control plane's variables that workers get. */
    Map<String, String> inherited() {
        return inherited;
    }

    /** The variables that the named secrets hold. */
    Map<String, String> secrets(List<String> names) {
        return names.isEmpty() ? Map.of() : secrets.environment(names);
    }

    /** Masks the function's secret values in what its workers printed. */
    UnaryOperator<String> masker(String function) {
        return secrets.masker(function);
    }
}
