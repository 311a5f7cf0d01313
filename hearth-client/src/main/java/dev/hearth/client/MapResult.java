package dev.hearth.client;

/**
 * The outcome of one input of {@link Fn#mapResults(Iterable, Class, MapOptions)}: its output, or the failure of its
 * job, like Modal's {@code map(..., return_exceptions=True)}.
 *
 * @param index  the input's position, from 0
 * @param jobId  the job that ran it
 * @param output the converted output; null when the job failed (or returned null)
 * @param error  why the job ended without a result; null when it completed
 * @param <T>    the output type
 */
public record MapResult<T>(long index, String jobId, T output, HearthRemoteException error) {

    /** Whether the job completed. */
    public boolean isSuccess() {
        return error == null;
    }

    /**
     * The output.
     *
     * @throws HearthRemoteException when the job failed, timed out or was cancelled
     */
    public T get() {
        if (error != null) {
            throw error;
        }
        return output;
    }
}
