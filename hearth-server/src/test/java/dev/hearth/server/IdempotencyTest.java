package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code Idempotency-Key} on /run and /runsync: one key, one job. */
class IdempotencyTest {

    @RegisterExtension
    static final TestServer hearth = TestServer.withFunctions("echo");

    private static TestServer.Response submit(String path, String key, String body) {
        return hearth.send(HttpRequest.newBuilder(hearth.url().resolve(path))
                .header("Authorization", "Bearer " + TestServer.KEY).header("Content-Type", "application/json")
                .header("Idempotency-Key", key).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private static int jobCount() {
        return hearth.get("/v1/functions/echo/jobs?limit=1000").json().get("jobs").size();
    }

    @Test
    void theSameKeyReturnsTheSameJobAndMakesNoSecond() {
        int before = jobCount();
        String first = submit("/v2/echo/run", "key-1", "{\"input\":{\"n\":1}}").json().get("id").asText();
        String again = submit("/v2/echo/run", "key-1", "{ \"input\": {\"n\": 1} }").json().get("id").asText();

        assertThat(again).isEqualTo(first);
        assertThat(jobCount()).isEqualTo(before + 1);
        assertThat(hearth.awaitFinal("echo", first).get("output").get("n").asInt()).isEqualTo(1);
    }

    @Test
    void concurrentSubmitsWithOneKeyMakeOneJob() throws Exception {
        int before = jobCount();
        List<Future<String>> ids = new ArrayList<>();
        try (var pool = Executors.newFixedThreadPool(8)) {
            for (int i = 0; i < 8; i++) {
                ids.add(pool.submit(() -> submit("/v2/echo/run", "key-concurrent", "{\"input\":\"c\"}").json()
                        .get("id").asText()));
            }
        }
        Set<String> distinct = ids.stream().map(f -> {
            try {
                return f.get();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).collect(Collectors.toSet());

        assertThat(distinct).hasSize(1);
        assertThat(jobCount()).isEqualTo(before + 1);
    }

    @Test
    void theSameKeyWithAnotherBodyIsAConflict() {
        String first = submit("/v2/echo/run", "key-2", "{\"input\":\"a\"}").json().get("id").asText();

        TestServer.Response r = submit("/v2/echo/run", "key-2", "{\"input\":\"b\"}");

        assertThat(r.status()).isEqualTo(409);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().get("detail").asText()).contains("Idempotency-Key 'key-2'").contains(first)
                .contains("different request");
    }

    @Test
    void runsyncWithAKnownKeyAnswersTheFirstJobsResult() {
        String first = submit("/v2/echo/run", "key-3", "{\"input\":\"x\"}").json().get("id").asText();

        TestServer.Response r = submit("/v2/echo/runsync", "key-3", "{\"input\":\"x\"}");

        assertThat(r.json().get("id").asText()).isEqualTo(first);
        assertThat(r.json().get("status").asText()).isEqualTo("COMPLETED");
        assertThat(r.json().get("output").asText()).isEqualTo("x");
    }

    @Test
    void aBadKeyIsA400() {
        TestServer.Response r = submit("/v2/echo/run", "x".repeat(300), "{\"input\":1}");

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("detail").asText()).contains("Idempotency-Key");
    }
}
