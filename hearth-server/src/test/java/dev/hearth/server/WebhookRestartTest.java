package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A webhook delivery still being retried when the control plane stops is resumed by the next one. */
class WebhookRestartTest {

    // retries 1 s, 2 s, 4 s, 8 s apart: the restart falls well inside the delivery's retries
    @RegisterExtension
    final TestServer hearth = TestServer.withFunctions("echo")
            .configured(b -> b.webhookRetryDelay(Duration.ofSeconds(1)));

    private final List<String> ids = new CopyOnWriteArrayList<>();
    private final List<Instant> arrivals = new CopyOnWriteArrayList<>();
    private final AtomicBoolean accepting = new AtomicBoolean();
    private HttpServer receiver;

    @AfterEach
    void stopReceiver() {
        if (receiver != null) {
            receiver.stop(0);
        }
    }

    @Test
    void aPendingDeliveryIsResumedAfterARestartWithTheSameWebhookId() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", ex -> {
            ex.getRequestBody().readAllBytes();
            ids.add(ex.getRequestHeaders().getFirst("webhook-id"));
            arrivals.add(Instant.now());
            ex.sendResponseHeaders(accepting.get() ? 200 : 503, -1);
            ex.close();
        });
        receiver.start();
        String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
        String id = hearth.post("/v2/echo/run", "{\"input\":{},\"webhook\":\"" + url + "\"}").json().get("id")
                .asText();
        await().atMost(Duration.ofSeconds(30)).until(() -> !ids.isEmpty());
        assertThat(hearth.status("echo", id).get("webhookDelivery").get("status").asText()).isEqualTo("pending");

        hearth.restart();
        Instant restarted = Instant.now();
        accepting.set(true);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode delivery = hearth.status("echo", id).get("webhookDelivery");
            assertThat(delivery.get("status").asText()).isEqualTo("delivered");
            assertThat(delivery.get("lastStatusCode").asInt()).isEqualTo(200);
            assertThat(delivery.get("attempts").asInt()).isEqualTo(ids.size()).isGreaterThanOrEqualTo(2);
        });
        assertThat(arrivals.getLast()).as("delivered by the restarted control plane").isAfter(restarted);
        assertThat(ids).as("one event, one webhook-id on every attempt").containsOnly(ids.getFirst());
    }
}
