package dev.hearth.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.jobs.Job;
import dev.hearth.jobs.JobStore;
import dev.hearth.server.jobs.JobEvents;
import dev.hearth.webhooks.DeliveryState;
import dev.hearth.webhooks.WebhookDelivery;
import dev.hearth.webhooks.WebhookDeliveryStore;
import dev.hearth.webhooks.WebhookRetryPolicy;
import dev.hearth.webhooks.WebhookTargets;
import dev.hearth.time.Ticker;
import java.io.IOException;
import dev.hearth.server.logging.LogContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.logging.Logger;

/**
 * Delivers a job's final status object to its {@code webhook}, signed as Standard Webhooks (and Replicate) do:
 * {@code webhook-id} (the same for every attempt of one event), {@code webhook-timestamp} and
 * {@code webhook-signature: v1,<base64 HMAC-SHA256 of id.timestamp.body>} under the server's {@link WebhookSecret}.
 * A non-2xx answer or a connection error is tried again with the {@link WebhookRetryPolicy}'s backoff.
 *
 * <p>Each delivery's progress is stored (pending, delivered, failed; attempts, last status, last error), shown on the
 * job's status object, and resumed after a restart. Deliveries run on virtual threads, at most 256 sending at once,
 * so slow receivers never slow the job path. Alert notifications go the same way ({@link #send}), their progress kept
 * with the alert's event instead.
 */
public final class Webhooks implements JobEvents {

    private static final Logger LOG = Logger.getLogger(Webhooks.class.getName());
    private static final int MAX_SENDING = 256;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Semaphore sending = new Semaphore(MAX_SENDING);
    private final WebhookDeliveryStore deliveries;
    private final JobStore jobs;
    private final WebhookSecret secret;
    private final WebhookTargets targets;
    private final WebhookRetryPolicy policy;
    private final Ticker clock;
    private volatile boolean closed;

    public Webhooks(WebhookDeliveryStore deliveries, JobStore jobs, WebhookSecret secret, WebhookTargets targets,
                    WebhookRetryPolicy policy, Ticker clock) {
        this.deliveries = deliveries;
        this.targets = targets;
        this.jobs = jobs;
        this.secret = secret;
        this.policy = policy;
        this.clock = clock;
    }

    @Override
    public void finished(Job job) {
        if (job.webhook() == null || closed) {
            return;
        }
        byte[] body = body(job);
        WebhookDelivery first = WebhookDelivery.pending(job.id(), webhookId(job), job.webhook(), clock.instant());
        Thread.ofVirtual().name("webhook-" + job.id()).start(() -> LogContext.of(job.function(), job.id(), null)
                .run(() -> deliver(first, body, deliveries::save)));
    }

