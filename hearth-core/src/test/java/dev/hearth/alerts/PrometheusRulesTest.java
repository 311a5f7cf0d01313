package dev.hearth.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrometheusRulesTest {

    private static AlertRule rule(String name, String function, String when) {
        return new AlertRule(name, function, AlertCondition.parse(when), null, Instant.EPOCH);
    }

    @Test
    void aLatencyRuleBecomesAHistogramQuantileOverTheEndToEndHistogramWithItsForDuration() {
        PrometheusRules.Export e = PrometheusRules.of(List.of(rule("slow-echo", "echo", "p95 latency > 2s for 5m")));

        assertThat(e.yaml()).contains("- alert: \"slow-echo\"")
                .contains("expr: \"histogram_quantile(0.95, sum by (le) (rate(hearth_job_end_to_end_seconds_bucket"
                        + "{function=\\\"echo\\\"}[5m]))) > 2\"")
                .contains("for: 5m").contains("function: \"echo\"");
        assertThat(e.skipped()).isEmpty();
    }

    @Test
    void ratesSharesAndQueueAgeUseTheirCountersAndGauges() {
        String yaml = PrometheusRules.of(List.of(rule("fails", null, "failure rate > 5% over 10m"),
                rule("spend", "echo", "spend rate > $3/h over 1h"), rule("queue", "echo", "queue age > 30s"),
                rule("loop", "echo", "crash loop"))).yaml();

        assertThat(yaml).contains("sum(rate(hearth_jobs_finished_total{status=~\\\"FAILED|TIMED_OUT\\\"}[10m])) / "
                + "sum(rate(hearth_jobs_finished_total[10m])) > 0.05");
        assertThat(yaml).contains("sum(rate(hearth_cost_usd_total{function=\\\"echo\\\"}[1h])) * 3600 > 3");
        assertThat(yaml).contains("max(hearth_queue_oldest_age_seconds{function=\\\"echo\\\"}) > 30");
        assertThat(yaml).contains("sum(increase(hearth_crash_loops_total{function=\\\"echo\\\"}[10m])) > 0");
    }

    @Test
    void conditionsWithoutAMetricAreLeftOutAndNamed() {
        PrometheusRules.Export e = PrometheusRules.of(List.of(rule("budget", null, "budget share > 80%"),
                rule("gpu", "echo", "no free gpu for 10m")));

        assertThat(e.yaml()).contains("rules: []").doesNotContain("budget share");
        assertThat(e.skipped()).hasSize(2);
        assertThat(e.skipped().getFirst()).startsWith("budget: budget share has no Prometheus metric");
    }
}
