package dev.hearth.functions;

import java.time.Duration;

/**
 * How many workers a function may have and when they go away.
 *
 * @param minWorkers  workers kept running even without work (RunPod's active workers, Modal's min_containers)
 * @param maxWorkers  the most workers at once
 * @param idleTimeout how long a worker may sit idle before it is scaled down (Modal's scaledown_window)
 * @param concurrency jobs one worker runs at once
 */
public record ScalingConfig(int minWorkers, int maxWorkers, Duration idleTimeout, int concurrency) {

    public static final ScalingConfig DEFAULT = new ScalingConfig(0, 3, Duration.ofSeconds(60), 1);

    public ScalingConfig {
        if (minWorkers < 0) {
            throw new IllegalArgumentException("minWorkers must be 0 or more");
        }
        if (maxWorkers < 1 || maxWorkers < minWorkers) {
            throw new IllegalArgumentException("maxWorkers must be at least 1 and at least minWorkers");
        }
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1");
        }
    }
}
