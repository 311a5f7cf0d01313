package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code /metrics} parsed by a strict Prometheus text-format parser, against the documented series. */
class MetricsTest {

    @RegisterExtension
    static final TestServer hearth = TestServer.withFunctions("echo", "fails");

    @Test
    void everyDocumentedSeriesIsExposedWithSaneValuesAfterJobsRan() throws IOException {
        for (int i = 0; i < 3; i++) {
            hearth.awaitFinal("echo", hearth.run("echo", "{\"i\":" + i + "}"));
        }
        hearth.awaitFinal("fails", hearth.run("fails", "{}"));
        // a job's final state is visible in the store a moment before the listeners that count it have run
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(value(PrometheusText.parse(
                hearth.get("/metrics").body()), "hearth_jobs_finished_total",
                Map.of("function", "fails", "status", "FAILED"))).isGreaterThanOrEqualTo(1));

        Map<String, PrometheusText.Family> m = PrometheusText.parse(hearth.get("/metrics").body());

        Set<String> documented = documentedMetrics();
        Set<String> exposed = new TreeSet<>();
        m.keySet().stream().filter(n -> n.startsWith("hearth_")).map(MetricsTest::withoutMax).forEach(exposed::add);
        Set<String> expected = new TreeSet<>(documented);
        expected.removeIf(n -> n.startsWith("hearth_gpu_")); // only with nvidia-smi
        assertThat(exposed).as("exposed = documented").containsAll(expected);
        assertThat(documented).as("every exposed metric is in docs/metrics.md").containsAll(exposed);

        Map<String, String> echo = Map.of("function", "echo");
        assertThat(type(m, "hearth_jobs_submitted_total")).isEqualTo("counter");
        assertThat(value(m, "hearth_jobs_submitted_total", echo)).isGreaterThanOrEqualTo(3);
        double completed = value(m, "hearth_jobs_finished_total",
                Map.of("function", "echo", "status", "COMPLETED"));
        assertThat(completed).isGreaterThanOrEqualTo(3);
        assertThat(value(m, "hearth_jobs_finished_total", Map.of("function", "fails", "status", "FAILED")))
                .isGreaterThanOrEqualTo(1);
        assertThat(value(m, "hearth_cold_starts_total", echo)).isGreaterThanOrEqualTo(1);

        assertThat(type(m, "hearth_job_end_to_end_seconds")).isEqualTo("histogram");
        assertThat(m.get("hearth_job_end_to_end_seconds").value("hearth_job_end_to_end_seconds_count", echo))
                .isEqualTo(completed);
        double sum = m.get("hearth_job_end_to_end_seconds").value("hearth_job_end_to_end_seconds_sum", echo);
        assertThat(sum).isPositive().isLessThan(completed * 60);
        assertThat(m.get("hearth_job_queue_delay_seconds").value("hearth_job_queue_delay_seconds_count", echo))
                .isGreaterThanOrEqualTo(3);
        assertThat(m.get("hearth_worker_cold_start_seconds").value("hearth_worker_cold_start_seconds_sum", echo))
                .isPositive().isLessThan(60);

        assertThat(type(m, "hearth_queue_depth")).isEqualTo("gauge");
        assertThat(value(m, "hearth_queue_depth", echo)).isZero();
        assertThat(value(m, "hearth_queue_oldest_age_seconds", echo)).isZero();
        assertThat(value(m, "hearth_jobs_in_progress", echo)).isZero();
        double workers = 0;
        for (String state : new String[] {"starting", "ready", "draining"}) {
            workers += value(m, "hearth_workers", Map.of("function", "echo", "state", state));
        }
        assertThat(workers).isBetween(0.0, 2.0);
        assertThat(value(m, "hearth_timeline_events_dropped_total", Map.of())).isZero();
        m.values().stream().filter(f -> f.name().startsWith("hearth_"))
                .forEach(f -> assertThat(f.help()).as("HELP of " + f.name()).isNotBlank());
    }

    @Test
    void aWaitingJobShowsInQueueDepthAndOldestAge() {
        // no GPU of this kind: the job waits, and the gauges say so
        hearth.deploy("no-gpu-here");
        String id = hearth.post("/v2/no-gpu-here/run", "{\"input\":{}}").json().get("id").asText();
        try {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                Map<String, PrometheusText.Family> m = PrometheusText.parse(hearth.get("/metrics").body());
                assertThat(value(m, "hearth_queue_depth", Map.of("function", "no-gpu-here"))).isEqualTo(1);
                assertThat(value(m, "hearth_queue_oldest_age_seconds", Map.of("function", "no-gpu-here"))).isPositive();
            });
        } finally {
            hearth.post("/v2/no-gpu-here/cancel/" + id, "{}");
            hearth.delete("/v1/functions/no-gpu-here");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> !hearth.get("/metrics").body()
                .contains("function=\"no-gpu-here\""));
    }

    private static String withoutMax(String family) {
        return family.endsWith("_max") ? family.substring(0, family.length() - 4) : family;
    }

    private static String type(Map<String, PrometheusText.Family> m, String family) {
        assertThat(m).containsKey(family);
        return m.get(family).type();
    }

    private static double value(Map<String, PrometheusText.Family> m, String family, Map<String, String> labels) {
        assertThat(m).as("metrics").containsKey(family);
        return m.get(family).value(family, labels);
    }

    /** The metric names in the tables of docs/metrics.md. */
    static Set<String> documentedMetrics() throws IOException {
        Path doc = Path.of("..", "docs", "metrics.md");
        Matcher row = Pattern.compile("(?m)^\\| `(hearth_[a-z_]+)` \\|").matcher(Files.readString(doc));
        Set<String> names = new TreeSet<>();
        while (row.find()) {
            names.add(row.group(1));
        }
        assertThat(names).as("metrics documented in " + doc).isNotEmpty();
        return names;
    }
}
