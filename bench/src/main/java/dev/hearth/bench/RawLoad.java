package dev.hearth.bench;

import java.io.BufferedInputStream;
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
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < connections; c++) {
                pool.submit(() -> {
                    try (Socket s = new Socket(base.getHost(), base.getPort())) {
                        s.setTcpNoDelay(true);
                        OutputStream out = s.getOutputStream();
                        InputStream in = new BufferedInputStream(s.getInputStream(), 8192);
                        int i;
                        while ((i = next.getAndIncrement()) < total) {
                            byte[] b = body.apply(i).getBytes(StandardCharsets.UTF_8);
                            String head = "POST " + path + " HTTP/1.1\r\nHost: " + base.getHost() + "\r\n"
                                    + "Authorization: Bearer " + key + "\r\nContent-Type: application/json\r\n"
                                    + "Content-Length: " + b.length + "\r\n\r\n";
                            out.write(head.getBytes(StandardCharsets.US_ASCII));
                            out.write(b);
                            out.flush();
                            if (readResponse(in) != 200) {
                                failed.incrementAndGet();
                            }
                        }
                    } catch (IOException e) {
                        failed.addAndGet(1);
                        System.err.println("load connection failed: " + e);
                    }
                    return null;
                });
            }
        }
        return failed.get();
    }

    /** Reads one response (status line, headers, a Content-Length body) and returns its status. */
    private static int readResponse(InputStream in) throws IOException {
        String status = line(in);
        int code = Integer.parseInt(status.substring(9, 12));
        long length = 0;
        String h;
        while (!(h = line(in)).isEmpty()) {
            int colon = h.indexOf(':');
            if (colon > 0 && h.substring(0, colon).equalsIgnoreCase("Content-Length")) {
                length = Long.parseLong(h.substring(colon + 1).trim());
            }
        }
        in.skipNBytes(length);
        return code;
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder(64);
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new IOException("connection closed mid-response");
            }
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }
}
