package dev.hearth.server.secrets;

import dev.hearth.errors.HearthException;
import dev.hearth.functions.FunctionManifest;
import dev.hearth.functions.FunctionVersion;
import dev.hearth.functions.ManifestException;
import dev.hearth.secrets.SealedSecret;
import dev.hearth.secrets.SecretRules;
import dev.hearth.secrets.SecretStore;
import dev.hearth.server.functions.FunctionRegistry;
import dev.hearth.server.workers.WorkerSecrets;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * Named secrets: set, listed (names and keys, never values), removed, handed to the workers of the functions that
 * name them, and masked in what those workers print. Values are sealed before they reach the store and opened only
 * to start a worker or to mask its logs.
 */
public final class SecretService implements WorkerSecrets {

    /** What a printed secret value becomes in the logs the API serves. */
    public static final String MASK = "***";

    private final SecretStore store;
    private final SecretCipher cipher;
    private final FunctionRegistry functions;
    private final InstantSource clock;

    public SecretService(SecretStore store, SecretCipher cipher, FunctionRegistry functions, InstantSource clock) {
        this.store = store;
        this.cipher = cipher;
        this.functions = functions;
        this.clock = clock;
    }

    /** Creates or replaces the secret; workers started from now on get the new values. */
    public SealedSecret set(String name, Map<String, String> values) {
        String problem = SecretRules.checkName(name);
        if (problem == null) {
            problem = SecretRules.checkValues(values);
        }
        if (problem != null) {
            throw new HearthException.BadRequest(problem);
        }
        Map<String, String> sorted = new TreeMap<>(values);
        SealedSecret s = new SealedSecret(name, List.copyOf(sorted.keySet()), cipher.seal(name, sorted),
                clock.instant());
        store.saveSecret(s);
        return s;
    }

    /** Every secret, by name; the sealed values are for no one's eyes. */
    public List<SealedSecret> list() {
        return store.listSecrets();
    }

    /** Removes the secret, unless a released version still names it (its next workers could not start). */
    public void remove(String name) {
        if (store.findSecret(name).isEmpty()) {
            throw new HearthException.NotFound("no secret '" + name + "'" + known());
        }
        List<String> users = released().filter(v -> v.manifest().secrets().contains(name))
                .map(FunctionVersion::name).distinct().sorted().toList();
        if (!users.isEmpty()) {
            throw new HearthException.Conflict("secret '" + name + "' is used by " + String.join(", ", users)
                    + "; deploy without it (or delete those functions) first, or replace its values with hearth "
                    + "secret set " + name);
        }
        store.deleteSecret(name);
    }

    /** For deploys: every secret the manifest names exists. */
    public void checkDeployable(FunctionManifest manifest) {
        List<String> missing = manifest.secrets().stream().filter(n -> store.findSecret(n).isEmpty()).toList();
        if (!missing.isEmpty()) {
            throw new ManifestException("'secrets' names " + (missing.size() == 1 ? "secret '" + missing.getFirst()
                    + "', which does not exist" : "secrets that do not exist: " + String.join(", ", missing))
                    + "; create it with: hearth secret set " + missing.getFirst() + " KEY=VALUE" + known());
        }
    }

    /**
     * The environment variables the secrets hold, later names winning on a shared key.
     *
     * @throws IllegalStateException naming a secret that is gone or does not open
     */
    @Override
    public Map<String, String> environment(List<String> names) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String name : names) {
            SealedSecret s = store.findSecret(name).orElseThrow(() -> new IllegalStateException("secret '" + name
                    + "' does not exist any more; set it again with hearth secret set " + name + " KEY=VALUE"));
            env.putAll(cipher.open(name, s.sealed()));
        }
        return env;
    }

    /**
     * Replaces the values of the secrets that any version of the function names, longest first so that a value
     * inside another is not half-masked. Values are those of now: one replaced since a worker printed it is not
     * found in that worker's log. A value of a multi-line secret is also masked line by line, since logs are read as
     * lines.
     */
    @Override
    public UnaryOperator<String> masker(String function) {
        Set<String> names = new LinkedHashSet<>();
        functions.versions(function).forEach(v -> names.addAll(v.manifest().secrets()));
        if (names.isEmpty()) {
            return UnaryOperator.identity();
        }
        Set<String> values = new LinkedHashSet<>();
        for (String name : names) {
            store.findSecret(name).ifPresent(s -> {
                try {
                    for (String v : cipher.open(name, s.sealed()).values()) {
                        values.add(v);
                        values.addAll(List.of(v.split("\r?\n")));
                    }
                } catch (IllegalStateException e) {
                    // a value that does not open was never handed to a worker under this key
                }
            });
        }
        List<String> longestFirst = new ArrayList<>(values.stream().filter(v -> !v.isBlank()).toList());
        longestFirst.sort(Comparator.comparingInt(String::length).reversed());
        if (longestFirst.isEmpty()) {
            return UnaryOperator.identity();
        }
        return text -> {
            String out = text;
            for (String v : longestFirst) {
                out = out.replace(v, MASK);
            }
            return out;
        };
    }

    private Stream<FunctionVersion> released() {
        return functions.all().stream().flatMap(v -> Stream.concat(Stream.of(v),
                functions.canary(v.name()).stream()));
    }

    private String known() {
        List<String> names = store.listSecrets().stream().map(SealedSecret::name).toList();
        return names.isEmpty() ? " (there are no secrets yet)" : " (secrets: " + String.join(", ", names) + ")";
    }
}
