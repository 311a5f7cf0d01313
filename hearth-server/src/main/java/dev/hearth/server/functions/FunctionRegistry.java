package dev.hearth.server.functions;

import dev.hearth.errors.HearthException;
import dev.hearth.functions.CogManifest;
import dev.hearth.functions.FunctionManifest;
import dev.hearth.functions.FunctionStore;
import dev.hearth.functions.FunctionVersion;
import dev.hearth.functions.ManifestException;
import dev.hearth.functions.ManifestParser;
import dev.hearth.functions.Runtime;
import dev.hearth.releases.CanarySplit;
import dev.hearth.releases.Release;
import dev.hearth.releases.ReleaseStore;
import dev.hearth.server.releases.Lane;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Deployed functions: each deploy stores the code bundle by content hash and a new version of the manifest. Which
 * versions serve jobs is the function's {@link Release}: the active version (what {@link #latest} returns, cached
 * since every submit looks it up) and, while one runs, a canary that receives a share of new jobs. Every release
 * change (deploy, canary, promote, rollback) is appended to the durable release history before it takes effect.
 */
public final class FunctionRegistry {

    private final FunctionStore store;
    private final BundleStore bundles;
    private final ReleaseStore releases;
    private final InstantSource clock;
    private final Preparer preparer;
    private final ConcurrentHashMap<String, Released> released = new ConcurrentHashMap<>();
    private final List<Consumer<FunctionVersion>> onDeploy = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<Consumer<Release>> onRelease = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<java.util.function.BiConsumer<FunctionManifest, java.nio.file.Path>> beforeDeploy =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<java.util.function.BiConsumer<FunctionManifest, java.nio.file.Path>> onUnpack =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    /** A function's current release with its canary version loaded (null when none runs). */
    /** A function's release with the versions it names, read once: {@code active} and ({@code null}: none) the canary. */
    private record Released(Release release, FunctionVersion active, FunctionVersion canary) {
    }

    /**
     * Readies what a new version needs before it is saved (its Python environment), passing progress lines on; what
     * it returns runs once the version is saved or the deploy failed.
     */
    @FunctionalInterface
    public interface Preparer {
        Runnable prepare(FunctionManifest manifest, java.nio.file.Path bundleDir, Consumer<String> progress);
    }

    public FunctionRegistry(FunctionStore store, BundleStore bundles, ReleaseStore releases, InstantSource clock,
                            Preparer preparer) {
        this.store = store;
        this.bundles = bundles;
        this.releases = releases;
        this.clock = clock;
        this.preparer = preparer;
        for (FunctionVersion newest : store.listLatest()) {
            List<Release> history = releases.history(newest.name());
            // a function deployed before releases were recorded: its newest version is active
            Release current = history.isEmpty() ? Release.first(newest.name(), newest.version(), newest.deployedAt())
                    : history.getLast();
            apply(current);
        }
    }

    /** Called after every successful deploy with the new version, a canary included. */
    public void onDeploy(Consumer<FunctionVersion> listener) {
        onDeploy.add(listener);
    }

    /**
     * Called during every deploy before the new version is stored, with its manifest and unpacked bundle directory:
     * it may refuse the deploy by throwing (a {@link ManifestException} naming the field) or prepare the directory.
     */
    public void beforeDeploy(java.util.function.BiConsumer<FunctionManifest, java.nio.file.Path> check) {
        beforeDeploy.add(check);
    }

    /**
     * Called after every release change (deploy, canary, promote, rollback) with the new release, once it is durable
     * and visible here: the worker pool drains unreleased versions and queued jobs move to their lane.
     */
    public void onRelease(Consumer<Release> listener) {
        onRelease.add(listener);
    }

    /**
     * Deploys a zipped function directory whose root holds {@code hearth.yaml} (or a Cog model's {@code cog.yaml}).
     *
     * @throws ManifestException when the manifest or the bundle is not deployable
     */
    public FunctionVersion deploy(byte[] zip) {
        return deploy(zip, null, line -> { });
    }

    /**
     * Deploys a zipped function directory as a canary that receives {@code canaryPercent} of new jobs (null: a plain
     * deploy, the new version becomes active). Returns once the version is ready to serve: its Python environment
     * built, with each line of the build's output passed to {@code progress} meanwhile. Until then, and if it fails,
     * the function's current versions serve as before.
     *
     * @throws ManifestException when the manifest or the bundle is not deployable
     */
    public FunctionVersion deploy(byte[] zip, Integer canaryPercent, Consumer<String> progress) {
        return deploy(zip, canaryPercent, null, progress);
    }

