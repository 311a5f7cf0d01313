package dev.hearth.server;

import static dev.hearth.server.Problems.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Inputs made to break parsers and arithmetic get a 4xx problem+json that names the field and what it allows, never
 * a 500, and the server keeps serving.
 */
class HostileInputTest {

    @RegisterExtension
    static final TestServer hearth = TestServer.withFunctions("echo");

    @AfterEach
    void stillServing() {
        assertThat(hearth.post("/v2/echo/runsync", "{\"input\":\"ok\"}").json().get("output").asText())
                .isEqualTo("ok");
    }

    /** A request written byte for byte, for targets that java.net.URI refuses to build. */
    static TestServer.Response raw(String method, String target) {
        try (Socket s = new Socket("127.0.0.1", hearth.url().getPort())) {
            OutputStream out = s.getOutputStream();
            out.write((method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                    + TestServer.KEY + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int status = Integer.parseInt(response.substring(9, 12));
            String head = response.substring(0, response.indexOf("\r\n\r\n"));
            String type = head.lines().filter(l -> l.toLowerCase().startsWith("content-type:"))
                    .map(l -> l.substring(13).trim()).findFirst().orElse("");
            return new TestServer.Response(status, response.substring(response.indexOf("\r\n\r\n") + 4), type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static TestServer.Response put(String path, String json) {
        return hearth.send(HttpRequest.newBuilder(hearth.url().resolve(path))
                .header("Authorization", "Bearer " + TestServer.KEY).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    static TestServer.Response deployManifest(String yaml) {
        try {
            Path dir = Files.createTempDirectory("hostile-manifest");
            Files.writeString(dir.resolve("hearth.yaml"), yaml, StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("handler.py"), "def handler(job): return 1\n");
            return hearth.deploy(dir, "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String manifest(String extra) {
        return "name: hostile\nhandler: handler.py:handler\n" + extra + "\n";
    }

    @Test
    void deeplyNestedJsonIs400() {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        assertProblem(hearth.post("/v2/echo/run", "{\"input\":" + deep + "}"), 400, "nesting depth", "1000");
    }

    @Test
    void aNumberWithThousandsOfDigitsIs400() {
        assertProblem(hearth.post("/v2/echo/run", "{\"input\":1" + "0".repeat(5_000) + "}"), 400,
                "Number value length", "1000");
    }

    @Test
    void aNumberBeyondDoubleRangeIsRefusedWhereANumberIsRead() {
        assertProblem(hearth.post("/v2/echo/run", "{\"input\":1,\"policy\":{\"executionTimeout\":1e400}}"), 400,
                "policy.executionTimeout");
    }

    @Test
    void aBadPercentEscapeInThePathIs400() {
        assertProblem(raw("GET", "/v2/echo/status/%zz"), 400, "% must be followed by two hex digits");
    }

    @Test
    void aBadPercentEscapeInTheQueryIs400() {
        assertProblem(raw("GET", "/v1/functions/echo/jobs?limit=%2"), 400, "bad % escape");
    }

    @Test
    void aLoneSurrogateInAnInputIs400() {
        assertProblem(hearth.post("/v2/echo/run", "{\"input\":\"\\ud800\"}"), 400,
                "'input' holds a lone UTF-16 surrogate");
    }

    @Test
    void anAbsurdTimeoutIs400NamingTheRange() {
        assertProblem(deployManifest(manifest("timeout: 99999999999h")), 400, "'timeout'", "3650d");
    }

    @Test
    void anAbsurdMemoryIs400NamingTheRange() {
        assertProblem(deployManifest(manifest("memory: 999999999999Ti")), 400, "'memory'", "at most");
    }

    @Test
    void aMemoryWithMoreDigitsThanALongIs400() {
        assertProblem(deployManifest(manifest("memory: 99999999999999999999999")), 400, "'memory'", "at most");
    }

    @Test
    void aTinyScalerValueIs400NamingTheRange() {
        assertProblem(deployManifest(manifest("scaling: {scalerValue: 1e-300}")), 400, "'scaling.scalerValue'",
                "at least 0.001 and at most 1000000");
    }

    @Test
    void anAbsurdBudgetIs400NamingTheRange() {
        assertProblem(put("/v1/budgets/global/day", "{\"limit\": 1e308}"), 400, "'limit'",
                "at most 1000000000");
    }

    @Test
    void aFiveMegabyteYamlCommentIsRefusedBeforeParsing() {
        String yaml = manifest("") + "#" + "x".repeat(5 << 20) + "\n";
        assertProblem(deployManifest(yaml), 400, "hearth.yaml has", "at most 65536");
    }

    @Test
    void aLoneSurrogateInAManifestIs400() {
        assertProblem(deployManifest(manifest("env: {A: \"\\uD800\"}")), 400, "'env.A' holds a lone");
    }

    @Test
    void aTinyScalerValueInALiveScalingUpdateIs400() {
        assertProblem(hearth.post("/v1/functions/echo/scaling", "{\"scalerValue\": 1e-300}"), 400,
                "scalerValue'", "0.001");
    }

    @Test
    void anAbsurdIdleTimeoutInALiveScalingUpdateIs400() {
        assertProblem(hearth.post("/v1/functions/echo/scaling", "{\"idleTimeout\": 1e300}"), 400,
                "'idleTimeout'", "3650d");
    }

    @Test
    void anAbsurdDurationInAQueryIs400() {
        assertProblem(hearth.post("/v1/nodes/local/drain?grace=99999999999h", ""), 400, "grace", "3650d");
    }
}
