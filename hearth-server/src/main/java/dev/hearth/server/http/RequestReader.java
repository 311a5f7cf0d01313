package dev.hearth.server.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Reads request heads and bodies off one connection, strictly enough that a malformed request gets a 4xx. */
final class RequestReader {

    /** A request that cannot be served; answered with {@code status} and the connection closed. */
    static final class BadRequest extends IOException {
        private final int status;

        BadRequest(int status, String message) {
            super(message);
            this.status = status;
        }

        int status() {
            return status;
        }
    }

    /** Request line and headers. Header names keep their case; lookups ignore it. */
    record Head(String method, String target, boolean http11, List<String> headers) {

        String header(String name) {
            for (int i = 0; i < headers.size(); i += 2) {
                if (headers.get(i).equalsIgnoreCase(name)) {
                    return headers.get(i + 1);
                }
            }
            return null;
        }

        boolean expectsContinue() {
            String e = header("Expect");
            return http11 && e != null && e.equalsIgnoreCase("100-continue");
        }

        boolean keepAlive() {
            String c = header("Connection");
            if (c == null) {
                return http11;
            }
            return http11 ? !c.toLowerCase().contains("close") : c.equalsIgnoreCase("keep-alive");
        }
    }

    private final InputStream in;
    private final int maxHeaderBytes;
    private final StringBuilder line = new StringBuilder(128);
    private int headerBytes;

    RequestReader(InputStream in, int maxHeaderBytes) {
        this.in = in;
        this.maxHeaderBytes = maxHeaderBytes;
    }

    /** The next request's head, or null when the peer closed the connection between requests. */
    Head next() throws IOException {
        headerBytes = 0;
        String requestLine;
        // Tolerate stray CRLFs between requests, as RFC 9112 section 2.2 asks.
        do {
            requestLine = readLine(true);
            if (requestLine == null) {
                return null;
            }
        } while (requestLine.isEmpty());
        int sp1 = requestLine.indexOf(' ');
        int sp2 = requestLine.lastIndexOf(' ');
        if (sp1 <= 0 || sp2 <= sp1) {
            throw new BadRequest(400, "malformed request line");
        }
        String method = requestLine.substring(0, sp1);
        String target = requestLine.substring(sp1 + 1, sp2);
        String version = requestLine.substring(sp2 + 1);
        boolean http11;
        if (version.equals("HTTP/1.1")) {
            http11 = true;
        } else if (version.equals("HTTP/1.0")) {
            http11 = false;
        } else {
            throw new BadRequest(505, "only HTTP/1.0 and HTTP/1.1 are spoken here");
        }
        for (int i = 0; i < method.length(); i++) {
            char c = method.charAt(i);
            if (c < 'A' || c > 'Z') {
                throw new BadRequest(400, "malformed request method");
            }
        }
        if (target.isEmpty() || target.indexOf(' ') >= 0) {
            throw new BadRequest(400, "malformed request target");
        }
        List<String> headers = new ArrayList<>(16);
        String h;
        while (!(h = readLine(false)).isEmpty()) {
            int colon = h.indexOf(':');
            if (colon <= 0 || Character.isWhitespace(h.charAt(colon - 1))) {
                throw new BadRequest(400, "malformed header line");
            }
            headers.add(h.substring(0, colon));
            headers.add(h.substring(colon + 1).strip());
            if (headers.size() > 400) {
                throw new BadRequest(431, "too many header lines");
            }
        }
        return new Head(method, target, http11, headers);
    }

    /** The request's body: chunked, fixed-length or empty. */
    InputStream body(Head head) throws BadRequest {
        String te = head.header("Transfer-Encoding");
        String cl = head.header("Content-Length");
        if (te != null) {
            if (cl != null) {
                throw new BadRequest(400, "a request may not have both Transfer-Encoding and Content-Length");
            }
            if (!te.equalsIgnoreCase("chunked")) {
                throw new BadRequest(501, "unsupported Transfer-Encoding: " + te);
            }
            return new ChunkedInputStream(in);
        }
        if (cl == null) {
            return InputStream.nullInputStream();
        }
        long length;
        try {
            length = Long.parseLong(cl.strip());
        } catch (NumberFormatException e) {
            throw new BadRequest(400, "malformed Content-Length");
        }
        if (length < 0) {
            throw new BadRequest(400, "malformed Content-Length");
        }
        return length == 0 ? InputStream.nullInputStream() : new FixedLengthInputStream(in, length);
    }

