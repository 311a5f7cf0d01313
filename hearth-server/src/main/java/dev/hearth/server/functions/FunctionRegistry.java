package dev.hearth.server.functions;

import dev.hearth.errors.HearthException;
import dev.hearth.functions.FunctionManifest;
import dev.hearth.functions.FunctionStore;
import dev.hearth.functions.FunctionVersion;
import dev.hearth.functions.ManifestException;
import dev.hearth.functions.ManifestParser;
import dev.hearth.functions.Runtime;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Deployed functions: each deploy stores the code bundle by content hash and a new version of the manifest. The
 * latest version of each function is cached, since every submit looks it up.
 */
public final class FunctionRegistry {

    private final FunctionStore store;
    private final BundleStore bundles;
    private final InstantSource clock;
    private final ConcurrentHashMap<String, FunctionVersion> latest = new ConcurrentHashMap<>();
    private final List<Consumer<FunctionVersion>> onDeploy = new java.util.concurrent.CopyOnWriteArrayList<>();

    public FunctionRegistry(FunctionStore store, BundleStore bundles, InstantSource clock) {
        this.store = store;
        this.bundles = bundles;
        this.clock = clock;
        store.listLatest().forEach(v -> latest.put(v.name(), v));
    }

    /** Called after every successful deploy with the new version (rolling release of workers). */
    public void onDeploy(Consumer<FunctionVersion> listener) {
        onDeploy.add(listener);
    }

    /**
     * Deploys a zipped function directory whose root holds {@code hearth.yaml}.
     *
     * @throws ManifestException when the manifest or the bundle is not deployable
     */
    public synchronized FunctionVersion deploy(byte[] zip) {
        BundleStore.Bundle bundle = bundles.store(zip);
        String yaml = bundle.manifestYaml();
        FunctionManifest manifest = ManifestParser.parse(yaml);
        if (manifest.runtime() == Runtime.PYTHON) {
            String file = manifest.handler().substring(0, manifest.handler().lastIndexOf(':'));
            if (!java.nio.file.Files.isRegularFile(bundle.dir().resolve(file))) {
                throw new ManifestException("'handler' names " + file + ", which is not in the deployed directory");
            }
        }
        int version = store.latest(manifest.name()).map(v -> v.version() + 1).orElse(1);
        FunctionVersion v = new FunctionVersion(manifest.name(), version, manifest, yaml, bundle.sha256(),
                clock.instant());
        store.save(v);
        latest.put(v.name(), v);
        onDeploy.forEach(l -> l.accept(v));
        return v;
    }

    public Optional<FunctionVersion> latest(String name) {
        return Optional.ofNullable(latest.get(name));
    }

    /** The latest version, or a 404 that lists what is deployed. */
    public FunctionVersion require(String name) {
        FunctionVersion v = latest.get(name);
        if (v == null) {
            List<String> names = latest.keySet().stream().sorted().toList();
            throw new HearthException.NotFound("function '" + name + "' is not deployed; "
                    + (names.isEmpty() ? "nothing is deployed yet (hearth deploy path/to/hearth.yaml)"
                    : "deployed: " + String.join(", ", names)));
        }
        return v;
    }

    public List<FunctionVersion> all() {
        return latest.values().stream().sorted(java.util.Comparator.comparing(FunctionVersion::name)).toList();
    }

    public synchronized boolean delete(String name) {
        latest.remove(name);
        return store.delete(name);
    }

    public java.nio.file.Path bundleDir(FunctionVersion v) {
        return bundles.dir(v.bundleSha256());
    }
}
