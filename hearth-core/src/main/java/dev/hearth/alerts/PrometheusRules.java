package dev.hearth.alerts;

import dev.hearth.functions.Durations;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Alert rules as Prometheus alerting rules over the metrics Hearth exports at {@code /metrics} (docs/metrics.md), so
 * that Alertmanager can route them. Conditions with no metric to compute them from (budget share, no free GPU) are
 * left out and named. Pure.
 */
public final class PrometheusRules {

    /** The rules file, and why the rules left out of it were left out. */
    public record Export(String yaml, List<String> skipped) {
    }

    private PrometheusRules() {
    }

    public static Export of(List<AlertRule> rules) {
        StringBuilder y = new StringBuilder();
        y.append("# Hearth alert rules as Prometheus alerting rules (hearth alert export --prometheus).\n");
        y.append("# Values are in base units: seconds, fractions (0.05 = 5%), US dollars per hour.\n");
        y.append("groups:\n  - name: hearth\n    rules:\n");
        List<String> skipped = new ArrayList<>();
        int written = 0;
        for (AlertRule r : rules) {
            Optional<String> expr = expression(r);
            if (expr.isEmpty()) {
                skipped.add(r.name() + ": " + r.condition().metric().phrase() + " has no Prometheus metric; "
                        + "Hearth evaluates it itself");
                continue;
            }
            written++;
            AlertCondition c = r.condition();
            y.append("      - alert: ").append(quote(r.name())).append('\n');
            y.append("        expr: ").append(quote(expr.get())).append('\n');
            if (!c.holdFor().isZero()) {
                y.append("        for: ").append(Durations.format(c.holdFor())).append('\n');
            }
            y.append("        labels:\n          severity: error\n");
            if (r.function() != null) {
                y.append("          function: ").append(quote(r.function())).append('\n');
            }
            y.append("        annotations:\n");
            y.append("          summary: ").append(quote(c.metric().phrase() + " of " + r.scope() + " "
                    + c.comparison().symbol() + " " + c.format(c.threshold()))).append('\n');
            y.append("          hearth_condition: ").append(quote(c.text())).append('\n');
            if (c.metric() == AlertMetric.CRASH_LOOP) {
                y.append("          note: ").append(quote("fires for " + Durations.format(CRASH_LOOP_WINDOW)
                        + " after a crash loop is found; Hearth's own rule stays firing until it ends")).append('\n');
            }
        }
        if (written == 0) {
            y.setLength(0);
            y.append("# Hearth alert rules as Prometheus alerting rules (hearth alert export --prometheus).\n");
            y.append("groups:\n  - name: hearth\n    rules: []\n");
        }
        return new Export(y.toString(), List.copyOf(skipped));
    }

    private static final java.time.Duration CRASH_LOOP_WINDOW = java.time.Duration.ofMinutes(10);

    /** The PromQL expression that is true while the rule's condition holds, if its metric is exported. */
    static Optional<String> expression(AlertRule r) {
        AlertCondition c = r.condition();
        String sel = r.function() == null ? "" : "{function=\"" + r.function() + "\"}";
        String w = c.window() == null ? "" : "[" + Durations.format(c.window()) + "]";
        String cmp = " " + c.comparison().symbol() + " " + number(c.threshold());
        String expr = switch (c.metric()) {
            case LATENCY_P50 -> quantile(0.5, "hearth_job_end_to_end_seconds", sel, w);
            case LATENCY_P95 -> quantile(0.95, "hearth_job_end_to_end_seconds", sel, w);
            case LATENCY_P99 -> quantile(0.99, "hearth_job_end_to_end_seconds", sel, w);
            case QUEUE_DELAY_P95 -> quantile(0.95, "hearth_job_queue_delay_seconds", sel, w);
            case QUEUE_AGE -> "max(hearth_queue_oldest_age_seconds" + sel + ")";
            case FAILURE_RATE -> "sum(rate(hearth_jobs_finished_total" + labels(r, "status=~\"FAILED|TIMED_OUT\"")
                    + w + ")) / sum(rate(hearth_jobs_finished_total" + sel + w + "))";
            case COLD_START_SHARE -> "sum(rate(hearth_cold_starts_total" + sel + w
                    + ")) / sum(rate(hearth_jobs_finished_total" + sel + w + "))";
            case SPEND_RATE -> "sum(rate(hearth_cost_usd_total" + sel + w + ")) * 3600";
            case CRASH_LOOP -> "sum(increase(hearth_crash_loops_total" + sel + "["
                    + Durations.format(CRASH_LOOP_WINDOW) + "]))";
            case BUDGET_SHARE, NO_FREE_GPU -> null;
        };
        if (expr == null) {
            return Optional.empty();
        }
        return Optional.of(c.metric() == AlertMetric.CRASH_LOOP ? expr + " > 0" : expr + cmp);
    }

    private static String quantile(double q, String histogram, String sel, String w) {
        return "histogram_quantile(" + number(q) + ", sum by (le) (rate(" + histogram + "_bucket" + sel + w + ")))";
    }

    private static String labels(AlertRule r, String more) {
        return r.function() == null ? "{" + more + "}" : "{function=\"" + r.function() + "\", " + more + "}";
    }

    private static String number(double v) {
        return new java.math.BigDecimal(v).round(new java.math.MathContext(6)).stripTrailingZeros().toPlainString();
    }

    /** A YAML double-quoted scalar. */
    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
