package dev.hearth.releases;

import dev.hearth.errors.HearthException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Which versions of a function serve its jobs: the active (stable) version and, while one runs, a canary that receives
 * a share of new jobs. Each change of the release is a new record appended to the function's release history.
 *
 * @param canary the canary, or null when none runs
 */
public record Release(String function, int active, Canary canary, Instant at) {

    /**
     * A version that receives {@code percent} of new jobs, the rest going to the active version.
     *
     * @param percent 1 to 99
     */
    public record Canary(int version, int percent) {
        public Canary {
            CanarySplit.checkPercent(percent);
        }
    }

    public Release {
        Objects.requireNonNull(function, "function");
        Objects.requireNonNull(at, "at");
        if (canary != null && canary.version() == active) {
            throw new IllegalArgumentException("the canary cannot be the active version " + active);
        }
    }

    /** The first deploy of a function. */
    public static Release first(String function, int version, Instant at) {
        return new Release(function, version, null, at);
    }

    public Optional<Canary> canaryRun() {
        return Optional.ofNullable(canary);
    }

    /** A plain deploy: the new version becomes active for every new job; a canary that ran is cancelled. */
    public Release deployed(int version, Instant at) {
        return new Release(function, version, null, at);
    }

    /** A canary deploy: the new version receives {@code percent} of new jobs; it replaces a canary that ran. */
    public Release withCanary(int version, int percent, Instant at) {
        return new Release(function, active, new Canary(version, percent), at);
    }

    /** The running canary keeps its version and receives {@code percent} of new jobs from now on. */
    public Release withCanaryShare(int percent, Instant at) {
        if (canary == null) {
            throw new HearthException.Conflict("function '" + function + "' has no canary whose share could change "
                    + "(active version " + active + "); deploy one with `hearth deploy <path> --canary 10%`");
        }
        return new Release(function, active, new Canary(canary.version(), percent), at);
    }

    /** The canary becomes the active version for every new job. */
    public Release promoted(Instant at) {
        if (canary == null) {
            throw new HearthException.Conflict("function '" + function + "' has no canary to promote (active version "
                    + active + "); deploy one with `hearth deploy <path> --canary 10%`");
        }
        return new Release(function, canary.version(), null, at);
    }

    /**
     * A rollback. With a canary running and no version named, it cancels the canary and keeps the active version;
     * otherwise the named version, or by default the newest once-active version older than the active one, becomes
     * active again (and a canary is cancelled).
     *
     * @param target  the version to make active, or null for the default
     * @param history this function's releases, oldest first (to know which versions were once active)
     * @param exists  the versions that are still stored
     */
    public Release rolledBack(Integer target, List<Release> history, List<Integer> exists, Instant at) {
        if (target == null) {
            if (canary != null) {
                return new Release(function, active, null, at);
            }
            // without a history (deployed before releases were recorded) every stored version counts as once active
            OptionalInt previous = (history.isEmpty() ? exists.stream().mapToInt(Integer::intValue)
                    : history.stream().mapToInt(Release::active)).filter(v -> v < active && exists.contains(v)).max();
            if (previous.isEmpty()) {
                throw new HearthException.Conflict("function '" + function + "' has no version older than the active "
                        + "version " + active + " that was ever active; name one: hearth rollback " + function
                        + " <version>");
            }
            target = previous.getAsInt();
        }
        if (!exists.contains(target)) {
            throw new HearthException.NotFound("function '" + function + "' has no version " + target
                    + "; versions: " + exists);
        }
        if (target == active && canary == null) {
            throw new HearthException.Conflict("version " + target + " of function '" + function
                    + "' is already active");
        }
        return new Release(function, target, null, at);
    }
}
