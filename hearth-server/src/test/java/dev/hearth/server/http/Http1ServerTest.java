package dev.hearth.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP/1.1 server on its own, over raw sockets: framing, keep-alive and malformed requests. */
class Http1ServerTest {

    private Http1Server server;

    @BeforeEach
    void start() throws IOException {
        // Echoes method, path, query and body, so each test can see what the server parsed.
        server = Http1Server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16,
                new Http1Server.Limits(Duration.ofSeconds(10), 1024, 100), ex -> {
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
            assertThat(r).startsWith("HTTP/1.1 400 Bad Request").contains("application/problem+json")
                    .contains("malformed request line");
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
            assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 505");
        }
    }

    @Test
    void http10ClosesAfterTheAnswerUnlessAskedToKeepAlive() throws IOException {
        try (Socket s = connect()) {
            send(s, "GET /old HTTP/1.0\r\n\r\n");
            assertThat(readResponse(s.getInputStream())).contains("Connection: close");
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

    @Test
    void closesAConnectionThatSendsNoRequestWithinTheIdleTimeout() throws IOException {
        try (Http1Server shortIdle = echoServer(Duration.ofMillis(200)); Socket s = connect(shortIdle)) {
            send(s, "GET /a HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 200 OK");
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void closesAConnectionWhoseRequestHeadStopsHalfway() throws IOException {
        try (Http1Server shortIdle = echoServer(Duration.ofMillis(200)); Socket s = connect(shortIdle)) {
            send(s, "GET /a HTTP/1.1\r\nHost: h\r\n");
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void keepsAConnectionWhoseRequestTakesLongerThanTheIdleTimeout() throws IOException {
        try (Http1Server slow = Http1Server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16,
                new Http1Server.Limits(Duration.ofMillis(100), 1024, 100), ex -> {
                    Thread.sleep(500); // a handler busy for five idle timeouts, as a long-poll is
                    ex.send(200, "text/plain", "late".getBytes(StandardCharsets.UTF_8));
                })) {
            slow.start();
            try (Socket s = connect(slow)) {
                send(s, "GET /a HTTP/1.1\r\nHost: h\r\n\r\n");
                assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 200 OK").endsWith("late");
            }
        }
    }

    private Http1Server echoServer(Duration idleTimeout) throws IOException {
        Http1Server s = Http1Server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16,
                new Http1Server.Limits(idleTimeout, 1024, 100), ex -> {
                    ex.body().readAllBytes();
                    ex.send(200, "text/plain", "ok".getBytes(StandardCharsets.UTF_8));
                });
        s.start();
        return s;
    }

    private static Socket connect(Http1Server server) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), server.address().getPort());
        s.setSoTimeout(10_000); // the bound of every wait for an answer
        return s;
    }

    private Socket connect() throws IOException {
        return connect(server);
    }

    private static void send(Socket s, String raw) throws IOException {
        s.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
    }

    /** One response: head and, if it has a Content-Length, its body. */
    private static String readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int c = in.read();
            if (c < 0) {
                break;
            }
            head.write(c);
            matched = (c == '\r' || c == '\n') ? matched + 1 : 0;
        }
        String h = head.toString(StandardCharsets.ISO_8859_1);
        int length = 0;
        for (String line : h.split("\r\n")) {
            if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        return h + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }
}
