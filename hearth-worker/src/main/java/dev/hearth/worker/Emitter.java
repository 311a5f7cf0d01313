package dev.hearth.worker;

/**
 * Where a {@link StreamingHandler} sends its chunks.
 *
 * <p>The worker's emitter posts each chunk before {@code emit} returns (so chunks arrive in order and a slow
 * control plane slows the handler instead of piling up memory) and may be called from several threads. It is a
 * functional interface so that handlers can be unit-tested with a lambda that collects the chunks.
 */
@FunctionalInterface
public interface Emitter {

    /**
     * Sends one chunk of output.
     *
     * @param chunk any value Jackson can serialize
     * @throws java.util.concurrent.CancellationException when the job was cancelled or its lease was lost: stop
     *         working on it
     * @throws java.io.UncheckedIOException when the chunk could not be delivered after retries
     * @throws IllegalArgumentException when the chunk cannot be serialized
     */
    void emit(Object chunk);
}
