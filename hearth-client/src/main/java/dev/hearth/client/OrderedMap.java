package dev.hearth.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;

/**
 * The engine of {@link Fn#map}: a window of at most {@code maxInFlight} jobs, each submitted with {@code /run} and
 * awaited with {@code /status-sync} on its own virtual thread, handed out in input order.
 *
 * <p>Inputs are pulled only to refill the window after the caller took a result, so at most {@code maxInFlight}
 * inputs and results are held at any time, however long the input sequence is. A slow job holds back the ones after
 * it (results are in order), and the window refills as soon as it is consumed.
 *
 * <p>{@code /run} rather than {@code /runsync}: the id comes back at once, so closing the map can cancel every job
 * in flight. One consumer thread; {@link #close()} may come from any thread.
 */
final class OrderedMap<T> implements Iterator<MapResult<T>>, AutoCloseable {

    private final Fn fn;
    private final Iterator<?> inputs;
    private final int window;
    private final Function<JsonNode, T> convert;
    private final ConcurrentLinkedDeque<Slot> slots = new ConcurrentLinkedDeque<>();
    private volatile boolean closed;
    private long nextIndex;

    OrderedMap(Fn fn, Iterable<?> inputs, MapOptions options, Function<JsonNode, T> convert) {
        this.fn = fn;
        this.inputs = inputs.iterator();
        this.window = options.maxInFlight();
        this.convert = convert;
    }

    /** One input's job: its id once submitted, and its final status (or why it could not be submitted). */
    private static final class Slot {
        final long index;
        final CompletableFuture<JobStatus> done = new CompletableFuture<>();
        volatile String jobId;

        Slot(long index) {
            this.index = index;
        }
    }

    @Override
    public boolean hasNext() {
        if (closed) {
            return false;
        }
        fill();
        return !slots.isEmpty();
    }

    @Override
    public MapResult<T> next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Slot head = slots.peekFirst();
        JobStatus status = await(head);
        slots.pollFirst();
        fill(); // before converting, so that the window is full again while the caller works on this result
        if (status.isCompleted()) {
            return new MapResult<>(head.index, status.id(), convert.apply(Decode.orNull(status.output())), null);
        }
        return new MapResult<>(head.index, status.id(), null, new HearthRemoteException(status));
    }

    private JobStatus await(Slot slot) {
        try {
            return slot.done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new HearthClientException("interrupted while waiting for input #" + slot.index + " of a map over "
                    + fn.name() + "; the jobs in flight were cancelled", e);
        } catch (ExecutionException e) {
            close();
            // A submission the server refused, or a connection lost: the map cannot go on.
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new HearthClientException("input #" + slot.index + " of a map over " + fn.name() + " failed",
                    e.getCause());
        }
    }

    private void fill() {
        while (!closed && slots.size() < window && inputs.hasNext()) {
            Slot slot = new Slot(nextIndex++);
            Object input = inputs.next();
            slots.addLast(slot);
            Thread.ofVirtual().name("hearth-map-" + fn.name() + "-" + slot.index).start(() -> run(slot, input));
        }
    }

    private void run(Slot slot, Object input) {
        try {
            JobHandle job = fn.spawn(input);
            slot.jobId = job.id();
            if (closed) {
                // close() may have looked at this slot before the id was known: cancel it here.
                cancelQuietly(job.id());
            }
            slot.done.complete(job.await(null));
        } catch (Throwable t) {
            slot.done.completeExceptionally(t);
        }
    }

    /**
     * Stops the map: no more inputs are pulled, and every job submitted but not yet handed out is cancelled. Returns
     * once the cancel requests are answered. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Thread[] cancels = slots.stream()
                .filter(s -> !s.done.isDone() && s.jobId != null)
                .map(s -> Thread.ofVirtual().start(() -> cancelQuietly(s.jobId)))
                .toArray(Thread[]::new);
        for (Thread t : cancels) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void cancelQuietly(String jobId) {
        try {
            fn.job(jobId).cancel();
        } catch (HearthClientException e) {
            // Already final (409), or the server went away: either way there is nothing left to cancel.
        }
    }
}
