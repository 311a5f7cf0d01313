package dev.hearth.server.workers;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What each node's cache holds, as its workers' bootstraps last reported it: the Python environments built there and
 * the code bundles fetched there, by hash. Placement prefers a node that holds what a new worker needs (see
 * {@link dev.hearth.placement.BestFitPlacement}), since fetching and building them is most of a cold start on a node
 * that lacks them. Kept in memory: after a restart the nodes' next reports fill it again.
 */
public final class NodeCaches {

    /** One node's cache. */
    public record Facts(Set<String> envs, Set<String> bundles) {
        public Facts {
            envs = Set.copyOf(envs);
            bundles = Set.copyOf(bundles);
        }
    }

    private final Map<String, Facts> byNode = new ConcurrentHashMap<>();

    /** A node's report replaces what was known of it (a cache cleaned by hand forgets its environments). */
    public void report(String node, List<String> envs, List<String> bundles) {
        byNode.put(node, new Facts(new HashSet<>(envs), new HashSet<>(bundles)));
    }

    /** What a node's cache held at its last report; empty when none came. */
    public Facts of(String node) {
        return byNode.getOrDefault(node, new Facts(Set.of(), Set.of()));
    }

    /**
     * The nodes that hold a version's code and, when it has one, its environment.
     *
     * @param envHash the version's environment, or null when its manifest has no {@code python:}
     */
    public Set<String> warmNodes(String bundleSha256, String envHash) {
        Set<String> warm = new HashSet<>();
        byNode.forEach((node, f) -> {
            if (f.bundles().contains(bundleSha256) && (envHash == null || f.envs().contains(envHash))) {
                warm.add(node);
            }
        });
        return warm;
    }
}
