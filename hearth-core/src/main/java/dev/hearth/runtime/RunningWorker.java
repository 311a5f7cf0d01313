package dev.hearth.runtime;

/**
 * A worker a previous run of this control plane started that still runs in the cluster (a Slurm job), found again at
 * start so that it can be adopted rather than restarted.
 *
 * @param devices the GPU indices the cluster's scheduler gave it on {@code node}, comma-separated, empty for none
 */
public record RunningWorker(String workerId, String function, int version, String node, String devices) {
}