    /**
     * Sends one event that is not stored, signed as every webhook is, and returns once it was delivered or given up:
     * a Replicate prediction's events. {@code retry}: tried again with the same backoff while this control plane
     * runs (a prediction's {@code completed} event); else sent once.
     */
    void sendUnstored(String jobId, String webhookId, String url, byte[] body, boolean retry) {
        if (closed) {
            return;
        }
        WebhookDelivery first = WebhookDelivery.pending(jobId, webhookId, url, clock.instant());
        if (retry) {
            deliver(first, body, d -> { });
            return;
        }
        try {
            attempt(first, body);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Sends an event that is not a job's (an alert's firing or resolution) to {@code url}: signed and retried as a
     * job's webhook is, with {@code webhookId} on every attempt. Its progress goes to {@code progress} after each
     * attempt instead of the job deliveries, and a delivery cut short by a stop is not resumed.
     *
     * @param subject names the event in the server log, e.g. {@code alert slow-echo}
     */
    public void send(String subject, String webhookId, String url, byte[] body,
                     java.util.function.Consumer<WebhookDelivery> progress) {
        if (closed) {
            return;
        }
        WebhookDelivery first = WebhookDelivery.pending(subject, webhookId, url, clock.instant());
        Thread.ofVirtual().name("webhook-" + subject).start(() -> deliver(first, body, progress));
    }

    /** Resumes deliveries left pending by a previous run; returns how many. */
    public int resume() {
        int n = 0;
        for (WebhookDelivery d : deliveries.pending()) {
            Optional<Job> job = jobs.find(d.jobId())
                    .filter(j -> j.state().isFinal() && d.webhookId().equals(webhookId(j)));
            if (job.isEmpty()) {
                deliveries.save(new WebhookDelivery(d.jobId(), d.webhookId(), d.url(), DeliveryState.FAILED,
                        d.attempts(), d.lastStatusCode(), "the job changed or is gone; this event is no longer sent",
                        null, clock.instant()));
                continue;
            }
            byte[] body = body(job.get());
            Thread.ofVirtual().name("webhook-" + d.jobId()).start(() -> deliver(d, body, deliveries::save));
            n++;
        }
        return n;
    }

    /** The delivery of the job's latest event, if it has a webhook. */
    public Optional<WebhookDelivery> delivery(String jobId) {
        return deliveries.find(jobId);
    }

    /** The secret receivers verify signatures with. */
    public String secret() {
        return secret.value();
    }

    /** Stops sending; deliveries still pending are resumed by the next start. */
    public void close() {
        closed = true;
    }

    /** The delivery as the status object shows it. */
    static ObjectNode view(WebhookDelivery d) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("id", d.webhookId());
        n.put("status", d.state().name().toLowerCase(Locale.ROOT));
        n.put("attempts", d.attempts());
        if (d.lastStatusCode() != null) {
            n.put("lastStatusCode", d.lastStatusCode());
        }
        if (d.lastError() != null) {
            n.put("lastError", d.lastError());
        }
        if (d.nextAttemptAt() != null && d.state() == DeliveryState.PENDING) {
            n.put("nextAttemptAt", d.nextAttemptAt().toString());
        }
        return n;
    }

    /** Stable per job and event: a job retried after FAILED that ends again sends a new event. */
    static String webhookId(Job job) {
        return "msg_" + job.id() + "_" + job.state().name().toLowerCase(Locale.ROOT) + "_"
                + (job.finishedAt() == null ? 0 : job.finishedAt().toEpochMilli());
    }

    private byte[] body(Job job) {
        try {
            return Json.MAPPER.writeValueAsBytes(StatusView.of(job, clock.instant(), null));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private void deliver(WebhookDelivery start, byte[] body, java.util.function.Consumer<WebhookDelivery> save) {
        WebhookDelivery d = start;
        try {
            if (d.attempts() == 0) {
                save.accept(d);
            }
            while (d.state() == DeliveryState.PENDING && !closed) {
                Duration wait = Duration.between(clock.instant(), d.nextAttemptAt());
                if (wait.isPositive()) {
                    clock.sleep(wait);
                }
                if (closed) {
                    return;
                }
                d = attempt(d, body);
                save.accept(d);
            }
            if (d.state() == DeliveryState.FAILED) {
                LOG.warning("webhook for " + d.jobId() + " failed after " + d.attempts() + " attempts: "
                        + d.lastError());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // the store is closing under a shutdown: the delivery stays pending and resumes at the next start
            LOG.info("webhook delivery for " + d.jobId() + " interrupted: " + e.getMessage());
        }
    }

    /** Where webhooks may go: URLs are checked against it when given, and their addresses before each delivery. */
    public WebhookTargets targets() {
        return targets;
    }

    private WebhookDelivery attempt(WebhookDelivery d, byte[] body) throws InterruptedException {
        sending.acquire();
        try {
            Optional<String> refused = targets.refusal(URI.create(d.url()), WebhookTargets.SYSTEM);
            if (refused.isPresent()) {
                return policy.refused(d, "refused: " + d.url() + " " + refused.get());
            }
            long timestamp = clock.instant().getEpochSecond();
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(d.url()))
                    .timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .header("webhook-id", d.webhookId())
                    .header("webhook-timestamp", Long.toString(timestamp))
                    .header("webhook-signature", secret.sign(d.webhookId(), timestamp, body))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                    HttpResponse.BodyHandlers.discarding());
            return policy.answered(d, r.statusCode());
        } catch (IOException e) {
            return policy.unreachable(d, e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        } catch (IllegalArgumentException e) {
            return policy.unreachable(d, "bad webhook URL: " + e.getMessage());
        } finally {
            sending.release();
        }
    }
}
