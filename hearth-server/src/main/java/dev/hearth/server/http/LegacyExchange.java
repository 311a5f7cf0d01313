package dev.hearth.server.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** One request and the one answer it gets. Not thread-safe: it belongs to its connection's thread. */
final class LegacyExchange implements Exchange {

    /** Bytes of an unread request body skipped to keep the connection; a longer one closes it instead. */
    private static final long DRAIN_LIMIT = 1 << 20;

    private final RequestReader.Head head;
    private final java.net.InetAddress remote;
    private final InputStream body;
    private final OutputStream out;
    private final String path;
    private final String rawQuery;
    private final List<String> responseHeaders = new ArrayList<>(4);
    private boolean answered;
    private boolean failed;
    private boolean closeAfter;
    private boolean bodyConsumed;

    LegacyExchange(RequestReader.Head head, InputStream body, OutputStream out, java.net.InetAddress remote)
            throws RequestReader.BadRequest {
        this.head = head;
        this.remote = remote;
        this.body = body;
        this.out = out;
        String target = head.target();
        if (target.startsWith("http://") || target.startsWith("https://")) {
            int slash = target.indexOf('/', target.indexOf("//") + 2);
            target = slash < 0 ? "/" : target.substring(slash);
        }
        int q = target.indexOf('?');
        String rawPath = q < 0 ? target : target.substring(0, q);
        this.rawQuery = q < 0 ? null : target.substring(q + 1);
        if (rawPath.indexOf('%') < 0) {
            this.path = rawPath;
        } else {
            try {
                this.path = new URI(rawPath).getPath();
            } catch (URISyntaxException e) {
                throw new RequestReader.BadRequest(400, "malformed request target: " + e.getReason() + " at "
                        + "index " + e.getIndex() + " (a % must be followed by two hex digits, e.g. %20)");
            }
        }
    }

    /** The client's address (formatted only when asked: most requests never need it). */
    @Override
    public String remoteAddress() {
        return remote == null ? null : remote.getHostAddress();
    }

    public String method() {
        return head.method();
    }

    /** The path, percent-decoded. */
    public String path() {
        return path;
    }

    /** The query string as sent, or null. */
    public String rawQuery() {
        return rawQuery;
    }

    /** The request target as sent, for messages. */
    public String target() {
        return head.target();
    }

    /** The first value of the header, whatever its case, or null. */
    public String header(String name) {
        return head.header(name);
    }

    /** The request body; read it at most once. */
    public InputStream body() {
        return body;
    }

    public void responseHeader(String name, String value) {
        responseHeaders.add(name);
        responseHeaders.add(value);
    }

    public boolean answered() {
        return answered;
    }

    /** Sends the answer with a body ({@code contentType} may be null when the body is empty). */
    public void send(int status, String contentType, byte[] bytes) {
        send(status, contentType, bytes.length, bytes, null);
    }

    /**
     * Sends the answer with a body of {@code length} bytes copied from {@code body} as it is read, so that a large
     * file is never held in memory whole. The caller closes {@code body}.
     */
    public void send(int status, String contentType, long length, InputStream body) {
        send(status, contentType, length, null, body);
    }

    /** Sends the head and then {@code bytes}, or else what {@code stream} holds (no lambda: this is the hot path). */
    private void send(int status, String contentType, long length, byte[] bytes, InputStream stream) {
        if (answered) {
            return;
        }
        answered = true;
        // What the handler left of the request body is skipped now, before the answer, so that the answer can say
        // whether the connection stays open: a client must not pool a connection that is about to be closed.
        closeAfter = !head.keepAlive() || !finishBody();
        boolean noBody = status == 204 || status == 304 || status < 200;
        StringBuilder h = statusLine(status);
        if (contentType != null && !noBody) {
            h.append("Content-Type: ").append(contentType).append("\r\n");
        }
        for (int i = 0; i < responseHeaders.size(); i += 2) {
            h.append(responseHeaders.get(i)).append(": ").append(responseHeaders.get(i + 1)).append("\r\n");
        }
        if (!noBody) {
            h.append("Content-Length: ").append(length).append("\r\n");
        }
        if (closeAfter) {
            h.append("Connection: close\r\n");
        } else if (!head.http11()) {
            h.append("Connection: keep-alive\r\n");
        }
        h.append("\r\n");
        try {
            out.write(h.toString().getBytes(StandardCharsets.ISO_8859_1));
            if (!noBody && !head.method().equals("HEAD")) {
                if (bytes != null) {
                    out.write(bytes);
                } else {
                    copy(stream, out, length);
                }
            }
            out.flush();
        } catch (IOException e) {
            // the client went away; whatever it asked for is durable and can be read again
            failed = true;
        }
    }

