package dev.hearth.worker;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;

/**
 * The HTTP calls of the worker protocol, with the URL templates resolved once. No policy here (retries, backoff,
 * what a status means): that lives with the callers.
 */
final class ControlPlane implements AutoCloseable {

    /** A status and body; bodies are small JSON documents (jobs, stop lists, acknowledgements). */
    record Reply(int status, byte[] body) {

        boolean ok() {
            return status >= 200 && status < 300;
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private static final Duration POST_TIMEOUT = Duration.ofMinutes(2);

    private final HttpClient http;
    private final String takeUrl;
    private final String batchUrl;
    private final String stopUrl;
    private final String doneTemplate;
    private final String streamTemplate;
    private final String pingUrl;
    private final String apiKey;
    private final String userAgent = Version.TAG;
    private final Duration pollTimeout;
    private final Duration pingTimeout;

    ControlPlane(WorkerOptions o) {
        String worker = o.getWorkerId();
        this.takeUrl = o.getJobTakeUrl().replace("$ID", worker);
        // Batch takes and the stop channel are siblings of job-take; a take URL of another shape has neither.
        boolean standard = takeUrl.contains("/job-take/");
        this.batchUrl = standard ? takeUrl.replace("/job-take/", "/job-take-batch/") : null;
        this.stopUrl = standard ? takeUrl.replace("/job-take/", "/job-stop/") : null;
        // $RUNPOD_POD_ID first: the job id is substituted per request and must not be scanned for placeholders.
        this.doneTemplate = o.getJobDoneUrl().replace("$RUNPOD_POD_ID", worker);
        this.streamTemplate = o.getJobStreamUrl().map(u -> u.replace("$RUNPOD_POD_ID", worker)).orElse(null);
        this.pingUrl = o.getPingUrl().map(u -> u.replace("$RUNPOD_POD_ID", worker)).orElse(null);
        this.apiKey = o.getApiKey().orElse(null);
        this.pollTimeout = o.pollTimeout();
        this.pingTimeout = o.getPingInterval().compareTo(Duration.ofSeconds(2)) < 0
                ? Duration.ofSeconds(2) : o.getPingInterval();
        // HTTP/1.1 with keep-alive: the control plane speaks plain HTTP and h2c upgrades only cost a round trip.
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    boolean canBatch() {
        return batchUrl != null;
    }

    boolean hasStopChannel() {
        return stopUrl != null;
    }

    boolean hasStream() {
        return streamTemplate != null;
    }

    boolean hasPing() {
        return pingUrl != null;
    }

    /** Long-polls for up to {@code n} jobs: one JSON object from job-take, a JSON list from job-take-batch. */
    Reply take(int n, boolean jobInProgress) throws IOException, InterruptedException {
        String inProgress = "job_in_progress=" + (jobInProgress ? "1" : "0");
        String url = n > 1 && batchUrl != null
                ? withQuery(batchUrl, "batch_size=" + n + "&" + inProgress)
                : withQuery(takeUrl, inProgress);
        return send(get(url, pollTimeout));
    }

    /** Long-polls the stop channel. */
    Reply pollStops() throws IOException, InterruptedException {
        return send(get(stopUrl, pollTimeout));
    }

    /** Posts a result or progress update for a job. */
    Reply postDone(String jobId, boolean isStream, byte[] body) throws IOException, InterruptedException {
        String url = withQuery(doneTemplate.replace("$ID", pathSegment(jobId)), "isStream=" + isStream);
        return send(post(url, jobId, body));
    }

    /** Posts one stream chunk for a job. */
    Reply postStream(String jobId, byte[] body) throws IOException, InterruptedException {
        String url = withQuery(streamTemplate.replace("$ID", pathSegment(jobId)), "isStream=false");
        return send(post(url, jobId, body));
    }

    /** Sends a heartbeat that renews the leases of {@code jobIds}. */
    Reply ping(Collection<String> jobIds) throws IOException, InterruptedException {
        StringBuilder q = new StringBuilder();
        if (!jobIds.isEmpty()) {
            // Omitted when idle, as runpod-python does.
            q.append("job_id=").append(URLEncoder.encode(String.join(",", jobIds), StandardCharsets.UTF_8))
                    .append('&');
        }
        q.append("runpod_version=").append(URLEncoder.encode(Version.TAG, StandardCharsets.UTF_8));
        return send(get(withQuery(pingUrl, q.toString()), pingTimeout));
    }

    private HttpRequest get(String url, Duration timeout) {
        return base(url, timeout).GET().build();
    }

    private HttpRequest post(String url, String jobId, byte[] body) {
        return base(url, POST_TIMEOUT)
                .header("Content-Type", "application/json")
                .header("X-Request-ID", jobId)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
    }

    private HttpRequest.Builder base(String url, Duration timeout) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(timeout).header("User-Agent", userAgent);
        if (apiKey != null) {
            b.header("Authorization", apiKey);
        }
        return b;
    }

    private Reply send(HttpRequest request) throws IOException, InterruptedException {
        // An interrupt cancels the exchange (JDK 16+), which is how shutdown ends a long-poll early.
        HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        return new Reply(r.statusCode(), r.body());
    }

    /** Appends query parameters whether or not the template already has a query (Hearth's always do). */
    static String withQuery(String url, String query) {
        return url + (url.indexOf('?') < 0 ? '?' : '&') + query;
    }

    /** Job ids are server-made and URL-safe in practice; encode only when one is not. */
    static String pathSegment(String id) {
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == '~';
            if (!safe) {
                return URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
            }
        }
        return id;
    }

    @Override
    public void close() {
        // Nothing of value is in flight by now (results are posted before close); don't wait for stragglers.
        http.shutdownNow();
    }
}