    /** One line without its CRLF (a bare LF is accepted), or null at end of stream if {@code eofOk}. */
    private String readLine(boolean eofOk) throws IOException {
        line.setLength(0);
        while (true) {
            int c = in.read();
            if (c < 0) {
                if (eofOk && line.isEmpty()) {
                    return null;
                }
                throw new BadRequest(400, "the connection closed in the middle of the request head");
            }
            if (++headerBytes > maxHeaderBytes) {
                throw new BadRequest(431, "the request head is larger than " + maxHeaderBytes + " bytes");
            }
            if (c == '\n') {
                int n = line.length();
                if (n > 0 && line.charAt(n - 1) == '\r') {
                    line.setLength(n - 1);
                }
                return line.toString();
            }
            line.append((char) c);
        }
    }

    /** A body of known length; reading past it returns end of stream. */
    static final class FixedLengthInputStream extends InputStream {
        private final InputStream in;
        private long remaining;

        FixedLengthInputStream(InputStream in, long length) {
            this.in = in;
            this.remaining = length;
        }

        long remaining() {
            return remaining;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int c = in.read();
            if (c < 0) {
                throw new IOException("the connection closed before the body's Content-Length was read");
            }
            remaining--;
            return c;
        }

        /**
         * One array of the body's size: the JDK's version reads into 16 KB chunks and copies them together, which
         * for the usual body of a few hundred bytes was two fifths of what the control plane allocated under load.
         */
        @Override
        public byte[] readNBytes(int len) throws IOException {
            if (len < 0) {
                throw new IllegalArgumentException("len < 0");
            }
            byte[] b = new byte[(int) Math.min(len, remaining)];
            // read(byte[], int, int) throws if the connection closes early, so this fills the array or throws
            readNBytes(b, 0, b.length);
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n < 0) {
                throw new IOException("the connection closed before the body's Content-Length was read");
            }
            remaining -= n;
            return n;
        }
    }

    /** A {@code Transfer-Encoding: chunked} body (RFC 9112 section 7.1); chunk extensions and trailers are skipped. */
    static final class ChunkedInputStream extends InputStream {
        private final InputStream in;
        private long chunkLeft;
        private boolean done;

        ChunkedInputStream(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (done) {
                return -1;
            }
            if (chunkLeft == 0) {
                chunkLeft = nextChunkSize();
                if (chunkLeft == 0) {
                    while (!asciiLine().isEmpty()) {
                        // trailer fields: not used
                    }
                    done = true;
                    return -1;
                }
            }
            int n = in.read(b, off, (int) Math.min(len, chunkLeft));
            if (n < 0) {
                throw new IOException("the connection closed in the middle of a chunk");
            }
            chunkLeft -= n;
            if (chunkLeft == 0 && !asciiLine().isEmpty()) {
                throw new IOException("a chunk is longer than its size line says");
            }
            return n;
        }

        private long nextChunkSize() throws IOException {
            String size = asciiLine();
            int semi = size.indexOf(';');
            try {
                long n = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).strip(), 16);
                if (n < 0) {
                    throw new NumberFormatException();
                }
                return n;
            } catch (NumberFormatException e) {
                throw new IOException("malformed chunk size line");
            }
        }

        private String asciiLine() throws IOException {
            byte[] buf = new byte[256];
            int n = 0;
            while (true) {
                int c = in.read();
                if (c < 0) {
                    throw new IOException("the connection closed in the middle of a chunked body");
                }
                if (c == '\n') {
                    int end = n > 0 && buf[n - 1] == '\r' ? n - 1 : n;
                    return new String(buf, 0, end, StandardCharsets.US_ASCII);
                }
                if (n == buf.length) {
                    throw new IOException("a chunk size line is too long");
                }
                buf[n++] = (byte) c;
            }
        }
    }
}