    /**
     * Deploys as {@link #deploy(byte[], Integer, Consumer)} does; a Cog model directory ({@code cog.yaml} at the root,
     * see {@link CogManifest}) takes {@code name} as its function's name when no {@code hearth.yaml} beside it gives
     * one (null: from its {@code image}).
     */
    public FunctionVersion deploy(byte[] zip, Integer canaryPercent, String name, Consumer<String> progress) {
        BundleStore.Bundle bundle = bundles.store(zip);
        String yaml = bundle.cogYaml() == null ? bundle.manifestYaml()
                : CogManifest.hearthYaml(bundle.cogYaml(), bundle.manifestYaml(), name);
        FunctionManifest manifest = ManifestParser.parse(yaml);
        if (manifest.runtime() == Runtime.PYTHON) {
            String file = manifest.handler().substring(0, manifest.handler().lastIndexOf(':'));
            if (!java.nio.file.Files.isRegularFile(bundle.dir().resolve(file))) {
                throw new ManifestException("'handler' names " + file + ", which is not in the deployed directory");
            }
        }
        synchronized (this) { // under the lock, as when the whole deploy held it: these write into the bundle
            beforeDeploy.forEach(check -> check.accept(manifest, bundle.dir()));
        }
        requireActiveForCanary(manifest.name(), canaryPercent); // before a build that may take minutes
        Runnable prepared = preparer.prepare(manifest, bundle.dir(), progress);
        try {
            return save(manifest, yaml, bundle.sha256(), canaryPercent);
        } finally {
            prepared.run();
        }
    }

    private void requireActiveForCanary(String name, Integer canaryPercent) {
        if (canaryPercent != null && released.get(name) == null) {
            throw new HearthException.Conflict("function '" + name + "' has no active version yet for a "
                    + "canary to share jobs with; deploy it once without --canary");
        }
    }

    private synchronized FunctionVersion save(FunctionManifest manifest, String yaml, String bundleSha,
                                              Integer canaryPercent) {
        requireActiveForCanary(manifest.name(), canaryPercent);
        Released current = released.get(manifest.name());
        int version = store.latest(manifest.name()).map(v -> v.version() + 1).orElse(1);
        FunctionVersion v = new FunctionVersion(manifest.name(), version, manifest, yaml, bundleSha, clock.instant());
        store.save(v);
        Release next = current == null ? Release.first(v.name(), version, v.deployedAt())
                : canaryPercent != null ? current.release().withCanary(version, canaryPercent, v.deployedAt())
                : current.release().deployed(version, v.deployedAt());
        releases.append(next);
        apply(next);
        onDeploy.forEach(l -> l.accept(v));
        onRelease.forEach(l -> l.accept(next));
        return v;
    }

    /** Makes the running canary the active version for every new job. */
    public synchronized Release promote(String name) {
        return change(require(name).name(), r -> r.promoted(clock.instant()));
    }

    /** Changes the share of new jobs the running canary receives. */
    public synchronized Release setCanaryShare(String name, int percent) {
        return change(require(name).name(), r -> r.withCanaryShare(percent, clock.instant()));
    }

    /**
     * Cancels a running canary (no version named), or makes a stored version active again: the named one, or by
     * default the newest once-active version older than the active one.
     */
    public synchronized Release rollback(String name, Integer version) {
        require(name);
        List<Integer> stored = store.versions(name).stream().map(FunctionVersion::version).toList();
        return change(name, r -> r.rolledBack(version, releases.history(name), stored, clock.instant()));
    }

    /** The function's current release, or a 404. */
    public Release release(String name) {
        require(name);
        return released.get(name).release();
    }

    /** The version a canary runs, while one does. */
    public Optional<FunctionVersion> canary(String name) {
        Released r = released.get(name);
        return r == null ? Optional.empty() : Optional.ofNullable(r.canary());
    }

    /** One stored version of a function by its number; empty when there is no such version (or function). */
    public Optional<FunctionVersion> find(String name, int version) {
        return store.find(name, version);
    }

    /** Every stored version of a function, oldest first, or a 404. */
    public List<FunctionVersion> versions(String name) {
        require(name);
        return store.versions(name);
    }

