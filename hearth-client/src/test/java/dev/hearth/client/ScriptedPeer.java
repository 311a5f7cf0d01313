package dev.hearth.client;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in server that answers from a script: each {@code "METHOD /path"} gets its queued answers in order (the
 * last one repeats), and every request is recorded for the test to inspect.
 */
final class ScriptedPeer implements AutoCloseable {

    record Request(String method, String path, String query, Map<String, List<String>> headers, byte[] body) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().getFirst()).findFirst().orElse(null);
        }

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    record Answer(int status, String contentType, String body) {
    }

    private final HttpServer server;
    private final Map<String, Deque<Answer>> script = new ConcurrentHashMap<>();
    final List<Request> requests = new CopyOnWriteArrayList<>();

    ScriptedPeer() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.start();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    ScriptedPeer on(String methodAndPath, int status, String json) {
        return on(methodAndPath, status, status / 100 == 2 ? "application/json" : "application/problem+json", json);
    }

    ScriptedPeer on(String methodAndPath, int status, String contentType, String body) {
        script.computeIfAbsent(methodAndPath, k -> new ArrayDeque<>()).add(new Answer(status, contentType, body));
        return this;
    }

    Request only(String methodAndPath) {
        List<Request> matching = requests.stream().filter(r -> (r.method() + " " + r.path()).equals(methodAndPath))
                .toList();
        if (matching.size() != 1) {
            throw new AssertionError("expected one " + methodAndPath + ", got " + matching.size() + ": " + requests);
        }
        return matching.getFirst();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getRawPath();
            requests.add(new Request(method, path, exchange.getRequestURI().getRawQuery(),
                    Map.copyOf(exchange.getRequestHeaders()), body));
            Deque<Answer> answers = script.get(method + " " + path);
            Answer answer;
            if (answers == null || answers.isEmpty()) {
                answer = new Answer(404, "application/problem+json",
                        "{\"title\":\"Not Found\",\"status\":404,\"detail\":\"unscripted " + method + " " + path
                                + "\"}");
            } else {
                answer = answers.size() > 1 ? answers.poll() : answers.peek();
            }
            byte[] out = answer.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", answer.contentType());
            exchange.sendResponseHeaders(answer.status(), out.length == 0 ? -1 : out.length);
            if (out.length > 0) {
                exchange.getResponseBody().write(out);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
