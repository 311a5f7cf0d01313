package dev.hearth.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The engine of {@link Fn#map}: a window of at most {@code maxInFlight} jobs, each run with {@code /runsync} on its
 * own virtual thread, handed out in input order.
 *
 * <p>Inputs are pulled only to refill the window after the caller took a result, so at most {@code maxInFlight}
 * inputs and results are held at any time, however long the input sequence is. A slow job holds back the ones after
 * it (results are in order), and the window refills as soon as it is consumed.
 *
 * <p>One {@code /runsync} per job measured about twice as fast as {@code /run} followed by {@code /status-sync}
 * (bench/README.md), but it names the job only when it answers. So the server is asked to hold it for at most
 * {@link #FIRST_WAIT}: a short job completes in that one request, a longer one comes back with its id and goes on
 * with {@code /status-sync} long-polls, and a map closed meanwhile learns every id within about a second to cancel
 * it. One consumer thread; {@link #close()} may come from any thread.
 */
final class OrderedMap<T> implements Iterator<MapResult<T>>, AutoCloseable {

    /** The shortest hold the API accepts; also how long a closing map may wait to learn a job's id. */
    static final Duration FIRST_WAIT = Duration.ofSeconds(1);

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

    /**
     * One input's job: its id once the server named it (empty if the submission failed), and its final status (or
     * why it could not be submitted).
     */
    private static final class Slot {
        final long index;
        final CompletableFuture<String> submitted = new CompletableFuture<>();
        final CompletableFuture<JobStatus> done = new CompletableFuture<>();

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
            JobStatus first = fn.runSyncOnce(input, FIRST_WAIT);
            slot.submitted.complete(first.id());
            if (first.isFinal()) {
                slot.done.complete(first);
                return;
            }
            if (closed) {
                // close() may have given up waiting for this id: cancel it here as well (cancelling twice is fine).
                cancelQuietly(first.id());
            }
            slot.done.complete(fn.job(first.id()).await(null));
        } catch (Throwable t) {
            slot.submitted.complete(null);
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
                .filter(s -> !s.done.isDone())
                .map(s -> Thread.ofVirtual().start(() -> cancelWhenNamed(s)))
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

    private void cancelWhenNamed(Slot slot) {
        try {
            // The server answers a runsync within FIRST_WAIT; the margin covers a loaded machine.
            String id = slot.submitted.get(FIRST_WAIT.plus(Http.CALL_TIMEOUT).toMillis(), TimeUnit.MILLISECONDS);
            if (id != null && !slot.done.isDone()) {
                cancelQuietly(id);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // No id to cancel: the submission failed or never came back; run() cancels it if it ever does.
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
