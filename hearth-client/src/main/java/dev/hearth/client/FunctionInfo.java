package dev.hearth.client;

import java.time.Instant;

/**
 * A deployed function as {@code GET /v1/functions} summarises it.
 *
 * @param name       the function's name
 * @param version    its current version
 * @param deployedAt when that version was deployed, or null if the server did not say
 * @param runtime    {@code python} or {@code command}
 * @param gpu        the GPUs one worker needs, e.g. {@code 1x H100|A100}; null for a CPU-only function
 * @param scaling    its scaling settings
 * @param workers    how many workers it has now
 * @param inQueue    jobs waiting
 * @param inProgress jobs running
 * @param manifest   the manifest's YAML text; only {@link Fn#info()} carries it, else null
 * @param state      {@code ok}, {@code crashLooping} or {@code waitingForGpu}; null if the server did not say
 * @param crashLoop  while crash looping, the error: what its last worker died of and what to do; else null
 */
public record FunctionInfo(String name, int version, Instant deployedAt, String runtime, String gpu,
                           Scaling scaling, int workers, int inQueue, int inProgress, String manifest,
                           String state, String crashLoop) {

    /** A summary without the state, as servers before crash-loop detection gave it. */
    public FunctionInfo(String name, int version, Instant deployedAt, String runtime, String gpu, Scaling scaling,
                        int workers, int inQueue, int inProgress, String manifest) {
        this(name, version, deployedAt, runtime, gpu, scaling, workers, inQueue, inProgress, manifest, null, null);
    }

    /**
     * A function's scaling settings.
     *
     * @param idleTimeout as the server wrote it (e.g. {@code 5s}); null if absent
     */
    public record Scaling(int minWorkers, int maxWorkers, String idleTimeout, int concurrency) {
    }
}
