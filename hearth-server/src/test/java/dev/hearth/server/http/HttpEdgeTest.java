package dev.hearth.server.http;

import static dev.hearth.server.http.RawHttp.readResponse;
import static dev.hearth.server.http.RawHttp.send;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The HTTP edge on its own, over raw sockets: framing, keep-alive, requests it must refuse (the ways a proxy and a
 * server can disagree on where a request ends), deadlines and connection caps.
 */
class HttpEdgeTest {

    /** Deadlines short enough that no test waits long, and that tell one deadline from another. */
    private static final EdgeLimits LIMITS = EdgeLimits.DEFAULT.withTimeouts(Duration.ofSeconds(30),
            Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1));


    private HttpEdge server;

    @BeforeEach
    void start() throws IOException {
        // Echoes method, path, query and body, so each test can see what the server parsed.
        server = HttpEdge.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                limits(LIMITS, 1024), null, ex -> {
                    // /limited reads as the API's routes do: at most a limit, in one array of the body's size
                    byte[] body = ex.path().equals("/limited") ? ex.body().readNBytes(1000) : ex.body().readAllBytes();
                    String answer = ex.method() + " " + ex.path() + " " + ex.rawQuery() + " "
                            + new String(body, StandardCharsets.UTF_8);
                    if (ex.path().equals("/empty")) {
                        ex.sendEmpty(204);
                    } else {
                        ex.send(200, "text/plain", answer.getBytes(StandardCharsets.UTF_8));
                    }
                });
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void servesSeveralRequestsOnOneKeepAliveConnection() throws IOException {
        try (Socket s = connect()) {
            for (int i = 0; i < 3; i++) {
                send(s, "POST /a/" + i + "?x=" + i + " HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nhi");
                assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 200 OK")
                        .endsWith("POST /a/" + i + " x=" + i + " hi");
            }
        }
    }

    @Test
    void answersPipelinedRequestsInOrder() throws IOException {
        try (Socket s = connect()) {
            send(s, "GET /one HTTP/1.1\r\nHost: h\r\n\r\nGET /two HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(readResponse(s.getInputStream())).endsWith("GET /one null ");
            assertThat(readResponse(s.getInputStream())).endsWith("GET /two null ");
        }
    }

    @Test
    void decodesChunkedBodies() throws IOException {
        try (Socket s = connect()) {
            send(s, "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: x\r\n\r\n");
            assertThat(readResponse(s.getInputStream())).endsWith("POST /c null hello world");
        }
    }

    @Test
    void aBodyOfKnownLengthArrivingInPiecesIsReadWhole() throws IOException {
        try (Socket s = connect()) {
            send(s, "POST /limited HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\nhello");
            send(s, " world");
            assertThat(readResponse(s.getInputStream())).endsWith("POST /limited null hello world");
            send(s, "POST /limited HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc");
            assertThat(readResponse(s.getInputStream())).endsWith("POST /limited null abc");
        }
    }

    @Test
    void answersExpectContinueBeforeTheBodyIsSent() throws IOException {
        try (Socket s = connect()) {
            send(s, "POST /e HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n");
            assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 100 Continue");
            send(s, "abc");
            assertThat(readResponse(s.getInputStream())).endsWith("POST /e null abc");
        }
    }

    @Test
    void skipsABodyTheHandlerDidNotReadAndKeepsTheConnection() throws IOException {
        try (Socket s = connect()) {
            send(s, "POST /empty HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello");
            assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 204 No Content");
            send(s, "GET /next HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(readResponse(s.getInputStream())).endsWith("GET /next null ");
        }
    }

    @Test
    void decodesPercentEscapesInThePathButNotTheQuery() throws IOException {
        try (Socket s = connect()) {
            send(s, "GET /a%20b?q=%20 HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(readResponse(s.getInputStream())).endsWith("GET /a b q=%20 ");
        }
    }

    @Test
    void aMalformedRequestLineGetsAProblemAndTheConnectionCloses() throws IOException {
        try (Socket s = connect()) {
            send(s, "NONSENSE\r\n\r\n");
            String r = readResponse(s.getInputStream());
            assertThat(r).startsWith("HTTP/1.1 400 Bad Request").contains("application/problem+json");
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void anOversizedHeadIsRefusedWith431() throws IOException {
        try (Socket s = connect()) {
            send(s, "GET / HTTP/1.1\r\nX-Big: " + "x".repeat(2000) + "\r\n\r\n");
            assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 431");
        }
    }

    @Test
    void anUnknownHttpVersionIsRefused() throws IOException {
        try (Socket s = connect()) {
            send(s, "GET / HTTP/2.0\r\n\r\n");
            assertThat(readResponse(s.getInputStream())).matches("(?s)HTTP/1.1 (426|505) .*");
        }
    }

    @Test
    void http10ClosesAfterTheAnswerUnlessAskedToKeepAlive() throws IOException {
        try (Socket s = connect()) {
            send(s, "GET /old HTTP/1.0\r\n\r\n");
            assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 200");
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void connectionCloseIsHonoured() throws IOException {
        try (Socket s = connect()) {
            send(s, "GET / HTTP/1.1\r\nConnection: close\r\n\r\n");
            assertThat(readResponse(s.getInputStream())).contains("Connection: close");
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void theJdkClientTalksToIt() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        URI uri = URI.create("http://127.0.0.1:" + server.address().getPort() + "/jdk?k=v");
        String big = "y".repeat(200_000);
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri)
                .POST(HttpRequest.BodyPublishers.ofString(big)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("POST /jdk k=v " + big);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "two Content-Lengths|POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
        "two different Content-Lengths|POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 5\r\n"
                + "\r\nabcde",
        "a Content-Length list|POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 3, 3\r\n\r\nabc",
        "Transfer-Encoding with Content-Length|POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
        "two Transfer-Encoding fields|POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
        "chunked twice in one field|POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, chunked\r\n\r\n"
                + "3\r\nabc\r\n0\r\n\r\n",
        "a Transfer-Encoding other than chunked|POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n",
        "obs-fold|GET /x HTTP/1.1\r\nHost: h\r\nX-A: one\r\n two\r\n\r\n",
        "obs-fold with a tab|GET /x HTTP/1.1\r\nHost: h\r\nX-A: one\r\n\ttwo\r\n\r\n",
        "a bare CR in a header|GET /x HTTP/1.1\r\nHost: h\r\nX-A: one\rX-B: two\r\n\r\n",
        "a bare CR in the request line|GET /x HTTP/1.1\rHost: h\r\n\r\n",
        "a bare LF ending a header|GET /x HTTP/1.1\r\nHost: h\nX-A: one\r\n\r\n",
        "a bare LF ending the request line|GET /x HTTP/1.1\nHost: h\r\n\r\n",
        "a bare LF ending a chunk size|POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "3\nabc\r\n0\r\n\r\n",
        "a NUL in a header value|GET /x HTTP/1.1\r\nHost: h\r\nX-A: a\u0000b\r\n\r\n",
        "HTTP/1.1 without Host|GET /x HTTP/1.1\r\nX-A: a\r\n\r\n",
        "two Host fields|GET /x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        "whitespace before the colon|GET /x HTTP/1.1\r\nHost: h\r\nContent-Length : 3\r\n\r\nabc",
    })
    void refusesWith400AndClosesTheConnection(String testCase) throws IOException {
        String request = testCase.substring(testCase.indexOf('|') + 1);
        try (Socket s = connect()) {
            send(s, request);
            String r = readResponse(s.getInputStream());
            assertThat(r).startsWith("HTTP/1.1 400").contains("application/problem+json");
            assertThat(readToEnd(s)).as("the connection closes after the 400").isEmpty();
        }
    }

    @Test
    void closesAConnectionThatSendsNoRequestWithinTheIdleTimeout() throws IOException {
        try (HttpEdge shortIdle = echoServer(LIMITS.withTimeouts(Duration.ofMillis(200), Duration.ofSeconds(30),
                Duration.ofSeconds(30), Duration.ofSeconds(30))); Socket s = connect(shortIdle)) {
            send(s, "GET /a HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 200 OK");
            assertThat(readToEnd(s)).isEmpty();
        }
    }

    @Test
    void aRequestHeadSentOneByteAtATimeIsCutOffAtTheHeadDeadline() throws Exception {
        // each byte comes well within any idle timeout; the head as a whole takes too long
        try (Socket s = connect()) {
            String head = "GET /a HTTP/1.1\r\nHost: h\r\nX-Slow: " + "x".repeat(200) + "\r\n\r\n";
            long started = System.nanoTime();
            assertThat(trickle(s, head, 50)).as("the server closed the connection before the head was sent")
                    .isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void aBodyThatTricklesIsCutOffAtItsDeadline() throws Exception {
        try (Socket s = connect()) {
            send(s, "POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 200\r\n\r\n");
            assertThat(trickle(s, "y".repeat(200), 50)).as("the server closed the connection before the body was sent")
                    .isTrue();
        }
    }

    @Test
    void aClientThatStopsReadingIsCutOffAtTheWriteTimeout() throws Exception {
        AtomicReference<Throwable> ended = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        try (HttpEdge big = HttpEdge.bind(loopback(), LIMITS, null, ex -> {
            try (OutputStream out = ex.sendStreaming(200, "application/octet-stream")) {
                byte[] mb = new byte[1 << 20];
                for (int i = 0; i < 1024; i++) { // a GiB, far more than the socket buffers hold
                    out.write(mb);
                }
            } finally {
                done.countDown();
            }
        })) {
            big.start();
            try (Socket s = connect(big)) {
                send(s, "GET /big HTTP/1.1\r\nHost: h\r\n\r\n");
                // read nothing: the writes stall, and the write timeout ends the answer and the connection
                assertThat(done.await(20, TimeUnit.SECONDS)).as("the handler's writes ended").isTrue();
                assertThat(drainUntilClosed(s)).as("fewer bytes than the answer had").isLessThan(1L << 30);
            }
        }
    }

    @Test
    void anAnswerStreamedAfterTheBodyIsNotHeldToTheBodysDeadline() throws IOException {
        try (HttpEdge slow = HttpEdge.bind(loopback(), LIMITS, null, ex -> {
            byte[] body = ex.body().readNBytes(1000); // as the routes read: exactly the body's length
            try (OutputStream out = ex.sendStreaming(200, "application/x-ndjson")) {
                out.write(body);
                out.flush();
                Thread.sleep(2_500); // a deploy's build, longer than the body's deadline (1 s here)
                out.write("done\n".getBytes(StandardCharsets.UTF_8));
            }
        })) {
            slow.start();
            try (Socket s = connect(slow)) {
                send(s, "POST /deploy HTTP/1.1\r\nHost: h\r\nContent-Length: 6\r\n\r\nstart\n");
                assertThat(readChunked(s.getInputStream())).isEqualTo("start\ndone\n");
            }
        }
    }

    @Test
    void keepsAConnectionWhoseRequestTakesLongerThanEveryDeadline() throws IOException {
        try (HttpEdge slow = HttpEdge.bind(loopback(), LIMITS.withTimeouts(Duration.ofMillis(500),
                Duration.ofMillis(500), Duration.ofMillis(500), Duration.ofMillis(500)), null, ex -> {
                    Thread.sleep(2_000); // a handler busy for four times every deadline, as a long-poll is
                    ex.send(200, "text/plain", "late".getBytes(StandardCharsets.UTF_8));
                })) {
            slow.start();
            try (Socket s = connect(slow)) {
                send(s, "GET /a HTTP/1.1\r\nHost: h\r\n\r\n");
                assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 200 OK").endsWith("late");
            }
        }
    }

    @Test
    void aNewConnectionPushesOutTheOldestIdleUnauthenticatedOneAtTheCap() throws Exception {
        try (HttpEdge capped = echoServer(LIMITS.withConnectionCaps(3, 100))) {
            List<Socket> idle = openIdle(capped, 3);
            try (Socket s = connect(capped)) {
                send(s, "GET /a HTTP/1.1\r\nHost: h\r\n\r\n");
                assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 200 OK");
                assertThat(readToEnd(idle.getFirst())).as("the oldest idle connection was closed").isEmpty();
            } finally {
                closeAll(idle);
            }
        }
    }

    @Test
    void connectionsFromOneAddressAreCapped() throws Exception {
        try (HttpEdge capped = echoServer(LIMITS.withConnectionCaps(100, 2))) {
            List<Socket> idle = openIdle(capped, 2);
            try (Socket s = connect(capped)) {
                send(s, "GET /a HTTP/1.1\r\nHost: h\r\n\r\n");
                assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 200 OK");
                assertThat(readToEnd(idle.getFirst())).isEmpty();
            } finally {
                closeAll(idle);
            }
        }
    }

    @Test
    void aConnectionIsRefusedWhenEveryUnauthenticatedOneIsBusy() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (HttpEdge capped = HttpEdge.bind(loopback(), LIMITS.withConnectionCaps(1, 100), null, ex -> {
            entered.countDown();
            release.await(20, TimeUnit.SECONDS);
            ex.sendEmpty(204);
        })) {
            capped.start();
            try (Socket busy = connect(capped)) {
                send(busy, "GET /wait HTTP/1.1\r\nHost: h\r\n\r\n");
                assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
                Socket refused = connect(capped);
                send(refused, "GET /wait HTTP/1.1\r\nHost: h\r\n\r\n");
                assertThat(readToEnd(refused)).isEmpty();
                refused.close();
                release.countDown();
                assertThat(readResponse(busy.getInputStream())).startsWith("HTTP/1.1 204");
            }
        }
    }

    @Test
    void aFloodOfIdleConnectionsDoesNotCloseAWorkersConnection() throws Exception {
        try (HttpEdge capped = HttpEdge.bind(loopback(), LIMITS.withConnectionCaps(2, 2), null, ex -> {
            if (ex.path().startsWith("/worker")) {
                ex.authenticated(Exchange.Peer.WORKER);
            }
            ex.send(200, "text/plain", ex.path().getBytes(StandardCharsets.UTF_8));
        })) {
            capped.start();
            try (Socket worker = connect(capped)) {
                send(worker, "GET /worker/take HTTP/1.1\r\nHost: h\r\n\r\n");
                assertThat(readResponse(worker.getInputStream())).endsWith("/worker/take");
                List<Socket> flood = openIdle(capped, 20);
                try {
                    send(worker, "GET /worker/done HTTP/1.1\r\nHost: h\r\n\r\n");
                    assertThat(readResponse(worker.getInputStream())).endsWith("/worker/done");
                    // and a new worker still gets in, pushing out an idle socket of the flood
                    try (Socket another = connect(capped)) {
                        send(another, "GET /worker/take HTTP/1.1\r\nHost: h\r\n\r\n");
                        assertThat(readResponse(another.getInputStream())).endsWith("/worker/take");
                    }
                } finally {
                    closeAll(flood);
                }
            }
        }
    }

    private static EdgeLimits limits(EdgeLimits base, int maxHeaderBytes) {
        return new EdgeLimits(base.idleTimeout(), base.headTimeout(), base.bodyTimeoutFloor(), base.bodyMinRate(),
                base.writeTimeout(), maxHeaderBytes, base.maxUnauthenticated(), base.maxPerAddress());
    }

    private static InetSocketAddress loopback() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    private HttpEdge echoServer(EdgeLimits limits) throws IOException {
        HttpEdge s = HttpEdge.bind(loopback(), limits, null, ex -> {
            ex.body().readAllBytes();
            ex.send(200, "text/plain", "ok".getBytes(StandardCharsets.UTF_8));
        });
        s.start();
        return s;
    }

    /** Connections that made one request and sit idle since, the first the longest. */
    private static List<Socket> openIdle(HttpEdge server, int n) throws Exception {
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Socket s = connect(server);
            sockets.add(s);
            send(s, "GET /once HTTP/1.1\r\nHost: h\r\n\r\n");
            readResponse(s.getInputStream());
        }
        return sockets;
    }

    private static void closeAll(List<Socket> sockets) throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
    }

    /** Sends {@code text} a byte every {@code everyMillis}; true if the server closed the connection meanwhile. */
    private static boolean trickle(Socket s, String text, long everyMillis) throws InterruptedException {
        try {
            for (byte b : text.getBytes(StandardCharsets.ISO_8859_1)) {
                s.getOutputStream().write(b);
                s.getOutputStream().flush();
                Thread.sleep(everyMillis);
            }
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /** What the server still sends until it closes the connection (the bound of the wait: the socket's timeout). */
    private static String readToEnd(Socket s) throws IOException {
        try {
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (SocketException e) {
            return ""; // reset: closed as well
        }
    }

    private static long drainUntilClosed(Socket s) throws IOException {
        long n = 0;
        byte[] buf = new byte[1 << 16];
        try {
            int r;
            while ((r = s.getInputStream().read(buf)) >= 0) {
                n += r;
            }
        } catch (SocketException e) {
            // reset: closed as well
        }
        return n;
    }

    private static Socket connect(HttpEdge server) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), server.address().getPort());
        s.setSoTimeout(10_000); // the bound of every wait for an answer
        return s;
    }

    private Socket connect() throws IOException {
        return connect(server);
    }

    /** A chunked response's body, joined. */
    private static String readChunked(InputStream in) throws IOException {
        String head = readResponse(in);
        assertThat(head).startsWith("HTTP/1.1 200").containsIgnoringCase("Transfer-Encoding: chunked");
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            int size = Integer.parseInt(line(in).strip(), 16);
            if (size == 0) {
                line(in);
                return body.toString(StandardCharsets.UTF_8);
            }
            body.write(in.readNBytes(size));
            line(in);
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            b.append((char) c);
        }
        return b.toString();
    }

}
