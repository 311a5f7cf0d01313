package dev.hearth.server.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.Callback;

/**
 * An {@link Exchange} over Jetty's core request and response. Writes block the request's (virtual) thread until
 * Jetty has taken the bytes; the last write of an answer completes Jetty's callback, so the connection is ready for
 * its next request as soon as the answer is out, even if the handler still has work to do.
 */
final class JettyExchange implements Exchange {

    /** Bytes of an unread request body skipped to keep the connection; a longer one closes it instead. */
    private static final long DRAIN_LIMIT = 1 << 20;

    /** A path that cannot be decoded: answered 400 before any route sees it. */
    static final class BadTarget extends Exception {
        BadTarget(String message) {
            super(message);
        }
    }

    private final Request request;
    private final Response response;
    private final Callback done;
    private final ConnectionGuard guard;
    private final ConnectionGuard.Tracked connection;
    private final EdgeLimits limits;
    private final String path;
    private final String rawQuery;
    private Body body;
    private boolean answered;
    private boolean failed;
    private boolean finished;

    JettyExchange(Request request, Response response, Callback done, ConnectionGuard guard,
                  ConnectionGuard.Tracked connection, EdgeLimits limits) throws BadTarget {
        this.request = request;
        this.response = response;
        this.done = done;
        this.guard = guard;
        this.connection = connection;
        this.limits = limits;
        HttpURI uri = request.getHttpURI();
        String rawPath = uri.getPath();
        if (rawPath == null || rawPath.isEmpty()) {
            rawPath = "/";
        }
        this.rawQuery = uri.getQuery();
        if (rawPath.indexOf('%') < 0) {
            this.path = rawPath;
        } else {
            try {
                this.path = new URI(rawPath).getPath();
            } catch (URISyntaxException e) {
                throw new BadTarget(undecodable(rawPath));
            }
        }
    }

    /** Why a request's path cannot be percent-decoded, or null if it can. */
    static String undecodable(String rawPath) {
        if (rawPath == null || rawPath.indexOf('%') < 0) {
            return null;
        }
        try {
            new URI(rawPath);
            return null;
        } catch (URISyntaxException e) {
            return "malformed request target: " + e.getReason() + " at index " + e.getIndex()
                    + " (a % must be followed by two hex digits, e.g. %20)";
        }
    }

    @Override
    public String remoteAddress() {
        return Request.getRemoteAddr(request);
    }

    @Override
    public String method() {
        return request.getMethod();
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public String rawQuery() {
        return rawQuery;
    }

    @Override
    public String target() {
        return request.getHttpURI().getPathQuery();
    }

    @Override
    public String header(String name) {
        return request.getHeaders().get(name);
    }

    @Override
    public java.util.List<String> headerNames() {
        return java.util.List.copyOf(request.getHeaders().getFieldNamesCollection());
    }

    @Override
    public java.util.List<String> headers(String name) {
        return request.getHeaders().getValuesList(name);
    }

    @Override
    public InputStream body() {
        if (body == null) {
            body = new Body();
        }
        return body;
    }

    @Override
    public void responseHeader(String name, String value) {
        response.getHeaders().add(name, value);
    }

    @Override
    public boolean answered() {
        return answered;
    }

    @Override
    public void send(int status, String contentType, byte[] bytes) {
        if (answered) {
            return;
        }
        answered = true;
        head(status, contentType, bytes.length);
        finish(bytes.length == 0 ? null : ByteBuffer.wrap(bytes));
    }

    @Override
    public void send(int status, String contentType, long length, InputStream from) {
        if (answered) {
            return;
        }
        answered = true;
        head(status, contentType, length);
        byte[] buf = new byte[(int) Math.min(64 * 1024, Math.max(length, 1))];
        long left = length;
        try {
            while (left > 0) {
                int n = from.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) {
                    throw new IOException("the body ended " + left + " bytes before its announced length");
                }
                left -= n;
                write(false, ByteBuffer.wrap(buf, 0, n));
            }
        } catch (IOException e) {
            failed = true;
        }
        finish(null);
    }

