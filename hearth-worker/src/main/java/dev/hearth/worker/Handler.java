package dev.hearth.worker;

/**
 * Runs one job and returns its output.
 *
 * <p>The returned value is serialized with Jackson (the {@link WorkerOptions#getObjectMapper() worker's mapper}) and
 * posted as the job's {@code output}. A thrown exception fails the job: its type, message and stack trace are posted
 * as the job's {@code error}.
 *
 * <p>As in runpod-python, a returned {@link java.util.Map} or {@link com.fasterxml.jackson.databind.node.ObjectNode}
 * with an {@code "error"} key reports that value as the job's error (the other keys stay the output), and
 * {@code "refresh_worker": true} asks the control plane to replace this worker after the job.
 *
 * <p>Handlers run on virtual threads, up to {@link WorkerOptions#getConcurrency()} at once, so they must be
 * thread-safe when the concurrency is above one. A cancelled job's thread is interrupted.
 */
@FunctionalInterface
public interface Handler {

    /**
     * Runs the job.
     *
     * @param job the job's id and input
     * @return the output; {@code null} is posted as a JSON {@code null}
     * @throws Exception to fail the job
     */
    Object handle(JobContext job) throws Exception;
}
