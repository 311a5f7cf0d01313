package dev.hearth.worker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.util.RawValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;

/** A job this worker holds, from take until its result is posted or dropped. */
final class RunningJob implements JobContext {


    private final HearthWorker worker;
    private final String id;
    private final JsonNode input;
    private final boolean holdsSlot;
    private volatile Thread thread;
    private volatile boolean cancelled;
    private volatile boolean leaseLost;
    private volatile boolean interruptOnCancel = true;
    // Chunks kept as the JSON text already posted, so the aggregate is exactly what was streamed.
    private final List<RawValue> chunks = new ArrayList<>();

    RunningJob(HearthWorker worker, String id, JsonNode input, boolean holdsSlot) {
        this.worker = worker;
        this.id = id;
        this.input = input;
        this.holdsSlot = holdsSlot;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public JsonNode input() {
        return input;
    }

    @Override
    public <T> T input(Class<T> type) {
        try {
            return worker.json().treeToValue(input, type);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("job input does not fit " + type.getSimpleName() + ": "
                    + e.getOriginalMessage(), e);
        }
    }

    @Override
    public void progress(Object update) {
        if (isCancelled()) {
            return;
        }
        byte[] body;
        try {
            body = worker.payloads().progress(update);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("progress update cannot be serialized: " + e.getOriginalMessage(), e);
        }
        // One attempt: a lost update is superseded by the next one or by the result.
        try {
            ControlPlane.Reply r = worker.plane().postDone(id, false, body);
            if (r.status() == 409) {
                leaseLost = true;
            } else if (r.status() == 401) {
                worker.revoked();
            } else if (!r.ok()) {
                Log.debug("job {0}: progress update refused: HTTP {1}", id, r.status());
            }
        } catch (IOException e) {
            Log.debug("job {0}: progress update failed: {1}", id, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isCancelled() {
        return cancelled || leaseLost;
    }

    Emitter emitter() {
        return this::emit;
    }

    // Synchronized so that chunks from several handler threads are posted and aggregated in the same order.
    private synchronized void emit(Object chunk) {
        if (isCancelled()) {
            throw new CancellationException("job " + id + " was cancelled");
        }
        String text;
        try {
            text = worker.payloads().chunk(chunk);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("stream chunk cannot be serialized: " + e.getOriginalMessage(), e);
        }
        chunks.add(new RawValue(text));
        if (!worker.plane().hasStream()) {
            return;
        }
        byte[] body = Payloads.streamed(text);
        Delivery.Result r;
        try {
            r = worker.deliver(() -> worker.plane().postStream(id, body));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("job " + id + " was interrupted while streaming");
        }
        switch (r.outcome()) {
            case DELIVERED -> { }
            case LEASE_LOST -> {
                leaseLost = true;
                throw new CancellationException("job " + id + " is no longer held by this worker");
            }
            case REVOKED -> {
                worker.revoked();
                throw new CancellationException("worker revoked");
            }
            case REJECTED, UNREACHABLE -> throw new UncheckedIOException(
                    new IOException("stream chunk of job " + id + " not delivered: " + r.detail()));
        }
    }

    synchronized List<RawValue> chunks() {
        return List.copyOf(chunks);
    }

    void bind(Thread t) {
        this.thread = t;
    }

    /** Runs on a thread shared with other jobs (a batch): a cancel must not interrupt it. */
    void bindShared(Thread t) {
        this.interruptOnCancel = false;
        this.thread = t;
    }

    Thread thread() {
        return thread;
    }

    /** Marks the job cancelled and interrupts its handler; its result will not be posted. */
    void cancel() {
        cancelled = true;
        Thread t = thread;
        if (t != null && interruptOnCancel) {
            t.interrupt();
        }
    }

    boolean holdsSlot() {
        return holdsSlot;
    }
}
