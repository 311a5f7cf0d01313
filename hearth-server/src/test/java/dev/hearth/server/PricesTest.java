package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code GET /v1/prices} shows the catalog in force, and an edit of {@code prices.yaml} is picked up while running. */
class PricesTest {

    @RegisterExtension
    final TestServer hearth = TestServer.withFunctions();

    @Test
    void pricesAreTheDefaultCatalogOnFirstStart() {
        JsonNode prices = hearth.get("/v1/prices").json();

        assertThat(prices.get("file").asText()).isEqualTo(hearth.dataDir().resolve("prices.yaml").toString());
        assertThat(prices.get("unit").asText()).isEqualTo("second");
        assertThat(prices.get("gpus").get("H100").get("onDemand").decimalValue())
                .isEqualByComparingTo(new BigDecimal("0.00116"));
        assertThat(prices.get("gpus").get("H100").get("alwaysOn").decimalValue())
                .isEqualByComparingTo(new BigDecimal("0.00093"));
        assertThat(prices.get("otherGpu").get("onDemand").decimalValue()).isEqualByComparingTo(new BigDecimal("0.00076"));
        assertThat(prices.get("cpu").get("onDemand").decimalValue()).isEqualByComparingTo(new BigDecimal("0.0000131"));
    }

    @Test
    void anEditedCatalogIsPickedUpAndABrokenEditLeavesThePricesInForce() throws Exception {
        Path file = hearth.dataDir().resolve("prices.yaml");
        write(file, """
                unit: hour
                gpus:
                  H100: {onDemand: 3.6, alwaysOn: 1.8}
                cpu: {onDemand: 0.036, alwaysOn: 0.036}
                """, 1);

        // per hour in the file, per second on the wire
        await().atMost(Duration.ofSeconds(20)).until(() -> hearth.get("/v1/prices").json().get("gpus").get("H100")
                .get("onDemand").decimalValue().compareTo(new BigDecimal("0.001")) == 0);
        JsonNode edited = hearth.get("/v1/prices").json();
        assertThat(edited.get("gpus").get("H100").get("alwaysOn").decimalValue())
                .isEqualByComparingTo(new BigDecimal("0.0005"));
        assertThat(edited.get("gpus").has("L4")).isFalse();
        assertThat(edited.has("otherGpu")).isFalse();
        assertThat(edited.get("cpu").get("onDemand").decimalValue()).isEqualByComparingTo(new BigDecimal("0.00001"));

        List<String> warnings = new CopyOnWriteArrayList<>();
        Logger log = Logger.getLogger("dev.hearth.server.metering.PriceCatalogFile");
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
                    warnings.add(r.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(handler);
        try {
            write(file, "unit: fortnight\n", 2);
            await().atMost(Duration.ofSeconds(20)).until(() -> !warnings.isEmpty());
        } finally {
            log.removeHandler(handler);
        }

        assertThat(warnings.getFirst()).contains("the previous prices stay in force");
        assertThat(hearth.get("/v1/prices").json()).isEqualTo(edited);
    }

    /** Writes the file with a modification time {@code step} minutes ahead, so the change shows whatever the clock. */
    private static void write(Path file, String yaml, int step) throws Exception {
        Files.writeString(file, yaml);
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plus(Duration.ofMinutes(step))));
    }
}
