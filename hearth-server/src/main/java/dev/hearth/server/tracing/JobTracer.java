package dev.hearth.server.tracing;

import dev.hearth.jobs.Job;
import dev.hearth.server.jobs.JobEvents;
import dev.hearth.server.tracing.OtlpHttpExporter.Attribute;
import dev.hearth.server.tracing.OtlpHttpExporter.Span;
import dev.hearth.server.workers.Worker;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One trace per job through the control plane: a root span {@code job <function>} from submission to the final
 * state, and under it, per attempt, {@code queued} (waiting for a worker), {@code worker start} (the cold start the
 * job waited for, if any) and {@code run} (leased to a worker until its result or loss). Attributes name the function,
 * version, job, worker, node and attempt. Exists only when an OTLP endpoint is configured.
 */
public final class JobTracer implements JobEvents, AutoCloseable {

    /** Jobs traced at once; beyond that new jobs go untraced rather than memory growing without bound. */
    private static final int MAX_OPEN = 100_000;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();

    private final OtlpHttpExporter exporter;
    private final InstantSource clock;
    private final ConcurrentHashMap<String, Trace> open = new ConcurrentHashMap<>();

    /** A job's trace so far: its ids, when the current wait began, and the running attempt. */
    private static final class Trace {
        final String traceId = id(16);
        final String rootId = id(8);
        final Instant start;
        Instant waitingSince;
        Run run;

        Trace(Instant start) {
            this.start = start;
            this.waitingSince = start;
        }
    }

    private record Run(String spanId, Instant start, List<Attribute> attributes) {
    }

    public JobTracer(OtlpHttpExporter exporter, InstantSource clock) {
        this.exporter = exporter;
        this.clock = clock;
    }

    @Override
    public void submitted(Job job) {
        if (open.size() < MAX_OPEN) {
            open.put(job.id(), new Trace(job.queuedAt()));
        }
    }

    @Override
    public void started(Job job, Worker worker) {
        // jobs recovered after a restart were submitted to the previous control plane: their trace starts here
        Trace t = open.computeIfAbsent(job.id(), k -> new Trace(job.queuedAt()));
        synchronized (t) {
            Instant now = job.placedAt();
            exporter.export(new Span(t.traceId, id(8), t.rootId, "queued", t.waitingSince, now,
                    List.of(attr("hearth.job.attempt", job.attempts())), null));
            String node = worker.node();
            if (job.coldStart() && worker.readyAt() != null) {
                exporter.export(new Span(t.traceId, id(8), t.rootId, "worker start", worker.startedAt(),
                        worker.readyAt(), List.of(attr("hearth.worker.id", worker.id()), attr("hearth.node", node)),
                        null));
            }
            t.run = new Run(id(8), now, List.of(attr("hearth.job.attempt", job.attempts()),
                    attr("hearth.worker.id", worker.id()), attr("hearth.node", node),
                    attr("hearth.function.version", worker.version()), attr("hearth.cold_start", job.coldStart())));
        }
    }

    @Override
    public void requeued(Job job, String reason) {
        Trace t = open.get(job.id());
        if (t == null) {
            return;
        }
        synchronized (t) {
            Instant now = clock.instant();
            endRun(t, now, "requeued: " + reason);
            t.waitingSince = now;
        }
    }

    @Override
    public void removed(Job job) {
        open.remove(job.id());
    }

    @Override
    public void finished(Job job) {
        Trace t = open.remove(job.id());
        if (t == null) {
            return;
        }
        synchronized (t) {
            Instant end = job.finishedAt() != null ? job.finishedAt() : clock.instant();
            String error = switch (job.state()) {
                case COMPLETED, CANCELLED -> null;
                default -> job.error() != null ? job.error() : job.state().name();
            };
            if (t.run == null) {
                exporter.export(new Span(t.traceId, id(8), t.rootId, "queued", t.waitingSince, end,
                        List.of(attr("hearth.job.attempt", job.attempts())), null));
            }
            endRun(t, end, error);
            exporter.export(new Span(t.traceId, t.rootId, null, "job " + job.function(), t.start, end,
                    List.of(attr("hearth.function", job.function()), attr("hearth.function.version", job.version()),
                            attr("hearth.job.id", job.id()), attr("hearth.job.status", job.state().name()),
                            attr("hearth.job.attempts", job.attempts())), error));
        }
    }

    private void endRun(Trace t, Instant end, String error) {
        if (t.run != null) {
            exporter.export(new Span(t.traceId, t.run.spanId(), t.rootId, "run", t.run.start(), end,
                    t.run.attributes(), error));
            t.run = null;
        }
    }

    @Override
    public void close() {
        exporter.close();
    }

    private static Attribute attr(String key, Object value) {
        return new Attribute(key, value);
    }

    private static String id(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HEX.formatHex(b);
    }
}
