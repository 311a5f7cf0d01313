package dev.hearth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code hearth alert create|ls|rm|history|export} against a real server. */
class AlertCommandsTest {

    @RegisterExtension
    static final CliServer hearth = CliServer.onGpus("none");

    @Test
    void rulesAreCreatedListedWithTheirStateExportedForPrometheusAndRemoved() throws IOException {
        assertThat(hearth.ok("alert", "create", "slow", "--when", "p95 latency > 2s for 5m", "--webhook",
                "https://hooks.example.com/hearth", "--format", "slack").out().strip())
                .isEqualTo("alert slow: p95 latency > 2s over 5m for 5m on all functions, notifying "
                        + "https://hooks.example.com/hearth (slack)");
        hearth.ok("alert", "create", "queued", "--when", "queue age >= 0s");
        hearth.ok("alert", "create", "budget", "--when", "budget share > 80%");

        await().atMost(Duration.ofSeconds(10)).until(() -> hearth.ok("alert", "ls", "--firing").out()
                .contains("queued"));
        String listed = hearth.ok("alert", "ls").out();
        assertThat(listed).contains("NAME").contains("STATE").contains("VALUE")
                .containsPattern("queued\\s+all functions\\s+oldest queued age >= 0s\\s+firing\\s+0s")
                .containsPattern("slow\\s+all functions\\s+p95 latency > 2s over 5m for 5m\\s+ok");
        assertThat(hearth.ok("alert", "history", "queued").out()).contains("firing")
                .contains("oldest queued age of all functions is 0s").contains("none");

        Cli.Result export = hearth.ok("alert", "export", "--prometheus");
        assertThat(export.out()).contains("- alert: \"slow\"")
                .contains("histogram_quantile(0.95, sum by (le) (rate(hearth_job_end_to_end_seconds_bucket[5m]))) > 2")
                .contains("max(hearth_queue_oldest_age_seconds) >= 0").doesNotContain("not exported");
        assertThat(export.err()).contains("not exported: budget: budget share has no Prometheus metric");
        Path file = hearth.dir().resolve("hearth-rules.yaml");
        hearth.ok("alert", "export", "--prometheus", "-o", file.toString());
        assertThat(Files.readString(file)).isEqualTo(export.out());

        for (String name : new String[] {"slow", "queued", "budget"}) {
            assertThat(hearth.ok("alert", "rm", name).out().strip()).isEqualTo("removed alert " + name);
        }
        assertThat(hearth.ok("alert", "ls").out()).startsWith("no alert rules");
    }

    @Test
    void badAlertCommandsSayWhatToFix() {
        Cli.Result badWhen = hearth.run("alert", "create", "x", "--when", "p95 latency > lots");
        assertThat(badWhen.code()).isEqualTo(1);
        assertThat(badWhen.err()).contains("'when' has the threshold 'lots'").contains("2s");
        Cli.Result noKey = hearth.run("alert", "create", "x", "--when", "crash loop", "--webhook",
                "https://events.example.com/v2", "--format", "pagerduty");
        assertThat(noKey.err()).contains("'routingKey' is required");
        assertThat(hearth.run("alert", "rm", "nothing").err()).contains("no alert rule named 'nothing'");
        assertThat(hearth.run("alert", "export").err()).contains("--prometheus");
    }
}
