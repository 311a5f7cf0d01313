package dev.hearth.server.tracing;

import dev.hearth.jobs.Job;
import dev.hearth.server.jobs.JobEvents;
import dev.hearth.server.workers.Worker;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One trace per job through the control plane: a root span {@code job <function>} from submission to the final
 * state, and under it, per attempt, {@code queued} (waiting for a worker), {@code worker start} (the cold start the
 * job waited for, if any) and {@code run} (leased to a worker until its result or loss). Attributes name the function,
 * version, job, worker, node and attempt. Exists only when an OTLP endpoint is configured; spans go out through the
 * OpenTelemetry SDK (see {@link OtlpTracing}).
 */
public final class JobTracer implements JobEvents, AutoCloseable {

    /** Jobs traced at once; beyond that new jobs go untraced rather than memory growing without bound. */
    private static final int MAX_OPEN = 100_000;

    private final SdkTracerProvider provider;
    private final Tracer tracer;
    private final InstantSource clock;
    private final ConcurrentHashMap<String, Trace> open = new ConcurrentHashMap<>();

    /** A job's trace so far: its root span (ended with the job), when the current wait began, the running attempt. */
    private static final class Trace {
        final Span root;
        final Context context;
        Instant waitingSince;
        Span run;

        Trace(Span root, Instant start) {
            this.root = root;
            this.context = Context.root().with(root);
            this.waitingSince = start;
        }
    }

    /** Traces of jobs exported to the OTLP collector at {@code endpoint}; see {@link OtlpTracing#tracesUrl}. */
    public static JobTracer toOtlp(String endpoint, InstantSource clock) {
        return new JobTracer(OtlpTracing.provider(endpoint), clock);
    }

    JobTracer(SdkTracerProvider provider, InstantSource clock) {
        this.provider = provider;
        this.tracer = provider.get("dev.hearth.server");
        this.clock = clock;
    }

    @Override
    public void submitted(Job job) {
        if (open.size() < MAX_OPEN) {
            open.put(job.id(), begin(job));
        }
    }

    @Override
    public void started(Job job, Worker worker) {
        // jobs recovered after a restart were submitted to the previous control plane: their trace starts here
        Trace t = open.computeIfAbsent(job.id(), k -> begin(job));
        synchronized (t) {
            Instant now = job.placedAt();
            end(step(t, "queued", t.waitingSince).setAttribute("hearth.job.attempt", job.attempts()).startSpan(),
                    now, null);
            String node = worker.node();
            if (job.coldStart() && worker.readyAt() != null) {
                end(step(t, "worker start", worker.startedAt()).setAllAttributes(attributes(node)
                        .put("hearth.worker.id", worker.id()).build()).startSpan(), worker.readyAt(), null);
            }
            t.run = step(t, "run", now).setAllAttributes(attributes(node)
                    .put("hearth.job.attempt", job.attempts()).put("hearth.worker.id", worker.id())
                    .put("hearth.function.version", worker.version()).put("hearth.cold_start", job.coldStart())
                    .build()).startSpan();
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
        open.remove(job.id()); // its spans are never ended, so never exported
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
                end(step(t, "queued", t.waitingSince).setAttribute("hearth.job.attempt", job.attempts()).startSpan(),
                        end, null);
            }
            endRun(t, end, error);
            t.root.setAllAttributes(Attributes.builder().put("hearth.function", job.function())
                    .put("hearth.function.version", job.version()).put("hearth.job.id", job.id())
                    .put("hearth.job.status", job.state().name()).put("hearth.job.attempts", job.attempts()).build());
            end(t.root, end, error);
        }
    }

    private Trace begin(Job job) {
        Span root = tracer.spanBuilder("job " + job.function()).setNoParent().setSpanKind(SpanKind.SERVER)
                .setStartTimestamp(job.queuedAt()).startSpan();
        return new Trace(root, job.queuedAt());
    }

    private SpanBuilder step(Trace t, String name, Instant start) {
        return tracer.spanBuilder(name).setParent(t.context).setSpanKind(SpanKind.INTERNAL).setStartTimestamp(start);
    }

    private static void endRun(Trace t, Instant end, String error) {
        if (t.run != null) {
            end(t.run, end, error);
            t.run = null;
        }
    }

    private static void end(Span span, Instant end, String error) {
        if (error == null) {
            span.setStatus(StatusCode.OK);
        } else {
            span.setStatus(StatusCode.ERROR, error);
        }
        span.end(end);
    }

    /** Attributes with the worker's node, when it has one. */
    private static AttributesBuilder attributes(String node) {
        AttributesBuilder b = Attributes.builder();
        return node == null ? b : b.put("hearth.node", node);
    }

    /** Sends the spans still queued (for at most 10 s), then stops. */
    @Override
    public void close() {
        provider.shutdown().join(10, TimeUnit.SECONDS);
    }
}
