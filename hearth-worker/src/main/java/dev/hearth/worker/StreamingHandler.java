package dev.hearth.worker;

/**
 * Runs one job and emits its output in chunks, like a runpod-python generator handler.
 *
 * <p>Each {@link Emitter#emit(Object) emitted} chunk is posted to the control plane at once, so clients reading
 * {@code /stream/{id}} see it while the job runs. When the handler returns, the list of all chunks is posted as the
 * job's output. A thrown exception fails the job, as for a {@link Handler}.
 */
@FunctionalInterface
public interface StreamingHandler {

    /**
     * Runs the job.
     *
     * @param job the job's id and input
     * @param out where the chunks go
     * @throws Exception to fail the job
     */
    void handle(JobContext job, Emitter out) throws Exception;
}
