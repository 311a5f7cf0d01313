package dev.hearth.functions;

import java.time.Duration;

/**
 * Dynamic batching: a worker's take hands over up to {@code maxSize} jobs at once, waiting up to {@code maxWait} after
 * the first one for the batch to fill. The handler gets the inputs as a list and returns one output per input.
 *
 * @param maxSize the most jobs in one batch, at least 1
 * @param maxWait how long a take may wait for more jobs once it has one
 */
public record BatchConfig(int maxSize, Duration maxWait) {

    public BatchConfig {
        if (maxSize < 1) {
            throw new IllegalArgumentException("maxSize must be at least 1");
        }
        if (maxWait == null || maxWait.isNegative()) {
            throw new IllegalArgumentException("maxWait must be 0 or more");
        }
    }
}
