package dev.hearth.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.functions.Durations;
import dev.hearth.functions.ScalingConfig;
import dev.hearth.metering.Money;
import java.math.BigDecimal;

/**
 * A {@link Plan} as JSON (docs/planner.md): what {@code hearth plan --json} prints and the server's
 * {@code GET /v1/functions/{fn}/plan} answers. Costs are dollars as numbers, latencies seconds.
 */
public final class PlanJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private PlanJson() {
    }

    public static ObjectNode write(Plan plan) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("slo", plan.slo().toString());
        ArrayNode functions = root.putArray("functions");
        for (Plan.FunctionPlan f : plan.functions()) {
            ObjectNode fn = functions.addObject();
            fn.put("name", f.name());
            ArrayNode policies = fn.putArray("policies");
            for (Plan.Outcome o : f.policies()) {
                LaneResult r = o.result();
                ObjectNode p = policies.addObject();
                p.put("name", o.policy().name());
                scaling(p.putObject("scaling"), o.policy().scaling());
                p.put("requests", r.requests());
                p.put("cost", dollars(r.cost()));
                p.put("billedGpuSeconds", r.billedMillis() / 1000.0);
                p.put("busyGpuSeconds", r.busyMillis() / 1000.0);
                p.put("utilization", r.utilization());
                p.put("coldStarts", r.coldStarts());
                p.put("coldStartShare", r.coldStartShare());
                latency(p.putObject("latency"), r.latency());
                latency(p.putObject("queueDelay"), r.queueDelay());
                p.put("peakWorkers", r.peakWorkers());
                p.put("meetsSlo", o.meetsSlo());
            }
            Plan.Recommendation r = f.recommendation();
            if (r == null) {
                fn.putNull("recommendation");
            } else {
                ObjectNode rec = fn.putObject("recommendation");
                rec.put("policy", r.policy());
                rec.put("cost", dollars(r.cost()));
                rec.put("savingVsCurrent", dollars(r.savingVsCurrent()));
                rec.put("savingVsDedicated", dollars(r.savingVsDedicated()));
            }
        }
        return root;
    }

    /** The scaling block as the live-scaling API takes and shows it ({@code PATCH /v1/functions/{fn}/scaling}). */
    public static void scaling(ObjectNode o, ScalingConfig s) {
        o.put("minWorkers", s.minWorkers()).put("maxWorkers", s.maxWorkers())
                .put("idleTimeout", Durations.format(s.idleTimeout())).put("concurrency", s.concurrency())
                .put("bufferWorkers", s.bufferWorkers()).put("targetConcurrency", s.targetConcurrency())
                .put("scaler", s.scaler().wire()).put("scalerValue", s.effectiveScalerValue());
    }

    /** Mean and percentiles in seconds. */
    static void latency(ObjectNode o, Latency l) {
        o.put("mean", l.mean() / 1000).put("p50", l.p50() / 1000.0).put("p95", l.p95() / 1000.0)
                .put("p99", l.p99() / 1000.0);
    }

    /** Dollars as a plain JSON number (80.352, never 8.0352E+1); null stays null. */
    static BigDecimal dollars(Money m) {
        return m == null ? null : new BigDecimal(m.dollars().toPlainString());
    }
}
