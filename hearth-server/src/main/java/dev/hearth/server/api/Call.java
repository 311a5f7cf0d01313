package dev.hearth.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.errors.HearthException;
import dev.hearth.functions.Durations;
import dev.hearth.server.http.Exchange;
import dev.hearth.text.LoneSurrogates;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;

/** One HTTP request and its answer: parsed path parameters, query, a size-limited body, JSON helpers. */
final class Call {

    private final Exchange exchange;
    private final Map<String, String> params;
    private Map<String, String> query;
    private boolean answered;
    private ApiKeys.Key key;
    private int status;
    private byte[] requestBody;
    private String auditTarget;
    private String auditChange;

    Call(Exchange exchange, Map<String, String> params) {
        this.exchange = exchange;
        this.params = params;
    }

    /** The API key the request was made with; null on public and worker routes. */
    ApiKeys.Key key() {
        return key;
    }

    void authenticated(ApiKeys.Key key) {
        this.key = key;
    }

    /** The request carried a valid worker token: the edge keeps the worker's connection on the workers' reserve. */
    void authenticatedWorker() {
        exchange.authenticated(Exchange.Peer.WORKER);
    }

    String method() {
        return exchange.method();
    }

    String path() {
        return exchange.path();
    }

    String param(String name) {
        return params.get(name);
    }

    String header(String name) {
        return exchange.header(name);
    }

    /** Sets a header on the answer; call before sending it. */
    void responseHeader(String name, String value) {
        exchange.responseHeader(name, value);
    }

    String query(String name) {
        if (query == null) {
            query = parseQuery(exchange.rawQuery());
        }
        return query.get(name);
    }

    long queryLong(String name, long dflt, long min, long max) {
        String v = query(name);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            return Math.clamp(Long.parseLong(v.trim()), min, max);
        } catch (NumberFormatException e) {
            throw new HearthException.BadRequest("query parameter '" + name + "' must be a whole number, got '" + v
                    + "'");
        }
    }

    /**
     * A query parameter that names an instant: ISO ({@code 2026-11-23T10:00:00Z}), a UTC date ({@code 2026-11-23}),
     * or a duration back from {@code now} ({@code 24h}, {@code 30m}); {@code dflt} when absent.
     */
    Instant queryInstant(String name, Instant now, Instant dflt) {
        String text = query(name);
        if (text == null || text.isBlank()) {
            return dflt;
        }
        String t = text.trim();
        try {
            return Instant.parse(t);
        } catch (DateTimeParseException ignored) {
            // not an instant; try the other forms
        }
        try {
            return LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant();
        } catch (DateTimeParseException ignored) {
            // nor a date
        }
        try {
            return now.minus(Durations.parse(t));
        } catch (IllegalArgumentException | ArithmeticException | java.time.DateTimeException e) {
            throw new HearthException.BadRequest("'" + name + "' must be an instant (2026-11-23T10:00:00Z), a date "
                    + "(2026-11-23) or a duration back from now (24h, 30m), got '" + text + "'");
        }
    }

    /** Reads the body, refusing more than {@code limit} bytes with 413. */
    byte[] body(long limit, String what) {
        // without a length (chunked or malformed) the body is counted while it is read below
        if (contentLength() > limit) {
            throw tooLarge(limit, what);
        }
        try (InputStream in = exchange.body()) {
            byte[] data = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            if (data.length > limit) {
                throw tooLarge(limit, what);
            }
            requestBody = data;
            return data;
        } catch (IOException e) {
            throw new HearthException.BadRequest("could not read the request body: " + e.getMessage());
        }
    }

    private static HearthException tooLarge(long limit, String what) {
        return new HearthException.PayloadTooLarge("the request body is larger than " + (limit >> 20) + " MB, the "
                + "limit for " + what + "; pass large inputs by URL (e.g. object storage) instead");
    }

    /** The request body as it arrives, for a handler that streams it somewhere (a volume's file, say). */
    InputStream bodyStream() {
        return exchange.body();
    }

    /** The request's Content-Length, or -1 when it has none (a chunked body) or a malformed one. */
    long contentLength() {
        String len = header("Content-Length");
        try {
            return len == null ? -1 : Long.parseLong(len.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The body as JSON, its strings valid Unicode; an empty body is an error. */
    JsonNode json(long limit, String what) {
        JsonNode tree = jsonAsSent(limit, what);
        LoneSurrogates.first(tree, "").ifPresent(problem -> {
            throw new HearthException.BadRequest(problem);
        });
        return tree;
    }

    /**
     * The body as JSON, strings as they are: for what workers post, which is passed on as the handler made it (a
     * 400 would leave the job without its result).
     */
    JsonNode jsonAsSent(long limit, String what) {
        byte[] body = body(limit, what);
        if (body.length == 0) {
            throw new HearthException.BadRequest("the request body is empty; send JSON such as {\"input\": {...}}");
        }
        JsonNode tree;
        try {
            tree = Json.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            // Limits (nesting depth, number length) are reported without a location.
            var at = e.getLocation();
            throw new HearthException.BadRequest("the request body is not valid JSON: " + e.getOriginalMessage()
                    + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
        } catch (IOException e) {
            throw new HearthException.BadRequest("could not read the request body: " + e.getMessage());
        }
        return tree;
    }

    void json(int status, Object body) {
        try {
            send(status, "application/json", Json.MAPPER.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    void text(int status, String contentType, String body) {
        send(status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    void empty(int status) {
        answered = true;
        this.status = status;
        exchange.sendEmpty(status);
    }

    void send(int status, String contentType, byte[] bytes) {
        answered = true;
        this.status = status;
        exchange.send(status, contentType, bytes);
    }

    /** Sends {@code length} bytes read from {@code body} as they are read; the caller closes it. */
    void stream(int status, String contentType, long length, InputStream body) {
        answered = true;
        exchange.send(status, contentType, length, body);
    }

    /** Starts a streamed answer (see {@link Exchange#sendStreaming}); write to it, then close it. */
    java.io.OutputStream stream(int status, String contentType) {
        answered = true;
        return exchange.sendStreaming(status, contentType);
    }

    boolean answered() {
        return answered;
    }

    /** The status the request was answered with; 0 before. */
    int status() {
        return status;
    }

    /** The body read by {@link #body}, or null. */
    byte[] requestBody() {
        return requestBody;
    }

    /**
     * Tells the audit log what this management call did, where the request alone does not say it (a deploy's
     * function and version, a change's before and after); never pass a secret's value.
     */
    void audit(String target, String change) {
        this.auditTarget = target;
        this.auditChange = change;
    }

    String auditTarget() {
        return auditTarget;
    }

    String auditChange() {
        return auditChange;
    }

    /** The client's address. */
    String remoteAddress() {
        return exchange.remoteAddress();
    }

    private static Map<String, String> parseQuery(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = decode(eq < 0 ? pair : pair.substring(0, eq));
            String v = eq < 0 ? "" : decode(pair.substring(eq + 1));
            out.putIfAbsent(k, v);
        }
        return out;
    }

    private static String decode(String part) {
        try {
            return URLDecoder.decode(part, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new HearthException.BadRequest("the query '" + part + "' has a bad % escape (" + e.getMessage()
                    + "); write % followed by two hex digits, e.g. %20");
        }
    }
}