    @Override
    public OutputStream sendStreaming(int status, String contentType) {
        answered = true;
        settleBody();
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        return new OutputStream() {
            private boolean closed;

            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                if (len == 0 || failed || closed) {
                    return;
                }
                try {
                    JettyExchange.this.write(false, ByteBuffer.wrap(b, off, len));
                } catch (IOException e) {
                    failed = true;
                }
            }

            @Override
            public void close() {
                if (!closed) {
                    closed = true;
                    finish(null);
                }
            }
        };
    }

    @Override
    public void sendEmpty(int status) {
        send(status, null, new byte[0]);
    }

    @Override
    public void authenticated(Peer peer) {
        if (connection != null) {
            guard.authenticated(connection, peer);
        }
    }

    private void head(int status, String contentType, long length) {
        settleBody();
        response.setStatus(status);
        HttpFields.Mutable h = response.getHeaders();
        boolean noBody = status == 204 || status == 304 || status < 200;
        if (contentType != null && !noBody) {
            h.put(HttpHeader.CONTENT_TYPE, contentType);
        }
        if (!noBody) {
            h.put(HttpHeader.CONTENT_LENGTH, length);
        }
    }

    /**
     * Skips what the handler left of the request body when it is small, before the answer's head is sent, so that the
     * head can say whether the connection stays open: a client must not pool a connection that is about to close.
     */
    private void settleBody() {
        drainOrClose();
        // what is left of the body, if anything, is not read any more: its deadline no longer applies
        if (connection != null) {
            connection.deadline = 0;
        }
    }

    private void drainOrClose() {
        if (body != null ? body.consumed() : !request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING)
                && request.getLength() <= 0) {
            return;
        }
        boolean neverAsked = body == null || body.untouched();
        String expect = request.getHeaders().get(HttpHeader.EXPECT);
        if (neverAsked && expect != null && expect.equalsIgnoreCase("100-continue")) {
            // refused before the body was asked for: it will not come, and the connection is not worth keeping
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
            return;
        }
        Body b = (Body) body();
        if (b.length >= 0 && b.length - b.read > DRAIN_LIMIT) {
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
            return;
        }
        try {
            byte[] buf = new byte[8192];
            long skipped = 0;
            int n;
            while ((n = b.read(buf, 0, buf.length)) >= 0) {
                skipped += n;
                if (skipped > DRAIN_LIMIT) {
                    response.getHeaders().put(HttpHeader.CONNECTION, "close");
                    return;
                }
            }
        } catch (IOException e) {
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
    }

    /** Writes part of the answer, waiting until Jetty took it, for at most the write timeout. */
    private void write(boolean last, ByteBuffer bytes) throws IOException {
        long before = arm(limits.writeTimeout().toNanos());
        try (Blocker.Callback cb = Blocker.callback()) {
            response.write(last, bytes, cb);
            cb.block();
        } finally {
            if (connection != null) {
                connection.deadline = before;
            }
        }
    }

    /** Ends the answer with {@code last} (may be null) and hands the connection back to Jetty for the next request. */
    private void finish(ByteBuffer last) {
        if (finished) {
            return;
        }
        finished = true;
        if (failed) {
            ended();
            done.failed(new IOException("the answer could not be written"));
            return;
        }
        arm(limits.writeTimeout().toNanos());
        response.write(true, last, new Callback() {
            @Override
            public void succeeded() {
                ended();
                done.succeeded();
            }

            @Override
            public void failed(Throwable x) {
                ended();
                done.failed(x);
            }

            @Override
            public InvocationType getInvocationType() {
                return InvocationType.NON_BLOCKING;
            }
        });
    }

    /**
     * The handler returned: a streamed answer it left open is ended; with no answer at all the connection is closed,
     * as none can be made up.
     */
    void handlerReturned() {
        if (answered) {
            finish(null);
            return;
        }
        answered = true;
        finished = true;
        Throwable malformed = body == null ? null : body.failure;
        ended();
        if (malformed != null && !response.isCommitted()) {
            // a handler that could not read the body (a chunk framed with a bare LF, say): the client's fault
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
            HttpEdge.writeProblem(response, 400, "the request body is malformed: " + malformed.getMessage(), done);
        } else {
            done.failed(new IOException("the request was not answered"));
        }
    }

    private void ended() {
        if (body != null) {
            body.release();
        }
        if (connection != null) {
            connection.requestEnded();
        }
    }

    /** Sets the connection's deadline {@code nanos} from now; returns the one it had. */
    private long arm(long nanos) {
        if (connection == null) {
            return 0;
        }
        long before = connection.deadline;
        long at = System.nanoTime() + nanos;
        connection.deadline = at == 0 ? 1 : at;
        return before;
    }

    /**
     * The request body, read chunk by chunk as Jetty hands them over, with a deadline for the whole of it: its floor
     * plus its length at the minimum rate (for a chunked body, the length read so far).
     */
    private final class Body extends InputStream {
        private final long length = request.getLength();
        private long read;
        private long startedAt;
        private Content.Chunk chunk;
        private boolean eof;
        private Throwable failure;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        /** One array of the body's size, as the routes read it (the JDK's way copies 16 KB pieces together). */
        @Override
        public byte[] readNBytes(int len) throws IOException {
            if (length < 0) {
                return super.readNBytes(len);
            }
            byte[] b = new byte[(int) Math.min(len, length - read)];
            int n = readNBytes(b, 0, b.length);
            if (n < b.length) {
                throw new IOException("the connection closed before the body's Content-Length was read");
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (eof) {
                return -1;
            }
            if (len == 0) {
                return 0;
            }
            while (true) {
                if (chunk == null) {
                    chunk = request.read();
                    if (chunk == null) {
                        waitForContent();
                        continue;
                    }
                }
                if (Content.Chunk.isFailure(chunk)) {
                    Throwable f = chunk.getFailure();
                    failure = f;
                    throw f instanceof IOException io ? io : new IOException("the request body failed: " + f, f);
                }
                ByteBuffer bb = chunk.getByteBuffer();
                if (bb.hasRemaining()) {
                    int n = Math.min(len, bb.remaining());
                    bb.get(b, off, n);
                    read += n;
                    if (consumed()) {
                        disarm();
                    }
                    return n;
                }
                boolean last = chunk.isLast();
                chunk.release();
                chunk = null;
                if (last) {
                    eof = true;
                    disarm();
                    return -1;
                }
            }
        }

        private void waitForContent() throws IOException {
            if (connection != null) {
                if (startedAt == 0) {
                    startedAt = System.nanoTime();
                }
                long at = startedAt + limits.bodyTimeoutNanos(Math.max(length, read));
                connection.deadline = at == 0 ? 1 : at;
            }
            try (Blocker.Runnable r = Blocker.runnable()) {
                request.demand(r);
                r.block();
            }
        }

        /** The body is in: its deadline no longer applies (an answer streamed after it may take its time). */
        private void disarm() {
            if (connection != null) {
                connection.deadline = 0;
            }
        }

        /** Whether all of the body has been read (a body of known length needs no read of its end). */
        boolean consumed() {
            return eof || (length >= 0 && read >= length);
        }

        boolean untouched() {
            return read == 0 && startedAt == 0;
        }

        void release() {
            if (chunk != null) {
                chunk.release();
                chunk = null;
            }
        }

        @Override
        public void close() {
            release();
        }
    }
}
