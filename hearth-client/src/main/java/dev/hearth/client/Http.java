package dev.hearth.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;

/** The one place that speaks HTTP: authentication, timeouts, and turning failures into the client's exceptions. */
final class Http implements AutoCloseable {

    static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);
    /** Added to a long-poll's server-side wait so the server, not the client, ends the poll. */
    private static final Duration POLL_MARGIN = Duration.ofSeconds(15);

    private final URI base;
    private final String apiKey;
    private final HttpClient client;
    private final ObjectMapper json;

    Http(URI base, String apiKey, ObjectMapper json) {
        this(base, apiKey, json, null);
    }

    /** {@code trust}: the SSL context for an https server with a private CA; null for the JDK's default trust. */
    Http(URI base, String apiKey, ObjectMapper json, javax.net.ssl.SSLContext trust) {
        this.base = withoutTrailingSlash(Objects.requireNonNull(base, "url"));
        this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
        this.json = json;
        // HTTP/1.1: a cleartext HTTP/2 upgrade buys nothing against a local server and some proxies mishandle it.
        HttpClient.Builder b = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10));
        if (trust != null) {
            b.sslContext(trust);
        }
        this.client = b.build();
    }

    URI base() {
        return base;
    }

    ObjectMapper json() {
        return json;
    }

    JsonNode get(String path, Query query) {
        return get(path, query, CALL_TIMEOUT);
    }

    JsonNode get(String path, Query query, Duration timeout) {
        return parse(send(request(path, query, timeout).GET(), "application/json"));
    }

    /** A long-poll: the server holds the request up to {@code wait}. */
    JsonNode poll(String path, Query query, Duration wait) {
        return get(path, query, wait.plus(POLL_MARGIN));
    }

    String getText(String path, Query query) {
        return send(request(path, query, CALL_TIMEOUT).GET(), "text/plain").body();
    }

    JsonNode post(String path, Query query, Object body, Duration timeout) {
        byte[] bytes;
        try {
            bytes = json.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new HearthClientException("cannot write the request as JSON: " + e.getOriginalMessage(), e);
        }
        return post(path, query, bytes, "application/json", timeout);
    }

    JsonNode post(String path, Query query, byte[] body, String contentType, Duration timeout) {
        HttpRequest.Builder b = request(path, query, timeout).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return parse(send(b, "application/json"));
    }

    JsonNode patch(String path, Object body) {
        byte[] bytes;
        try {
            bytes = json.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new HearthClientException("cannot write the request as JSON: " + e.getOriginalMessage(), e);
        }
        return parse(send(request(path, Query.none(), CALL_TIMEOUT).header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(bytes)), "application/json"));
    }

    JsonNode delete(String path) {
        return parse(send(request(path, Query.none(), CALL_TIMEOUT).DELETE(), "application/json"));
    }

    private HttpRequest.Builder request(String path, Query query, Duration timeout) {
        return HttpRequest.newBuilder(URI.create(base + path + query.render()))
                .timeout(timeout)
                .header("Authorization", "Bearer " + apiKey)
                .header("User-Agent", "hearth-java-client");
    }

    /**
     * A POST whose answer may stream progress ({@code application/x-ndjson}): each {@code {"progress": "..."}} line
     * goes to {@code progress}, and the last line's {@code result} field is returned, or its {@code problem} thrown.
     * An answer that is plain JSON (nothing to stream) is returned as is.
     */
    JsonNode postWithProgress(String path, Query query, byte[] body, String contentType, String result,
                              Duration timeout, java.util.function.Consumer<String> progress) {
        HttpRequest request = request(path, query, timeout).header("Content-Type", contentType)
                .header("Accept", "application/x-ndjson, application/json, application/problem+json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        HttpResponse<java.util.stream.Stream<String>> response = exchange(request,
                HttpResponse.BodyHandlers.ofLines());
        try (java.util.stream.Stream<String> lines = response.body()) {
            if (response.statusCode() / 100 != 2) {
                throw problem(response.statusCode(), String.join("\n", lines.toList()));
            }
            if (!response.headers().firstValue("Content-Type").orElse("").startsWith("application/x-ndjson")) {
                return parse(String.join("\n", lines.toList()), request);
            }
            JsonNode last = MissingNode.getInstance();
            for (String line : (Iterable<String>) lines::iterator) {
                if (line.isBlank()) {
                    continue;
                }
                last = parse(line, request);
                if (last.has("progress")) {
                    progress.accept(last.get("progress").asText());
                }
            }
            if (last.has("problem")) {
                JsonNode p = last.get("problem");
                throw new HearthApiException(p.path("status").asInt(500), p.path("title").asText("Error"),
                        p.path("detail").asText());
            }
            if (!last.has(result)) {
                throw new HearthConnectionException(base, false, request.method() + " " + request.uri().getPath()
                        + " to " + base + " ended before its result", null);
            }
            return last.get(result);
        } catch (java.io.UncheckedIOException e) {
            throw new HearthConnectionException(base, false, request.method() + " " + request.uri().getPath()
                    + " to " + base + " failed: " + describe(e.getCause()), e);
        }
    }

    private HttpResponse<String> send(HttpRequest.Builder builder, String accept) {
        HttpRequest request = builder.header("Accept", accept + ", application/problem+json").build();
        HttpResponse<String> response = exchange(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (response.statusCode() / 100 != 2) {
            throw problem(response.statusCode(), response.body());
        }
        return response;
    }

    private <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            return client.send(request, handler);
        } catch (HttpConnectTimeoutException | ConnectException e) {
            throw new HearthConnectionException(base, true, "no Hearth server at " + base, e);
        } catch (HttpTimeoutException e) {
            throw new HearthConnectionException(base, false, request.method() + " " + request.uri().getPath()
                    + " got no answer from " + base + " within " + request.timeout().orElseThrow().toSeconds()
                    + " s", e);
        } catch (IOException e) {
            throw new HearthConnectionException(base, false, request.method() + " " + request.uri().getPath()
                    + " to " + base + " failed: " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HearthClientException("interrupted while waiting for " + base, e);
        }
    }

    private HearthApiException problem(int status, String answer) {
        String body = answer == null ? "" : answer.strip();
        String title = reason(status);
        String detail = null;
        try {
            JsonNode p = body.isEmpty() ? null : json.readTree(body);
            if (p != null && p.isObject()) {
                title = p.hasNonNull("title") ? p.get("title").asText() : title;
                detail = p.hasNonNull("detail") ? p.get("detail").asText()
                        : p.hasNonNull("error") ? p.get("error").asText() : null;
            }
        } catch (JsonProcessingException notJson) {
            // Something other than Hearth answered (a proxy, another service on the port): show what it said.
        }
        if (detail == null) {
            detail = body.isEmpty() ? "HTTP " + status + " " + title
                    : "HTTP " + status + ": " + (body.length() > 300 ? body.substring(0, 300) + "..." : body);
        }
        return new HearthApiException(status, title, detail);
    }

    private JsonNode parse(HttpResponse<String> response) {
        return parse(response.body(), response.request());
    }

    private JsonNode parse(String body, HttpRequest request) {
        if (body == null || body.isBlank()) {
            return MissingNode.getInstance();
        }
        try {
            return json.readTree(body);
        } catch (JsonProcessingException e) {
            throw new HearthClientException("the server at " + base + " answered " + request.uri().getPath()
                    + " with something that is not JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static String describe(IOException e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private static String reason(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 409 -> "Conflict";
            case 413 -> "Payload Too Large";
            case 500 -> "Internal Server Error";
            case 503 -> "Service Unavailable";
            default -> "Error";
        };
    }

    private static URI withoutTrailingSlash(URI uri) {
        String s = uri.toString();
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return URI.create(s);
    }

    /** Encodes one path segment; function names and job ids are plain, but a typo must not change the route. */
    static String segment(String value) {
        return URLEncoder.encode(Objects.requireNonNull(value), StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public void close() {
        client.close();
    }

    /** Query parameters in insertion order; null values are left out. */
    static final class Query {

        private final Map<String, String> params = new LinkedHashMap<>();

        static Query none() {
            return new Query();
        }

        static Query of(String name, Object value) {
            return new Query().and(name, value);
        }

        Query and(String name, Object value) {
            if (value != null) {
                params.put(name, value.toString());
            }
            return this;
        }

        String render() {
            if (params.isEmpty()) {
                return "";
            }
            StringJoiner j = new StringJoiner("&", "?", "");
            params.forEach((k, v) -> j.add(k + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8)));
            return j.toString();
        }
    }
}
