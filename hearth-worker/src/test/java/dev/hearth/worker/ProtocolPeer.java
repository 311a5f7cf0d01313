package dev.hearth.worker;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;

/**
 * A scripted control plane for function {@code echo}: hands out the jobs and stop lists a test queues, answers
 * results as the test says, and records every request.
 */
final class ProtocolPeer implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String WORKER_ID = "w-1";
    static final String TOKEN = "worker-token";

    /** One request as it arrived. */
    record Recorded(String method, String kind, String path, String query, Map<String, String> headers, String body) {

        String header(String name) {
            return headers.get(name.toLowerCase());
        }

        String param(String name) {
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0 && pair.substring(0, eq).equals(name)) {
                    return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                }
            }
            return null;
        }

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** The job id at the end of a job-done or job-stream path. */
        String jobId() {
            return path.substring(path.lastIndexOf('/') + 1);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final LinkedBlockingQueue<String> jobs = new LinkedBlockingQueue<>();
    private final LinkedBlockingQueue<List<String>> stops = new LinkedBlockingQueue<>();
    private final List<Recorded> requests = new CopyOnWriteArrayList<>();
    /** Statuses to answer job takes with before any job is handed out, e.g. 429. */
    final ConcurrentLinkedQueue<Integer> takeStatuses = new ConcurrentLinkedQueue<>();
    /** The status each job-done post gets. */
    volatile ToIntFunction<Recorded> doneStatus = r -> 200;
    // Short long-polls: a closed test must not leave handlers waiting long.
    private final Duration longPoll = Duration.ofSeconds(2);

    ProtocolPeer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/v2/echo/", ex -> {
            try (ex) {
                handle(ex);
            } catch (IOException | InterruptedException e) {
                // The worker hung up (a cancelled long-poll) or the peer is closing.
            }
        });
        server.start();
    }

    String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The variables the control plane would set for worker {@code w-1} of function {@code echo}. */
    Map<String, String> env() {
        String b = base() + "/v2/echo";
        return Map.of(
                "RUNPOD_WEBHOOK_GET_JOB", b + "/job-take/$ID?gpu=cpu",
                "RUNPOD_WEBHOOK_POST_OUTPUT", b + "/job-done/$RUNPOD_POD_ID/$ID?gpu=cpu",
                "RUNPOD_WEBHOOK_POST_STREAM", b + "/job-stream/$RUNPOD_POD_ID/$ID?gpu=cpu",
                "RUNPOD_WEBHOOK_PING", b + "/ping/$RUNPOD_POD_ID?gpu=cpu",
                "RUNPOD_PING_INTERVAL", "100",
                "RUNPOD_AI_API_KEY", TOKEN,
                "RUNPOD_POD_ID", WORKER_ID,
                "RUNPOD_ENDPOINT_ID", "echo");
    }

    /** Queues a job; {@code input} is JSON text. */
    void offer(String id, String input) {
        jobs.add("{\"id\":\"" + id + "\",\"input\":" + input + "}");
    }

    /** Tells the worker to stop these jobs on its next stop-channel poll. */
    void stop(String... ids) {
        stops.add(List.of(ids));
    }

    /** The requests of one kind so far: job-take, job-take-batch, job-stop, job-done, job-stream or ping. */
    List<Recorded> requests(String kind) {
        return requests.stream().filter(r -> r.kind().equals(kind)).toList();
    }

    /** The job-done posts for one job so far. */
    List<Recorded> done(String jobId) {
        return requests("job-done").stream().filter(r -> r.jobId().equals(jobId)).toList();
    }

    /** Waits for the first job-done post for a job. */
    Recorded awaitDone(String jobId) {
        await().until(() -> !done(jobId).isEmpty());
        return done(jobId).getFirst();
    }

    private void handle(HttpExchange ex) throws IOException, InterruptedException {
        String path = ex.getRequestURI().getPath();
        String kind = path.split("/")[3];
        Map<String, String> headers = new LinkedHashMap<>();
        ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), v.getFirst()));
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String query = ex.getRequestURI().getRawQuery();
        Recorded r = new Recorded(ex.getRequestMethod(), kind, path, query == null ? "" : query, headers, body);
        requests.add(r);
        switch (kind) {
            case "job-take" -> {
                Integer scripted = takeStatuses.poll();
                if (scripted != null) {
                    respond(ex, scripted, "{}");
                    return;
                }
                String job = jobs.poll(longPoll.toMillis(), TimeUnit.MILLISECONDS);
                respond(ex, job == null ? 204 : 200, job);
            }
            case "job-take-batch" -> {
                String first = jobs.poll(longPoll.toMillis(), TimeUnit.MILLISECONDS);
                if (first == null) {
                    respond(ex, 204, null);
                    return;
                }
                List<String> batch = new ArrayList<>(List.of(first));
                jobs.drainTo(batch, Integer.parseInt(r.param("batch_size")) - 1);
                respond(ex, 200, "[" + String.join(",", batch) + "]");
            }
            case "job-stop" -> {
                List<String> ids = stops.poll(longPoll.toMillis(), TimeUnit.MILLISECONDS);
                respond(ex, ids == null ? 204 : 200, ids == null ? null
                        : JSON.writeValueAsString(Map.of("jobsToStop", ids)));
            }
            case "job-done" -> {
                int status = doneStatus.applyAsInt(r);
                respond(ex, status, status == 200 ? "{\"accepted\":true}" : "{\"status\":" + status + "}");
            }
            default -> respond(ex, 200, "{}");
        }
    }

    private static void respond(HttpExchange ex, int status, String body) throws IOException {
        if (status == 204 || body == null) {
            ex.sendResponseHeaders(status, -1);
            return;
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