    /**
     * The version a new job is assigned to: the canary for its share of job ids (see {@link CanarySplit}), else the
     * active version; a 404 if the function is not deployed.
     */
    public FunctionVersion forNewJob(String name, String jobId) {
        FunctionVersion active = require(name);
        Released r = released.get(name);
        if (r != null && r.canary() != null && CanarySplit.toCanary(jobId, r.release().canary().percent())) {
            return r.canary();
        }
        return active;
    }

    /**
     * A released version of the function, the active one or the running canary, for a job that asks for it by
     * number; a 422 naming what is released for any other.
     */
    public FunctionVersion released(String name, int version) {
        FunctionVersion active = require(name);
        Optional<FunctionVersion> canary = canary(name);
        if (active.version() == version) {
            return active;
        }
        if (canary.isPresent() && canary.get().version() == version) {
            return canary.get();
        }
        throw new HearthException.Unprocessable("version " + version + " of function '" + name + "' is not released "
                + "(the active version is " + active.version() + canary.map(c -> ", the canary " + c.version())
                .orElse("") + "); only released versions run: `hearth rollback " + name + " " + version
                + "` makes it the active one");
    }

    /** The lane of a queued job of this version: the canary's while it runs, else the active version's. */
    public Lane laneOfJob(String name, int version) {
        Released r = released.get(name);
        return r != null && r.canary() != null && r.canary().version() == version ? Lane.CANARY : Lane.STABLE;
    }

    /** The lane a worker of this version serves; empty when the version is no longer released (it should drain). */
    public Optional<Lane> laneOfWorker(String name, int version) {
        Released r = released.get(name);
        if (r == null) {
            return Optional.empty();
        }
        if (r.release().active() == version) {
            return Optional.of(Lane.STABLE);
        }
        return r.canary() != null && r.canary().version() == version ? Optional.of(Lane.CANARY) : Optional.empty();
    }

    private Release change(String name, java.util.function.UnaryOperator<Release> f) {
        Release next = f.apply(released.get(name).release());
        releases.append(next);
        apply(next);
        onRelease.forEach(l -> l.accept(next));
        return next;
    }

    /** Makes a durable release visible, its active version and canary together. */
    private void apply(Release r) {
        FunctionVersion active = stored(r.function(), r.active());
        FunctionVersion canary = r.canary() == null ? null : stored(r.function(), r.canary().version());
        released.put(r.function(), new Released(r, active, canary));
    }

    private FunctionVersion stored(String name, int version) {
        return store.find(name, version).orElseThrow(() -> new IllegalStateException("release of function '" + name
                + "' names version " + version + ", which is not stored"));
    }

    /** The active version: the one every new job runs on, bar a canary's share. */
    public Optional<FunctionVersion> latest(String name) {
        return Optional.ofNullable(released.get(name)).map(Released::active);
    }

    /** The active version, or a 404 that lists what is deployed. */
    public FunctionVersion require(String name) {
        Released r = released.get(name);
        if (r == null) {
            List<String> names = released.keySet().stream().sorted().toList();
            throw new HearthException.NotFound("function '" + name + "' is not deployed; "
                    + (names.isEmpty() ? "nothing is deployed yet (hearth deploy path/to/hearth.yaml)"
                    : "deployed: " + String.join(", ", names)));
        }
        return r.active();
    }

    public List<FunctionVersion> all() {
        return released.values().stream().map(Released::active)
                .sorted(java.util.Comparator.comparing(FunctionVersion::name)).toList();
    }

    public synchronized boolean delete(String name) {
        released.remove(name);
        releases.deleteHistory(name);
        return store.delete(name);
    }

    /** Every stored version of every deployed function. */
    public List<FunctionVersion> allVersions() {
        return released.keySet().stream().sorted().flatMap(name -> store.versions(name).stream()).toList();
    }

    public java.nio.file.Path bundleDir(FunctionVersion v) {
        return bundles.dir(v.bundleSha256(), dir -> onUnpack.forEach(h -> h.accept(v.manifest(), dir)));
    }

    /**
     * Called with a version's manifest and bundle directory when this node unpacks it from the shared store rather
     * than at its deploy (another node deployed it): to ready the directory as {@link #beforeDeploy} did there.
     */
    public void onUnpack(java.util.function.BiConsumer<FunctionManifest, java.nio.file.Path> hook) {
        onUnpack.add(hook);
    }
}
