package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Webhooks are signed as Standard Webhooks (Replicate's scheme), retried with backoff, and their delivery status is
 * shown on the job.
 */
class SignedWebhookTest {

    @RegisterExtension
    static final TestServer hearth = TestServer.withFunctions("echo");

    /** One request as the receiver saw it, with whether its signature checked out under the server's secret. */
    record Received(String id, String timestamp, String signature, String body, boolean verified) {
    }

    private final List<Received> received = new CopyOnWriteArrayList<>();
    private HttpServer receiver;

    /** A receiver that answers 500 to the first {@code failures} requests, then 200. */
    private String receiver(int failures) throws Exception {
        String secret = hearth.get("/v1/webhooks/secret").json().get("secret").asText();
        AtomicInteger calls = new AtomicInteger();
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String id = ex.getRequestHeaders().getFirst("webhook-id");
            String ts = ex.getRequestHeaders().getFirst("webhook-timestamp");
            String sig = ex.getRequestHeaders().getFirst("webhook-signature");
            received.add(new Received(id, ts, sig, body, verify(secret, id, ts, body, sig)));
            ex.sendResponseHeaders(calls.incrementAndGet() <= failures ? 500 : 200, -1);
            ex.close();
        });
        receiver.start();
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
    }

    /** What a receiver does with the Standard Webhooks spec in hand, written independently of the server's code. */
    static boolean verify(String secret, String id, String timestamp, String body, String signatureHeader) {
        if (id == null || timestamp == null || signatureHeader == null || !secret.startsWith("whsec_")) {
            return false;
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring(6)), "HmacSHA256"));
            String expected = Base64.getEncoder().encodeToString(
                    mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8)));
            for (String sig : signatureHeader.split(" ")) {
                if (sig.equals("v1," + expected)) {
                    return true;
                }
            }
            return false;
        } catch (Exception e) {
            return false;
        }
    }

    @AfterEach
    void stopReceiver() {
        if (receiver != null) {
            receiver.stop(0);
        }
    }

    @Test
    void theSecretIsShownInTheStandardWebhooksForm() {
        JsonNode secret = hearth.get("/v1/webhooks/secret").json();

        assertThat(secret.get("secret").asText()).matches("whsec_[A-Za-z0-9+/=]{40,}");
    }

    @Test
    void aFinalStateIsPostedSignedAndRetriedWithBackoffUntilTheReceiverAccepts() throws Exception {
        String url = receiver(2);

        String id = hearth.post("/v2/echo/run", "{\"input\":{\"w\":1},\"webhook\":\"" + url + "\"}").json()
                .get("id").asText();

        await().atMost(Duration.ofSeconds(40)).until(() -> received.size() == 3);
        assertThat(received).allSatisfy(r -> {
            assertThat(r.verified()).as("signature verifies: %s", r).isTrue();
            assertThat(r.id()).isEqualTo(received.getFirst().id());
            assertThat(TestServer.JSON.readTree(r.body()).get("id").asText()).isEqualTo(id);
            assertThat(TestServer.JSON.readTree(r.body()).get("status").asText()).isEqualTo("COMPLETED");
        });
        assertThat(received.getFirst().id()).startsWith("msg_").contains(id);
        assertThat(verify(hearth.get("/v1/webhooks/secret").json().get("secret").asText(), received.getLast().id(),
                received.getLast().timestamp(), received.getLast().body().replace("\"w\":1", "\"w\":2"),
                received.getLast().signature())).as("a tampered body does not verify").isFalse();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode delivery = hearth.status("echo", id).get("webhookDelivery");
            assertThat(delivery.get("status").asText()).isEqualTo("delivered");
            assertThat(delivery.get("attempts").asInt()).isEqualTo(3);
            assertThat(delivery.get("lastStatusCode").asInt()).isEqualTo(200);
            assertThat(delivery.get("id").asText()).isEqualTo(received.getFirst().id());
        });
    }

    @Test
    void aReceiverThatNeverAcceptsEndsFailedAfterTheLastAttempt() throws Exception {
        String url = receiver(Integer.MAX_VALUE);

        String id = hearth.post("/v2/echo/run", "{\"input\":{},\"webhook\":\"" + url + "\"}").json()
                .get("id").asText();

        // 5 attempts, 200 ms, 400 ms, 800 ms and 1.6 s apart with the test server's 200 ms retry delay
        await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> {
            JsonNode delivery = hearth.status("echo", id).get("webhookDelivery");
            assertThat(delivery).as("the job's webhook delivery (none until the job has finished)").isNotNull();
            assertThat(delivery.get("status").asText()).isEqualTo("failed");
            assertThat(delivery.get("attempts").asInt()).isEqualTo(5);
            assertThat(delivery.get("lastStatusCode").asInt()).isEqualTo(500);
            assertThat(delivery.get("lastError").asText()).contains("HTTP 500");
        });
        assertThat(received).hasSize(5);
        long firstToLast = Long.parseLong(received.getLast().timestamp())
                - Long.parseLong(received.getFirst().timestamp());
        assertThat(firstToLast).as("seconds from first to last attempt (backoff adds up to 3 s)")
                .isGreaterThanOrEqualTo(2);
    }
}
