package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.server.logging.JsonLogFormatter;
import dev.hearth.server.logging.LogContext;
import dev.hearth.server.workers.WorkerPool;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The server's JSON log format: one object per line, with the function, job and worker ids where known. */
class JsonLogsTest {

    @RegisterExtension
    static final TestServer hearth = TestServer.withFunctions("echo");

    @Test
    void aRecordIsOneLineOfJsonWithTheIdsOfItsScopeAndItsException() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Logger log = Logger.getLogger("test.json." + System.nanoTime());
        log.setUseParentHandlers(false);
        StreamHandler h = new StreamHandler(out, new JsonLogFormatter());
        log.addHandler(h);

        LogContext.of("echo", "job-1", null).run(() -> LogContext.of(null, null, "w-9").run(() ->
                log.log(Level.WARNING, "it said \"no\"\nthen {0}", new Object[] {"left"})));
        log.log(Level.SEVERE, "outside", new IllegalStateException("bad"));
        h.flush();

        List<JsonNode> lines = lines(out);
        assertThat(lines).hasSize(2);
        JsonNode first = lines.getFirst();
        assertThat(first.get("level").asText()).isEqualTo("WARNING");
        assertThat(first.get("msg").asText()).isEqualTo("it said \"no\"\nthen left");
        assertThat(first.get("function").asText()).isEqualTo("echo");
        assertThat(first.get("job").asText()).isEqualTo("job-1");
        assertThat(first.get("worker").asText()).isEqualTo("w-9");
        assertThat(first.get("logger").asText()).startsWith("test.json.");
        assertThat(first.get("ts").asText()).matches("\\d{4}-.*Z");
        JsonNode second = lines.get(1);
        assertThat(second.has("function")).isFalse();
        assertThat(second.get("exception").asText()).contains("IllegalStateException: bad");
    }

    @Test
    void theControlPlaneNamesTheFunctionAndWorkerInItsRecords() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Logger pool = Logger.getLogger(WorkerPool.class.getName());
        StreamHandler h = new StreamHandler(out, new JsonLogFormatter());
        pool.addHandler(h);
        try {
            String worker = hearth.awaitFinal("echo", hearth.run("echo", "{}")).get("workerId").asText();
            // scale to zero after the 2 s idle timeout: the pool logs the worker's exit
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                h.flush();
                assertThat(lines(out)).anySatisfy(l -> {
                    assertThat(l.get("msg").asText()).contains("exited");
                    assertThat(l.get("worker").asText()).isEqualTo(worker);
                    assertThat(l.get("function").asText()).isEqualTo("echo");
                });
            });
        } finally {
            pool.removeHandler(h);
        }
    }

    private static List<JsonNode> lines(ByteArrayOutputStream out) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                lines.add(TestServer.JSON.readTree(line));
            }
        }
        return lines;
    }
}
