package dev.hearth.bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * A lean load generator, in the manner of wrk: a few keep-alive connections, each sending one request after the
 * other over a plain socket. The JDK's HttpClient costs more CPU per request than the server it measures, and on a
 * 2-core machine that CPU is taken from the server.
 */
final class RawLoad {

    private final URI base;
    private final String key;

    RawLoad(URI base, String key) {
        this.base = base;
        this.key = key;
    }

    /**
     * Sends {@code total} POSTs to {@code path} over {@code connections} connections; body i is {@code body(i)}.
     *
     * @return how many answers were not 200
     */
    int post(String path, int total, int connections, IntFunction<String> body) throws InterruptedException {
        return post(path, total, connections, body, i -> { });
    }

    /** Waits before request {@code i} is sent, for as long as the caller wants to hold the load back. */
    interface Gate {
        void await(int i) throws InterruptedException;
    }

    /** As {@link #post(String, int, int, IntFunction)}, each request sent once {@code gate} lets it. */
    int post(String path, int total, int connections, IntFunction<String> body, Gate gate)
            throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        // everything of the request head but the length is the same for every request: built once
        byte[] headStart = ("POST " + path + " HTTP/1.1\r\nHost: " + base.getHost() + "\r\nAuthorization: Bearer "
                + key + "\r\nContent-Type: application/json\r\nContent-Length: ").getBytes(StandardCharsets.US_ASCII);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < connections; c++) {
                pool.submit(() -> {
                    try (Socket s = new Socket(base.getHost(), base.getPort())) {
                        s.setTcpNoDelay(true);
                        OutputStream out = new BufferedOutputStream(s.getOutputStream(), 8192);
                        Responses in = new Responses(s.getInputStream());
                        int i;
                        while ((i = next.getAndIncrement()) < total) {
                            gate.await(i);
                            byte[] b = body.apply(i).getBytes(StandardCharsets.UTF_8);
                            out.write(headStart);
                            out.write((b.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                            out.write(b);
                            out.flush();
                            if (in.next() != 200) {
                                failed.incrementAndGet();
                            }
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } catch (IOException | RuntimeException e) {
                        failed.addAndGet(1);
                        System.err.println("load connection failed: " + e);
                    }
                    return null;
                });
            }
        }
        return failed.get();
    }

    /**
     * Reads responses (status line, headers, a Content-Length body) from a buffer, without making strings of them:
     * the load generator shares the machine with the server it measures, so its CPU per request is kept small.
     */
    private static final class Responses {

        private static final byte[] CONTENT_LENGTH = "content-length:".getBytes(StandardCharsets.US_ASCII);
        private final InputStream in;
        private final byte[] buf = new byte[16 * 1024];
        private int pos;
        private int end;

        Responses(InputStream in) {
            this.in = in;
        }

        /** Reads one response and returns its status. */
        int next() throws IOException {
            int status = -1;
            long length = 0;
            while (true) {
                int nl = indexOfNewline(); // of the line that starts at pos
                if (status < 0) {
                    // "HTTP/1.1 200 OK"
                    status = (buf[pos + 9] - '0') * 100 + (buf[pos + 10] - '0') * 10 + buf[pos + 11] - '0';
                } else if (nl - pos <= 1) {
                    pos = nl + 1;
                    break; // the empty line that ends the head
                } else if (startsWithIgnoreCase(pos, CONTENT_LENGTH)) {
                    length = 0;
                    for (int k = pos + CONTENT_LENGTH.length; k < nl; k++) {
                        if (buf[k] >= '0' && buf[k] <= '9') {
                            length = length * 10 + buf[k] - '0';
                        }
                    }
                }
                pos = nl + 1;
            }
            skip(length);
            return status;
        }

        /** The index of the next newline from pos, reading more as needed (which may move pos to the front). */
        private int indexOfNewline() throws IOException {
            int i = pos;
            while (true) {
                for (; i < end; i++) {
                    if (buf[i] == '\n') {
                        return i;
                    }
                }
                i -= compact();
                fill();
            }
        }

        private boolean startsWithIgnoreCase(int at, byte[] prefix) {
            for (int k = 0; k < prefix.length; k++) {
                if (Character.toLowerCase(buf[at + k]) != prefix[k]) {
                    return false;
                }
            }
            return true;
        }

        private void skip(long n) throws IOException {
            while (n > 0) {
                if (pos == end) {
                    pos = end = 0;
                    fill();
                }
                int step = (int) Math.min(n, end - pos);
                pos += step;
                n -= step;
            }
        }

        /** Moves the unread bytes to the front; returns how far they moved. */
        private int compact() {
            int shift = pos;
            System.arraycopy(buf, pos, buf, 0, end - pos);
            end -= pos;
            pos = 0;
            return shift;
        }

        private void fill() throws IOException {
            if (end == buf.length) {
                throw new IOException("response head longer than " + buf.length + " bytes");
            }
            int n = in.read(buf, end, buf.length - end);
            if (n < 0) {
                throw new IOException("connection closed mid-response");
            }
            end += n;
        }
    }
}
