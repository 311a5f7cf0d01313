package dev.hearth.worker;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Posts that must arrive: results and stream chunks. Transient failures (network errors, 5xx, 408, 429) are
 * retried with exponential backoff; the answers that carry meaning end the attempt at once.
 */
final class Delivery {

    enum Outcome {
        /** 2xx. */
        DELIVERED,
        /** 409: this worker no longer holds the job; the result is not wanted. */
        LEASE_LOST,
        /** 401: this worker's token was revoked. */
        REVOKED,
        /** Another 4xx: retrying the same body cannot help. */
        REJECTED,
        /** Every attempt failed transiently. */
        UNREACHABLE
    }

    record Result(Outcome outcome, String detail) {
    }

    @FunctionalInterface
    interface Call {
        ControlPlane.Reply send() throws IOException, InterruptedException;
    }

    private Delivery() {
    }

    static Result send(Call call, int attempts, Duration backoff) throws InterruptedException {
        String last = "";
        for (int attempt = 0; attempt < attempts; attempt++) {
            if (attempt > 0) {
                Thread.sleep(delay(backoff, attempt));
            }
            try {
                ControlPlane.Reply r = call.send();
                int s = r.status();
                if (r.ok()) {
                    return new Result(Outcome.DELIVERED, "");
                } else if (s == 409) {
                    return new Result(Outcome.LEASE_LOST, r.text());
                } else if (s == 401) {
                    return new Result(Outcome.REVOKED, r.text());
                } else if (s >= 500 || s == 408 || s == 429) {
                    last = "HTTP " + s + " " + r.text();
                } else {
                    return new Result(Outcome.REJECTED, "HTTP " + s + " " + r.text());
                }
            } catch (IOException e) {
                last = e.toString();
            }
        }
        return new Result(Outcome.UNREACHABLE, last);
    }

    /** backoff, 2x, 4x, ... with +-20% jitter so that workers hit by the same outage don't retry in lockstep. */
    private static Duration delay(Duration backoff, int attempt) {
        long base = backoff.toNanos() << Math.min(attempt - 1, 20);
        double jitter = 0.8 + 0.4 * ThreadLocalRandom.current().nextDouble();
        return Duration.ofNanos((long) (base * jitter));
    }
}
