package dev.hearth.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The chunks of a generator job, read from {@code /v2/{fn}/stream/{id}}: each poll hands over the chunks the
 * server has not delivered before, waiting briefly for new ones while the job runs. The stream is over once a poll
 * finds the job final with nothing left to deliver; a job that did not complete then throws. One consumer thread.
 */
final class ChunkIterator implements Iterator<JsonNode>, AutoCloseable {

    private final JobHandle job;
    private final ArrayDeque<JsonNode> buffered = new ArrayDeque<>();
    private boolean ended;
    private volatile boolean closed;

    ChunkIterator(JobHandle job) {
        this.job = job;
    }

    @Override
    public boolean hasNext() {
        while (buffered.isEmpty() && !ended && !closed) {
            poll();
        }
        return !buffered.isEmpty();
    }

    @Override
    public JsonNode next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return buffered.poll();
    }

    private void poll() {
        StreamRead read = job.readStream();
        buffered.addAll(read.chunks());
        if (read.isEnd()) {
            ended = true;
            if (read.status() != JobState.COMPLETED) {
                throw new HearthRemoteException(job.status());
            }
        }
    }

    /** Cancels the job unless the stream already ended. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!ended) {
            try {
                job.cancel();
            } catch (HearthApiException alreadyFinal) {
                // it ended on its own meanwhile
            }
        }
    }
}
