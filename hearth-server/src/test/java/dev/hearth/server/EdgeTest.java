package dev.hearth.server;

import static dev.hearth.server.http.RawHttp.readResponse;
import static dev.hearth.server.http.RawHttp.send;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.server.http.EdgeLimits;
import java.io.IOException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The HTTP edge in front of the real API: {@code 100 Continue} only for a request that passed the key and size
 * checks, and a flood of idle connections that neither keeps clients out nor cuts a worker off.
 */
class EdgeTest {

    /** Caps small enough to flood in a test. */
    @RegisterExtension
    static final TestServer hearth = TestServer.withFunctions("echo")
            .configured(b -> b.edgeLimits(EdgeLimits.DEFAULT.withConnectionCaps(8, 8)));

    @Test
    void aRequestWithoutAKeyIsRefusedBeforeItsBodyIsAskedFor() throws IOException {
        try (Socket s = connect()) {
            send(s, "POST /v2/echo/run HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Type: application/json"
                    + "\r\nContent-Length: 20\r\n\r\n");
            assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 401");
        }
    }

    @Test
    void aBodyOverTheLimitIsRefusedBeforeItIsAskedFor() throws IOException {
        try (Socket s = connect()) {
            send(s, "POST /v2/echo/run HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nAuthorization: Bearer "
                    + TestServer.KEY + "\r\nContent-Type: application/json\r\nContent-Length: " + (11L << 20)
                    + "\r\n\r\n");
            assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 413");
        }
    }

    @Test
    void anAcceptableRequestIsToldToContinueAndThenAnswered() throws IOException {
        String body = "{\"input\":\"go on\"}";
        try (Socket s = connect()) {
            send(s, "POST /v2/echo/runsync HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nAuthorization: Bearer "
                    + TestServer.KEY + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
                    + "\r\n\r\n");
            assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 100 Continue");
            send(s, body);
            assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 200").contains("go on");
        }
    }

    @Test
    void aFloodOfIdleConnectionsKeepsNeitherClientsNorWorkersOut() throws IOException {
        // a worker is up and long-polling on its own connection before the flood
        assertThat(hearth.post("/v2/echo/runsync", "{\"input\":\"before\"}").json().get("output").asText())
                .isEqualTo("before");
        List<Socket> flood = new ArrayList<>();
        try {
            for (int i = 0; i < 40; i++) {
                flood.add(connect());
            }
            // each new client connection pushes out an idle one; the worker's are not among them
            for (int i = 0; i < 5; i++) {
                String body = "{\"input\":\"during " + i + "\"}";
                try (Socket s = connect()) {
                    send(s, "POST /v2/echo/runsync HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer " + TestServer.KEY
                            + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n"
                            + body);
                    assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 200").contains("during " + i);
                }
            }
            assertThat(hearth.workerCount("echo")).isEqualTo(1);
        } finally {
            for (Socket s : flood) {
                s.close();
            }
        }
    }

    private static Socket connect() throws IOException {
        Socket s = new Socket("127.0.0.1", hearth.url().getPort());
        s.setSoTimeout(30_000); // the bound of every wait for an answer
        return s;
    }
}
