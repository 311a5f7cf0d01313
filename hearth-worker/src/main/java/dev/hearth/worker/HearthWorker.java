package dev.hearth.worker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A worker: takes jobs from the Hearth control plane, runs a handler on each and posts the results.
 *
 * <p>In a worker process, call {@link #serve(Handler)} from {@code main}; it reads {@link
 * WorkerOptions#fromEnvironment() the environment}, blocks while jobs are served, drains on SIGTERM and returns when
 * the worker has stopped. To embed a worker (or test one), use {@link #create(WorkerOptions, Handler)}, then {@link
 * #start()}, {@link #shutdown()} and {@link #awaitTermination(Duration)}.
 *
 * <p>What the worker does, as runpod-python does it: up to {@link WorkerOptions#getConcurrency()} jobs run at once,
 * each on its own virtual thread; a heartbeat renews the leases of running jobs; jobs the control plane stops
 * (cancelled, timed out) are interrupted and their results dropped; a result post that fails is retried for about
 * ten seconds; a {@code 409} answer (this worker no longer holds the job) drops the result; a {@code 401} answer
 * (the worker was revoked) drains the worker and stops it.
 *
 * <p>Logs go to {@link System.Logger} {@code dev.hearth.worker}, or, in a process run by {@code serve}, one line per
 * event to stderr.
 */
public final class HearthWorker {

    private static final Duration MIN_EMPTY_POLL = Duration.ofMillis(250);

    private enum State { NEW, RUNNING, DRAINING, TERMINATED }

    /** Both handler kinds, reduced to one call; a streaming handler's output is its chunks. */
    @FunctionalInterface
    private interface Invoker {
        Object invoke(RunningJob job) throws Exception;
    }

    private final WorkerOptions options;
    private final Invoker invoker;
    private final BatchHandler batchHandler;
    private final int maxBatchSize;
    private final boolean streaming;
    private final ControlPlane plane;
    private final Payloads payloads;
    private final Semaphore slots;
    private final ConcurrentHashMap<String, RunningJob> active = new ConcurrentHashMap<>();
    private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
    private final AtomicBoolean revoked = new AtomicBoolean();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private Thread taker;
    private Thread stopper;
    private Thread pinger;
    private boolean takeFailing; // the taker's own: log an outage once, not once a second

    private HearthWorker(WorkerOptions options, Invoker invoker, boolean streaming) {
        this(options, invoker, streaming, null, 0);
    }

    private HearthWorker(WorkerOptions options, Invoker invoker, boolean streaming, BatchHandler batchHandler,
                         int maxBatchSize) {
        this.options = Objects.requireNonNull(options, "options");
        this.invoker = invoker;
        this.batchHandler = batchHandler;
        this.maxBatchSize = maxBatchSize;
        this.streaming = streaming;
        this.plane = new ControlPlane(options);
        this.payloads = new Payloads(options.getObjectMapper(), options.getWorkerId(), options.hostname());
        this.slots = new Semaphore(options.getConcurrency());
    }

    /** A worker that runs {@code handler}; call {@link #start()} to begin taking jobs. */
    public static HearthWorker create(WorkerOptions options, Handler handler) {
        Objects.requireNonNull(handler, "handler");
        return new HearthWorker(options, handler::handle, false);
    }

    /** A worker that runs a streaming {@code handler}; call {@link #start()} to begin taking jobs. */
    public static HearthWorker create(WorkerOptions options, StreamingHandler handler) {
        Objects.requireNonNull(handler, "handler");
        return new HearthWorker(options, job -> {
            handler.handle(job, job.emitter());
            return null;
        }, true);
    }

    /**
     * A worker that runs a batch {@code handler} on up to {@code maxBatchSize} jobs at a time (up to
     * {@link WorkerOptions#getConcurrency()} batches at once); call {@link #start()} to begin taking jobs.
     */
    public static HearthWorker create(WorkerOptions options, BatchHandler handler, int maxBatchSize) {
        Objects.requireNonNull(handler, "handler");
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException("maxBatchSize must be at least 1, got " + maxBatchSize);
        }
        return new HearthWorker(options, job -> {
            throw new IllegalStateException("a batch worker runs jobs in batches");
        }, false, handler, maxBatchSize);
    }

    /**
     * Serves a batch {@code handler}, with batches of up to {@code HEARTH_BATCH_MAX_SIZE} jobs (the manifest's
     * {@code batch.maxSize}); see {@link #serve(Handler)}.
     *
     * @throws IllegalStateException when the environment lacks the worker variables or HEARTH_BATCH_MAX_SIZE
     */
    public static void serveBatches(BatchHandler handler) {
        String size = System.getenv("HEARTH_BATCH_MAX_SIZE");
        int max;
        try {
            max = Integer.parseInt(size == null ? "" : size.trim());
        } catch (NumberFormatException e) {
            throw new IllegalStateException("HEARTH_BATCH_MAX_SIZE must be set to a whole number (deploy the "
                    + "function with batch: {maxSize: N}), got " + size);
        }
        serve(create(WorkerOptions.fromEnvironment(), handler, max));
    }

    /**
     * Serves {@code handler} with the options from the environment until SIGTERM (after which in-flight jobs finish
     * and their results are posted) or until the control plane revokes the worker.
     *
     * @throws IllegalStateException when the environment lacks the worker variables (the process was not started
     *         by the control plane)
     */
    public static void serve(Handler handler) {
        serve(create(WorkerOptions.fromEnvironment(), handler));
    }

    /** Serves a streaming {@code handler}; see {@link #serve(Handler)}. */
    public static void serve(StreamingHandler handler) {
        serve(create(WorkerOptions.fromEnvironment(), handler));
    }

    private static void serve(HearthWorker worker) {
        Log.toStderr();
        // SIGTERM runs shutdown hooks; the JVM exits when they return, so the hook waits for the drain. The control
        // plane sends SIGKILL after its grace period, which bounds a handler that never returns.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            worker.shutdown();
            worker.awaitTerminationUninterruptibly();
        }, "hearth-sigterm-drain"));
        worker.start();
        worker.awaitTerminationUninterruptibly();
    }

    /**
     * Starts taking jobs, the heartbeat and the stop channel. Returns at once.
     *
     * @throws IllegalStateException when already started or shut down
     */
    public synchronized void start() {
        if (!state.compareAndSet(State.NEW, State.RUNNING)) {
            throw new IllegalStateException("worker already started or shut down");
        }
        Log.info("worker {0} serving {1} ({2}, concurrency {3})", options.getWorkerId(),
                options.getEndpointId().orElse("a function"), Version.TAG, options.getConcurrency());
        if (plane.hasPing()) {
            pinger = Thread.ofVirtual().name("hearth-heartbeat").start(this::pingLoop);
        }
        if (plane.hasStopChannel()) {
            stopper = Thread.ofVirtual().name("hearth-stop-channel").start(this::stopLoop);
        }
        taker = Thread.ofVirtual().name("hearth-take").start(this::takeLoop);
    }

    /**
     * Drains the worker: stops taking jobs, lets in-flight jobs finish and posts their results, then stops the
     * heartbeat. Returns at once; use {@link #awaitTermination(Duration)} to wait. Idempotent.
     */
    public void shutdown() {
        synchronized (this) {
            if (state.compareAndSet(State.NEW, State.TERMINATED)) {
                plane.close();
                terminated.countDown();
                return;
            }
            if (!state.compareAndSet(State.RUNNING, State.DRAINING)) {
                return;
            }
        }
        Log.info("worker {0} draining: {1} job(s) in flight", options.getWorkerId(), active.size());
        // Ends a take long-poll at once; a take answered just before is still run, since the job is leased to us.
        taker.interrupt();
        Thread.ofVirtual().name("hearth-drain").start(this::drain);
    }

    /**
     * Waits for the worker to stop after {@link #shutdown()} (or after the control plane revoked it).
     *
     * @return true when it stopped, false when {@code timeout} elapsed first
     */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return terminated.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Whether the worker has stopped: every taken job finished and its result was posted or dropped. */
    public boolean isTerminated() {
        return terminated.getCount() == 0;
    }

    private void awaitTerminationUninterruptibly() {
        boolean interrupted = false;
        while (true) {
            try {
                terminated.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- take

    private void takeLoop() {
        while (state.get() == State.RUNNING) {
            if (batchHandler != null) {
                if (!takeBatch()) {
                    return;
                }
                continue;
            }
            try {
                slots.acquire();
            } catch (InterruptedException e) {
                return;
            }
            // Every free slot is asked for in one batch take, as runpod-python does.
            int asked = 1 + (plane.canBatch() ? slots.drainPermits() : 0);
            int held = 0;
            try {
                for (JsonNode job : fetch(asked)) {
                    boolean slot = held < asked;
                    if (launch(job, slot) && slot) {
                        held++;
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                Log.error("job take failed unexpectedly", e);
                if (!pause(options.pollBackoff())) {
                    return;
                }
            } finally {
                slots.release(asked - held);
            }
        }
    }

    private List<JsonNode> fetch(int n) throws InterruptedException {
        long started = System.nanoTime();
        ControlPlane.Reply r;
        try {
            r = plane.take(n, !active.isEmpty());
        } catch (HttpTimeoutException e) {
            return List.of();
        } catch (IOException e) {
            if (!takeFailing) {
                takeFailing = true;
                Log.warn("cannot reach the control plane to take jobs (will keep trying): {0}",
                        e.toString());
            }
            Thread.sleep(errorBackoff());
            return List.of();
        }
        if (takeFailing) {
            takeFailing = false;
            Log.info("control plane reachable again");
        }
        switch (r.status()) {
            case 200 -> {
                List<JsonNode> jobs = parseJobs(r);
                if (jobs.isEmpty()) {
                    pauseIfQuick(started);
                }
                return jobs;
            }
            case 204 -> pauseIfQuick(started);
            case 429 -> Thread.sleep(options.pollBackoff());
            case 401 -> revoked();
            default -> {
                Log.warn("job take answered HTTP {0}: {1}", r.status(), r.text());
                Thread.sleep(options.pollBackoff());
            }
        }
        return List.of();
    }

    private List<JsonNode> parseJobs(ControlPlane.Reply r) {
        JsonNode body;
        try {
            body = json().readTree(r.body());
        } catch (IOException e) {
            Log.warn("job take answered a body that is not JSON: {0}", e.getMessage());
            return List.of();
        }
        if (body == null || body.isNull() || body.isMissingNode()) {
            return List.of();
        }
        if (body.isObject()) {
            return List.of(body);
        }
        List<JsonNode> jobs = new ArrayList<>(body.size());
        body.forEach(jobs::add);
        return jobs;
    }

    /** Starts a job on its own virtual thread; false when the job cannot run (no id, or already running here). */
    private boolean launch(JsonNode raw, boolean holdsSlot) {
        RunningJob job = register(raw, holdsSlot);
        if (job == null) {
            return false;
        }
        Thread t = Thread.ofVirtual().name("hearth-job-" + job.id()).unstarted(() -> run(job));
        job.bind(t);
        t.start();
        return true;
    }

    /** The job as running here, or null when it cannot run (no id, or already running here). */
    private RunningJob register(JsonNode raw, boolean holdsSlot) {
        JsonNode idNode = raw.get("id");
        if (idNode == null || !idNode.isValueNode() || idNode.asText().isEmpty()) {
            Log.warn("job without an id ignored: {0}", raw);
            return null;
        }
        JsonNode input = raw.hasNonNull("input") ? raw.get("input") : NullNode.getInstance();
        RunningJob job = new RunningJob(this, idNode.asText(), input, holdsSlot);
        if (active.putIfAbsent(job.id(), job) != null) {
            Log.warn("job {0} handed out again while it runs here; duplicate ignored", job.id());
            return null;
        }
        return job;
    }

    /** One slot per batch: takes up to a batch of jobs and runs them in one handler call. False: stop taking. */
    private boolean takeBatch() {
        try {
            slots.acquire();
        } catch (InterruptedException e) {
            return false;
        }
        boolean launched = false;
        try {
            launched = launchBatch(fetch(maxBatchSize));
        } catch (InterruptedException e) {
            return false;
        } catch (RuntimeException e) {
            Log.error("job take failed unexpectedly", e);
            return pause(options.pollBackoff());
        } finally {
            if (!launched) {
                slots.release();
            }
        }
        return true;
    }

    private boolean launchBatch(List<JsonNode> raw) {
        List<RunningJob> batch = new ArrayList<>(raw.size());
        for (JsonNode r : raw) {
            RunningJob job = register(r, false);
            if (job != null) {
                batch.add(job);
            }
        }
        if (batch.isEmpty()) {
            return false;
        }
        Thread t = Thread.ofVirtual().name("hearth-batch-" + batch.getFirst().id()).unstarted(() -> runBatch(batch));
        batch.forEach(j -> j.bindShared(t));
        t.start();
        return true;
    }

    private void runBatch(List<RunningJob> batch) {
        try {
            List<?> outputs = null;
            Throwable failure = null;
            try {
                outputs = batchHandler.handle(batch.stream().map(RunningJob::input).toList());
                if (outputs == null || outputs.size() != batch.size()) {
                    failure = new IllegalStateException("the batch handler returned "
                            + (outputs == null ? "null" : outputs.size() + " outputs") + " for " + batch.size()
                            + " inputs; it must return one output per input, in the same order");
                }
            } catch (Throwable e) {
                failure = e;
            }
            Thread.interrupted();
            for (int i = 0; i < batch.size(); i++) {
                RunningJob job = batch.get(i);
                if (job.isCancelled()) {
                    Log.info("job {0} was stopped or its lease lost; result not posted", job.id());
                    continue;
                }
                postResult(job, failure == null ? outputs.get(i) : null, failure);
            }
        } finally {
            batch.forEach(j -> active.remove(j.id(), j));
            slots.release();
        }
    }

    // ---------------------------------------------------------------- run and post

    private void run(RunningJob job) {
        try {
            Object result = null;
            Throwable failure = null;
            if (!job.isCancelled()) {
                try {
                    result = invoker.invoke(job);
                } catch (Throwable t) {
                    failure = t;
                }
            }
            // A handler may leave its interrupt flag set; that must not abort the result post. Cleared before the
            // check so that a stop arriving after it still interrupts (and so drops) the post.
            Thread.interrupted();
            if (job.isCancelled()) {
                Log.info("job {0} was stopped or its lease lost; result not posted", job.id());
                return;
            }
            postResult(job, streaming && failure == null ? job.chunks() : result, failure);
        } finally {
            active.remove(job.id(), job);
            if (job.holdsSlot()) {
                slots.release();
            }
        }
    }

    private void postResult(RunningJob job, Object result, Throwable failure) {
        byte[] body;
        if (failure != null) {
            body = payloads.error(failure);
        } else {
            try {
                body = payloads.output(result);
            } catch (JsonProcessingException | RuntimeException e) {
                body = payloads.error(new IllegalStateException(
                        "handler output cannot be serialized as JSON: " + e.getMessage(), e));
            }
        }
        // isStream=true tells the control plane the chunks it already has are this output (runpod-python's flag).
        boolean isStream = streaming && failure == null;
        Delivery.Result r = post(job, isStream, body);
        if (r == null) {
            return;
        }
        switch (r.outcome()) {
            case DELIVERED -> Log.debug("job {0} done", job.id());
            case LEASE_LOST -> Log.info("job {0}: this worker no longer holds it (HTTP 409); result dropped",
                    job.id());
            case REVOKED -> revoked();
            case REJECTED -> {
                Log.warn("job {0}: result refused: {1}", job.id(), r.detail());
                if (failure == null) {
                    // Fail the job with the reason rather than leave it to time out (for example a too large output).
                    post(job, false, payloads.error("ResultRejected",
                            "the control plane refused the result: " + r.detail(), ""));
                }
            }
            case UNREACHABLE -> Log.error("job {0}: result not delivered after {1} attempts: {2}",
                    job.id(), options.resultAttempts(), r.detail());
        }
    }

    /** Posts to job-done with retries; null when the job was stopped while posting. */
    private Delivery.Result post(RunningJob job, boolean isStream, byte[] body) {
        try {
            return deliver(() -> plane.postDone(job.id(), isStream, body));
        } catch (InterruptedException e) {
            Log.info("job {0} was stopped while its result was posted", job.id());
            return null;
        }
    }

    Delivery.Result deliver(Delivery.Call call) throws InterruptedException {
        return Delivery.send(call, options.resultAttempts(), options.retryBackoff());
    }

    // ---------------------------------------------------------------- stop channel and heartbeat

    private void stopLoop() {
        while (!Thread.currentThread().isInterrupted()) {
            long started = System.nanoTime();
            try {
                ControlPlane.Reply r = plane.pollStops();
                if (r.status() == 200) {
                    List<String> ids = parseStops(r);
                    ids.forEach(this::stop);
                    if (ids.isEmpty()) {
                        pauseIfQuick(started);
                    }
                } else if (r.status() == 204) {
                    pauseIfQuick(started);
                } else {
                    if (r.status() == 401) {
                        revoked();
                    } else {
                        Log.debug("stop channel answered HTTP {0}", r.status());
                    }
                    Thread.sleep(options.pollBackoff());
                }
            } catch (HttpTimeoutException e) {
                // The long-poll outlived its timeout: poll again.
            } catch (IOException e) {
                Log.debug("stop channel failed: {0}", e.toString());
                if (!pause(errorBackoff())) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                Log.error("stop channel failed unexpectedly", e);
                if (!pause(options.pollBackoff())) {
                    return;
                }
            }
        }
    }

    private List<String> parseStops(ControlPlane.Reply r) {
        try {
            JsonNode ids = json().readTree(r.body()).path("jobsToStop");
            List<String> out = new ArrayList<>(ids.size());
            ids.forEach(id -> out.add(id.asText()));
            return out;
        } catch (IOException | NullPointerException e) {
            Log.warn("stop channel answered a body that is not a stop list: {0}", r.text());
            return List.of();
        }
    }

    private void stop(String jobId) {
        RunningJob job = active.get(jobId);
        if (job != null) {
            Log.info("job {0} stopped by the control plane", jobId);
            job.cancel();
        }
    }

    private void pingLoop() {
        long interval = options.getPingInterval().toNanos();
        while (true) {
            long started = System.nanoTime();
            try {
                ControlPlane.Reply r = plane.ping(List.copyOf(active.keySet()));
                if (r.status() == 401) {
                    revoked();
                } else if (!r.ok()) {
                    Log.debug("heartbeat answered HTTP {0}", r.status());
                }
            } catch (IOException e) {
                Log.debug("heartbeat failed: {0}", e.toString());
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                Log.error("heartbeat failed unexpectedly", e);
            }
            // Fixed rate rather than fixed delay: a slow ping must not stretch the lease renewal period.
            long left = interval - (System.nanoTime() - started);
            if (left > 0 && !pause(Duration.ofNanos(left))) {
                return;
            }
        }
    }

    // ---------------------------------------------------------------- shutdown

    /** The control plane answered 401: this worker's token is no longer valid, so nothing it posts will count. */
    void revoked() {
        if (revoked.compareAndSet(false, true)) {
            Log.warn("worker {0} was revoked by the control plane (HTTP 401); stopping",
                    options.getWorkerId());
        }
        shutdown();
    }

    private void drain() {
        joinQuietly(taker);
        // The taker has stopped, so no job can be added: wait for those in flight, which post their own results.
        for (RunningJob job : active.values()) {
            joinQuietly(job.thread());
        }
        // Leases and stops matter until the last result is posted; only now end the heartbeat and stop channel.
        for (Thread t : new Thread[] {stopper, pinger}) {
            if (t != null) {
                t.interrupt();
                joinQuietly(t);
            }
        }
        plane.close();
        state.set(State.TERMINATED);
        Log.info("worker {0} stopped", options.getWorkerId());
        terminated.countDown();
    }

    private static void joinQuietly(Thread t) {
        boolean interrupted = false;
        while (t != null) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- helpers

    /** A control plane that answers "nothing" at once instead of long-polling must not make the worker spin. */
    private static void pauseIfQuick(long startedNanos) throws InterruptedException {
        long left = MIN_EMPTY_POLL.toNanos() - (System.nanoTime() - startedNanos);
        if (left > 0) {
            Thread.sleep(Duration.ofNanos(left));
        }
    }

    /** Sleeps; false when interrupted (the loop should end). */
    private static boolean pause(Duration d) {
        try {
            Thread.sleep(d);
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    private Duration errorBackoff() {
        Duration second = Duration.ofSeconds(1);
        return options.pollBackoff().compareTo(second) < 0 ? options.pollBackoff() : second;
    }

    ObjectMapper json() {
        return options.getObjectMapper();
    }

    Payloads payloads() {
        return payloads;
    }

    ControlPlane plane() {
        return plane;
    }
}