    /** Copies exactly the length the head announced; a body that ends early fails the connection. */
    private static void copy(InputStream from, OutputStream to, long length) throws IOException {
        byte[] buf = new byte[(int) Math.min(64 * 1024, Math.max(length, 1))];
        long left = length;
        while (left > 0) {
            int n = from.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) {
                throw new IOException("the body ended " + left + " bytes before its announced length");
            }
            to.write(buf, 0, n);
            left -= n;
        }
    }

    /**
     * Starts an answer whose body is written in pieces, as they come: chunked on HTTP/1.1, ended by closing the
     * connection on HTTP/1.0. Each {@code flush} of the stream sends what was written; {@code close} ends the answer.
     * A client that went away makes writes do nothing, so the work behind the answer goes on.
     */
    public OutputStream sendStreaming(int status, String contentType) {
        answered = true;
        closeAfter = !head.keepAlive() || !finishBody() || !head.http11();
        StringBuilder h = statusLine(status).append("Content-Type: ").append(contentType).append("\r\n");
        for (int i = 0; i < responseHeaders.size(); i += 2) {
            h.append(responseHeaders.get(i)).append(": ").append(responseHeaders.get(i + 1)).append("\r\n");
        }
        if (head.http11()) {
            h.append("Transfer-Encoding: chunked\r\n");
        }
        if (closeAfter) {
            h.append("Connection: close\r\n");
        }
        h.append("\r\n");
        boolean chunked = head.http11();
        write(h.toString().getBytes(StandardCharsets.ISO_8859_1), true);
        return new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                if (len == 0) {
                    return;
                }
                if (chunked) {
                    LegacyExchange.this.write((Integer.toHexString(len) + "\r\n").getBytes(StandardCharsets.ISO_8859_1),
                            false);
                }
                LegacyExchange.this.write(java.util.Arrays.copyOfRange(b, off, off + len), false);
                if (chunked) {
                    LegacyExchange.this.write(new byte[] {'\r', '\n'}, false);
                }
            }

            @Override
            public void flush() {
                LegacyExchange.this.write(new byte[0], true);
            }

            @Override
            public void close() {
                LegacyExchange.this.write(chunked ? "0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1) : new byte[0], true);
            }
        };
    }

    private void write(byte[] bytes, boolean flush) {
        if (failed) {
            return;
        }
        try {
            out.write(bytes);
            if (flush) {
                out.flush();
            }
        } catch (IOException e) {
            failed = true;
        }
    }

    /** Sends an answer without a body. */
    public void sendEmpty(int status) {
        send(status, null, new byte[0]);
    }

    boolean keepAlive() {
        return !failed && !closeAfter;
    }

    /** Skips what the handler left of the request body; false if the connection cannot be reused. */
    private boolean finishBody() {
        if (body instanceof RequestReader.FixedLengthInputStream f && f.remaining() > DRAIN_LIMIT) {
            return false;
        }
        try {
            // the usual case, a handler that read the whole body, needs no buffer (8 KB per request was a fifth of
            // everything the control plane allocated under load)
            if (body.read() < 0) {
                bodyConsumed = true;
                return true;
            }
            long skipped = 1;
            byte[] buf = new byte[8192];
            int n;
            while ((n = body.read(buf)) >= 0) {
                skipped += n;
                if (skipped > DRAIN_LIMIT) {
                    return false;
                }
            }
            bodyConsumed = true;
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether the whole request body has been read (else the connection closes after a lingering read). */
    boolean bodyConsumed() {
        return bodyConsumed;
    }

    static void sendContinue(OutputStream out) throws IOException {
        out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** Answers a request that could not be parsed, as plain problem+json, and lets the connection close. */
    static void reject(OutputStream out, int status, String detail) throws IOException {
        String json = "{\"type\":\"about:blank\",\"title\":\"" + reason(status) + "\",\"status\":" + status
                + ",\"detail\":\"" + detail.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}";
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        StringBuilder h = statusLine(status).append("Content-Type: application/problem+json\r\nContent-Length: ")
                .append(b.length).append("\r\nConnection: close\r\n\r\n");
        out.write(h.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.write(b);
        out.flush();
    }

    private static StringBuilder statusLine(int status) {
        return new StringBuilder(160).append("HTTP/1.1 ").append(status).append(' ').append(reason(status))
                .append("\r\n");
    }

    static String reason(int status) {
        return switch (status) {
            case 100 -> "Continue";
            case 200 -> "OK";
            case 201 -> "Created";
            case 202 -> "Accepted";
            case 204 -> "No Content";
            case 304 -> "Not Modified";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 402 -> "Payment Required";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 409 -> "Conflict";
            case 413 -> "Content Too Large";
            case 422 -> "Unprocessable Content";
            case 429 -> "Too Many Requests";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 501 -> "Not Implemented";
            case 503 -> "Service Unavailable";
            case 505 -> "HTTP Version Not Supported";
            default -> "Status " + status;
        };
    }
}
