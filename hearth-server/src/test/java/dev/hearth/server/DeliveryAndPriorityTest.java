package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Webhooks on final states, low-priority jobs, and a graceful restart with a job in flight. */
class DeliveryAndPriorityTest {

    @RegisterExtension
    final TestServer hearth = TestServer.withFunctions();

    @Test
    void theFinalStatusIsPostedToTheWebhookAndANon2xxAnswerIsRetried() throws Exception {
        LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
        AtomicInteger calls = new AtomicInteger();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes());
            int status = calls.incrementAndGet() == 1 ? 500 : 200;
            if (status == 200) {
                received.add(body);
            }
            ex.sendResponseHeaders(status, -1);
            ex.close();
        });
        receiver.start();
        try {
            hearth.deploy("echo");
            String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";

            String id = hearth.post("/v2/echo/run", "{\"input\":{\"w\":1},\"webhook\":\"" + url + "\"}").json()
                    .get("id").asText();

            String body = received.poll(40, TimeUnit.SECONDS);
            assertThat(body).as("webhook delivered after one failed attempt").isNotNull();
            JsonNode status = TestServer.JSON.readTree(body);
            assertThat(status.get("id").asText()).isEqualTo(id);
            assertThat(status.get("status").asText()).isEqualTo("COMPLETED");
            assertThat(status.get("output").get("w").asInt()).isEqualTo(1);
            assertThat(calls.get()).isEqualTo(2);
        } finally {
            receiver.stop(0);
        }
    }

    @Test
    void aLowPriorityJobDoesNotStartAWorkerButRunsOnOneThatExists() {
        hearth.deploy("echo");
        String low = hearth.post("/v2/echo/run", "{\"input\":\"low\",\"policy\":{\"lowPriority\":true}}").json()
                .get("id").asText();

        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() ->
                hearth.workerCount("echo") == 0);
        assertThat(hearth.status("echo", low).get("status").asText()).isEqualTo("IN_QUEUE");

        hearth.post("/v2/echo/runsync", "{\"input\":\"normal\"}");

        assertThat(hearth.awaitFinal("echo", low).get("output").asText()).isEqualTo("low");
    }

    @Test
    void aGracefulStopLetsTheRunningJobFinishAndItsResultSurvivesTheRestart() {
        hearth.deploy("sleepy");
        String id = hearth.run("sleepy", "{\"seconds\":1}");
        await().atMost(Duration.ofSeconds(20)).until(() ->
                hearth.status("sleepy", id).get("status").asText().equals("IN_PROGRESS"));

        hearth.restart();

        JsonNode done = hearth.awaitFinal("sleepy", id);
        assertThat(done.get("status").asText()).isEqualTo("COMPLETED");
        assertThat(done.get("attempts").asInt()).isEqualTo(1);
    }
}
