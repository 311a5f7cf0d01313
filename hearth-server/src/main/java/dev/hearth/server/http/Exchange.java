package dev.hearth.server.http;

import java.io.InputStream;
import java.io.OutputStream;

/**
 * One request and the one answer it gets, as Hearth's routes see it, whatever HTTP server is underneath. Not
 * thread-safe: it belongs to the thread that handles the request.
 */
public interface Exchange {

    /** Answers one request; must call one of the exchange's send methods, or the connection is closed. */
    @FunctionalInterface
    interface Handler {
        void handle(Exchange exchange) throws Exception;
    }

    /** Who a request proved to be, for the edge's connection caps (see {@link #authenticated}). */
    enum Peer { CLIENT, WORKER }

    /** The client's address (formatted only when asked: most requests never need it). */
    String remoteAddress();

    String method();

    /** The path, percent-decoded. */
    String path();

    /** The query string as sent, or null. */
    String rawQuery();

    /** The request target as sent, for messages. */
    String target();

    /** The first value of the header, whatever its case, or null. */
    String header(String name);

    /** The names of the request's headers, each once, as sent (a proxy forwards them all). */
    default java.util.List<String> headerNames() {
        return java.util.List.of();
    }

    /** Every value of the header, whatever its case. */
    default java.util.List<String> headers(String name) {
        String v = header(name);
        return v == null ? java.util.List.of() : java.util.List.of(v);
    }

    /** The request body; read it at most once. */
    InputStream body();

    void responseHeader(String name, String value);

    boolean answered();

    /** Sends the answer with a body ({@code contentType} may be null when the body is empty). */
    void send(int status, String contentType, byte[] bytes);

    /**
     * Sends the answer with a body of {@code length} bytes copied from {@code body} as it is read, so that a large
     * file is never held in memory whole. The caller closes {@code body}.
     */
    void send(int status, String contentType, long length, InputStream body);

    /**
     * Starts an answer whose body is written in pieces, as they come: chunked on HTTP/1.1, ended by closing the
     * connection on HTTP/1.0. Each {@code flush} of the stream sends what was written; {@code close} ends the answer.
     * A client that went away makes writes do nothing, so the work behind the answer goes on.
     */
    OutputStream sendStreaming(int status, String contentType);

    /** Sends an answer without a body. */
    void sendEmpty(int status);

    /**
     * Tells the edge that this request carried a valid API key or worker token: the connection then no longer counts
     * as unauthenticated, and a worker's moves to the workers' own reserve, out of reach of a flood of clients.
     */
    default void authenticated(Peer peer) {
    }
}
