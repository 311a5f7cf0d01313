package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A server started without {@code --webhook-allow} sends no webhook to loopback, link-local or private addresses:
 * IP literals are refused at submit, names that resolve to such addresses at delivery, and the receiver gets nothing.
 */
class WebhookDestinationTest {

    @RegisterExtension
    static final TestServer hearth = TestServer.withFunctions("echo").configured(b -> b.webhookAllow(List.of()));

    @Test
    void aWebhookToTheCloudMetadataAddressIsRefusedAtSubmit() {
        TestServer.Response r = hearth.post("/v2/echo/run",
                "{\"input\":{},\"webhook\":\"http://169.254.169.254/latest/meta-data/\"}");

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("detail").asText()).contains("169.254.169.254").contains("link-local")
                .contains("--webhook-allow");
    }

    @Test
    void aBudgetWebhookToAPrivateAddressIsRefused() {
        TestServer.Response r = hearth.send(java.net.http.HttpRequest.newBuilder(hearth.url().resolve(
                        "/v1/budgets/functions/echo/day")).header("Authorization", "Bearer " + TestServer.KEY)
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString(
                        "{\"limit\":5,\"soft\":1,\"webhook\":\"http://10.0.0.1/hook\"}")));

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("detail").asText()).contains("10.0.0.1").contains("private");
    }

    @Test
    void aNameThatResolvesToLoopbackIsRefusedAtDeliveryAndTheReceiverGetsNothing() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", ex -> {
            calls.incrementAndGet();
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        receiver.start();
        try {
            String url = "http://localhost:" + receiver.getAddress().getPort() + "/hook";
            String id = hearth.post("/v2/echo/run", "{\"input\":{},\"webhook\":\"" + url + "\"}").json().get("id")
                    .asText();

            JsonNode[] delivery = new JsonNode[1];
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                delivery[0] = hearth.status("echo", id).get("webhookDelivery");
                return delivery[0] != null && delivery[0].get("status").asText().equals("failed");
            });
            assertThat(delivery[0].get("attempts").asInt()).isEqualTo(1);
            assertThat(delivery[0].get("lastError").asText()).contains("refused").contains("loopback");
            assertThat(calls.get()).isZero();
        } finally {
            receiver.stop(0);
        }
    }

    @Test
    void aUrlLongerThanTwoKilobytesIsRefused() {
        String url = "https://example.com/" + "a".repeat(2100);
        TestServer.Response r = hearth.post("/v2/echo/run", "{\"input\":{},\"webhook\":\"" + url + "\"}");

        assertThat(r.status()).isEqualTo(400);
        assertThat(r.json().get("detail").asText()).contains("at most 2048");
    }
}
