package dev.hearth.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.hearth.jobs.Job;
import dev.hearth.jobs.JobState;
import dev.hearth.replicate.WebhookEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A prediction's webhook events, as its {@code webhook_events_filter} asks: {@code start} when it is made,
 * {@code output} and {@code logs} while it runs (looked at every 500 ms, sent when they grew), {@code completed} when
 * it ends. Each body is the prediction object; one prediction's events are sent in order, on virtual threads.
 */
final class PredictionWebhooks {

    static final Duration INTERVAL = Duration.ofMillis(500);
    private static final Logger LOG = Logger.getLogger(PredictionWebhooks.class.getName());

    /** A live prediction's webhook: what it last sent, and its events in order. */
    private static final class Hook {
        final Replicate.Meta meta;
        String lastOutput;
        String lastLogs = "";
        Instant lastSent = Instant.MIN;
        int sent;
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);

        Hook(Replicate.Meta meta) {
            this.meta = meta;
        }
    }

    private final Replicate replicate;
    private final ConcurrentHashMap<String, Hook> hooks = new ConcurrentHashMap<>();
    private final ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor();

    PredictionWebhooks(Replicate replicate, ScheduledExecutorService timer) {
        this.replicate = replicate;
        timer.scheduleWithFixedDelay(this::sendProgress, INTERVAL.toMillis(), INTERVAL.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** A new prediction with a webhook: its {@code start} event, and its later ones from now on. */
    void watch(Job job, Replicate.Meta meta) {
        Hook hook = new Hook(meta);
        hooks.put(job.id(), hook);
        if (meta.events().contains(WebhookEvent.START)) {
            send(hook, job, "start", false);
        }
        // it may have ended before it was watched, its end then unseen here; finished() sends it once either way
        replicate.jobs.find(job.id()).filter(j -> j.state().isFinal()).ifPresent(this::finished);
    }

    void finished(Job job) {
        Hook hook = hooks.remove(job.id());
        if (hook != null && hook.meta.events().contains(WebhookEvent.COMPLETED)) {
            send(hook, job, "completed", true);
        }
    }

    void removed(Job job) {
        hooks.remove(job.id());
    }

    void close() {
        senders.shutdown();
    }

    /** An {@code output} or {@code logs} event for each running prediction whose output or logs grew. */
    private void sendProgress() {
        try {
            Instant now = replicate.clock.instant();
            for (Map.Entry<String, Hook> e : hooks.entrySet()) {
                Hook h = e.getValue();
                boolean wantsOutput = h.meta.events().contains(WebhookEvent.OUTPUT);
                boolean wantsLogs = h.meta.events().contains(WebhookEvent.LOGS);
                if (!wantsOutput && !wantsLogs || Duration.between(h.lastSent, now).compareTo(INTERVAL) < 0) {
                    continue;
                }
                Optional<Job> job = replicate.jobs.find(e.getKey());
                if (job.isEmpty() || job.get().state() != JobState.IN_PROGRESS) {
                    continue;
                }
                Job j = replicate.jobs.get(e.getKey());
                String output = replicate.output(j, h.meta.base()).toString();
                String logs = wantsLogs ? replicate.logs(j, false) : "";
                boolean outputGrew = wantsOutput && !output.equals("null") && !output.equals(h.lastOutput);
                boolean logsGrew = wantsLogs && !logs.equals(h.lastLogs);
                h.lastOutput = output;
                h.lastLogs = logs;
                if (outputGrew || logsGrew) {
                    h.lastSent = now;
                    send(h, j, outputGrew ? "output" : "logs", false);
                }
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "prediction webhook events failed; they are tried again shortly", e);
        }
    }

    /**
     * Queues the event behind the prediction's earlier ones. The body is made on the sender's thread: reading the
     * logs must not hold up the job path this may be called on. Only {@code completed} is retried.
     */
    private void send(Hook hook, Job job, String event, boolean retry) {
        synchronized (hook) {
            String id = "msg_" + job.id() + "_" + event + "_" + (++hook.sent);
            hook.chain = hook.chain.thenRunAsync(() -> {
                byte[] body;
                try {
                    // the prediction as it is when sent (with a running job's latest progress); the final one as it ended
                    Job now = event.equals("completed") ? job
                            : replicate.jobs.find(job.id()).map(j -> replicate.jobs.get(j.id())).orElse(job);
                    body = Json.MAPPER.writeValueAsBytes(replicate.view(now, hook.meta.base(), Replicate.Logs.ALL));
                } catch (JsonProcessingException | RuntimeException e) {
                    LOG.log(Level.WARNING, "cannot make the " + event + " event of prediction " + job.id(), e);
                    return;
                }
                replicate.webhooks.sendUnstored(job.id(), id, hook.meta.webhook(), body, retry);
            }, senders);
        }
    }
}
