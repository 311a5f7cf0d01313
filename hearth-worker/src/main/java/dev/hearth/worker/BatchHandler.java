package dev.hearth.worker;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Runs a batch of jobs in one call, for functions deployed with {@code batch: {maxSize, wait}} (dynamic batching): the
 * control plane hands the worker up to {@code maxSize} jobs at once, and the handler gets their inputs as a list.
 *
 * <p>The handler returns one output per input, in the same order; each is posted as its own job's output. A thrown
 * exception, or a list of another length, fails every job of the batch with that error. Cancelling one job of a batch
 * drops its result but does not interrupt the batch.
 */
@FunctionalInterface
public interface BatchHandler {

    /**
     * Runs the batch.
     *
     * @param inputs the jobs' inputs, in the order they were taken
     * @return one output per input, in the same order
     * @throws Exception to fail every job of the batch
     */
    List<?> handle(List<JsonNode> inputs) throws Exception;
}
