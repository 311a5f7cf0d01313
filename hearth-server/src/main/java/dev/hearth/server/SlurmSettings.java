package dev.hearth.server;

import java.nio.file.Path;

/**
 * How to run workers as Slurm jobs ({@code hearth serve --runtime slurm}).
 *
 * @param partition the partition whose nodes Hearth uses and submits to, or null for the cluster's default (and
 *                  every node)
 * @param config    the {@code slurm.conf} the Slurm tools use ({@code SLURM_CONF}), or null for Slurm's own default
 * @param nodeCache where on each node the worker bootstrap keeps code bundles and the worker library
 */
public record SlurmSettings(String partition, Path config, String nodeCache) {

    public static final String DEFAULT_NODE_CACHE = "/tmp/hearth-node-cache";

    public SlurmSettings {
        nodeCache = nodeCache == null || nodeCache.isBlank() ? DEFAULT_NODE_CACHE : nodeCache;
    }
}
