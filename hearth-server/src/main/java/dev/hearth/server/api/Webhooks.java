package dev.hearth.server.api;

import dev.hearth.jobs.Job;
import dev.hearth.server.jobs.JobEvents;
import dev.hearth.server.logging.LogContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.Semaphore;
import java.util.logging.Logger;

/**
 * Delivers a job's final status object to its {@code webhook}, as RunPod does: a non-2xx answer is retried twice,
 * 10 s apart. Deliveries run on virtual threads, at most 256 at once, so slow receivers never slow the job path.
 */
public final class Webhooks implements JobEvents {

    private static final Logger LOG = Logger.getLogger(Webhooks.class.getName());
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Semaphore inFlight = new Semaphore(256);
    private final InstantSource clock;
    private final Duration retryDelay;

    public Webhooks(InstantSource clock, Duration retryDelay) {
        this.clock = clock;
        this.retryDelay = retryDelay;
    }

    @Override
    public void finished(Job job) {
        if (job.webhook() == null) {
            return;
        }
        byte[] body;
        try {
            body = Json.MAPPER.writeValueAsBytes(StatusView.of(job, clock.instant(), null));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return;
        }
        Thread.ofVirtual().name("webhook-" + job.id()).start(() -> LogContext.of(job.function(), job.id(), null)
                .run(() -> deliver(job, body)));
    }

    private void deliver(Job job, byte[] body) {
        if (!inFlight.tryAcquire()) {
            LOG.warning("webhook for job " + job.id() + " dropped: too many deliveries in flight");
            return;
        }
        try {
            for (int attempt = 1; attempt <= 3; attempt++) {
                try {
                    HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(job.webhook()))
                            .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                            HttpResponse.BodyHandlers.discarding());
                    if (r.statusCode() / 100 == 2) {
                        return;
                    }
                    LOG.info("webhook for job " + job.id() + " answered " + r.statusCode() + " (attempt " + attempt
                            + " of 3)");
                } catch (java.io.IOException e) {
                    LOG.info("webhook for job " + job.id() + " failed: " + e.getMessage() + " (attempt " + attempt
                            + " of 3)");
                }
                if (attempt < 3) {
                    Thread.sleep(retryDelay);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            inFlight.release();
        }
    }
}
