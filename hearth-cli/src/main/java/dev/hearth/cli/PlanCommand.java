package dev.hearth.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.functions.Durations;
import dev.hearth.functions.ScalingConfig;
import dev.hearth.metering.Money;
import dev.hearth.sim.LaneResult;
import dev.hearth.sim.Latency;
import dev.hearth.sim.Plan;
import dev.hearth.sim.Planner;
import dev.hearth.sim.Scenario;
import dev.hearth.sim.ScenarioException;
import dev.hearth.sim.ScenarioParser;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code hearth plan --scenario plan.yaml [--json]}: the cost planner, with no server. */
@Command(name = "plan", description = "Which scaling policy is cheapest for this traffic at this latency target: "
        + "replays a scenario's traffic through Hearth's own autoscaler on a virtual clock (no server needed).")
final class PlanCommand implements Callable<Integer> {

    @ParentCommand
    HearthCommand root;

    @Option(names = "--scenario", paramLabel = "FILE", required = true,
            description = "The scenario: prices, gpus, slo, seed and functions with their traffic (docs/planner.md).")
    Path scenario;

    @Option(names = "--json", description = "Print the plan as JSON.")
    boolean json;

    @Option(names = "--threads", paramLabel = "N", description = "Policies simulated at once (default: the cores).")
    Integer threads;

    @Override
    public Integer call() {
        Context ctx = root.context();
        Path file = ctx.resolve(scenario);
        if (!Files.isRegularFile(file)) {
            throw CliException.usage("--scenario: no such file " + file);
        }
        Scenario s;
        try {
            s = ScenarioParser.read(file);
        } catch (ScenarioException e) {
            throw CliException.usage(file.getFileName() + ": " + e.getMessage());
        }
        if (threads != null && threads < 1) {
            throw CliException.usage("--threads must be at least 1");
        }
        Plan plan = new Planner(threads != null ? threads : Runtime.getRuntime().availableProcessors()).plan(s);
        if (json) {
            ctx.out().println(Json.pretty(json(plan)));
        } else {
            print(plan, ctx);
        }
        return ExitCodes.OK;
    }

    // ---------------------------------------------------------------- table

    private static void print(Plan plan, Context ctx) {
        Money recommended = Money.ZERO;
        Money current = Money.ZERO;
        boolean allRecommended = true;
        for (Plan.FunctionPlan f : plan.functions()) {
            ctx.out().println(f.name() + ": " + f.requests() + " requests; SLO " + plan.slo() + " (end-to-end)");
            Table t = new Table("POLICY", "SCALING", "COST", "GPU-S BILLED", "GPU-S BUSY", "UTIL", "COLD", "DELAY P95",
                    "LATENCY P50", "P95", "P99", "PEAK", "SLO");
            for (Plan.Outcome o : f.policies()) {
                LaneResult r = o.result();
                t.row(o.policy().name(), o.policy().describe(), r.cost().rounded(4), seconds(r.billedMillis()),
                        seconds(r.busyMillis()), percent(r.utilization()),
                        r.coldStarts() + " (" + percent(r.coldStartShare()) + ")", ms(r.queueDelay().p95()),
                        ms(r.latency().p50()), ms(r.latency().p95()), ms(r.latency().p99()), r.peakWorkers(),
                        o.meetsSlo() ? "yes" : "no");
                if (o.policy().name().equals("current")) {
                    current = current.plus(r.cost());
                }
            }
            t.print(ctx.out());
            Plan.Recommendation r = f.recommendation();
            if (r == null) {
                allRecommended = false;
                ctx.out().println("no policy meets the SLO; try more GPUs in 'gpus' or a looser 'slo'");
            } else {
                recommended = recommended.plus(r.cost());
                StringBuilder line = new StringBuilder("recommended: " + r.policy() + " at " + r.cost().rounded(4));
                if (r.savingVsCurrent() != null) {
                    line.append(", saves ").append(r.savingVsCurrent().rounded(4)).append(" against current");
                }
                if (r.savingVsDedicated() != null) {
                    line.append(", ").append(r.savingVsDedicated().rounded(4))
                            .append(" against the cheapest dedicated fleet that meets the SLO");
                }
                ctx.out().println(line);
            }
            ctx.out().println();
        }
        if (plan.functions().size() > 1 && allRecommended) {
            ctx.out().println("total: " + recommended.rounded(4) + " with the recommendations, " + current.rounded(4)
                    + " with the current scaling");
        }
    }

    private static String seconds(long millis) {
        return String.format(Locale.ROOT, "%.0f", millis / 1000.0);
    }

    private static String percent(double share) {
        return String.format(Locale.ROOT, "%.1f%%", share * 100);
    }

    private static String ms(long millis) {
        return millis < 10_000 ? millis + "ms" : String.format(Locale.ROOT, "%.1fs", millis / 1000.0);
    }

    // ---------------------------------------------------------------- JSON

    private static ObjectNode json(Plan plan) {
        ObjectNode root = Json.MAPPER.createObjectNode();
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

    /** The scaling block as the live-scaling API takes it ({@code PATCH /v1/functions/{fn}/scaling}). */
    private static void scaling(ObjectNode o, ScalingConfig s) {
        o.put("minWorkers", s.minWorkers()).put("maxWorkers", s.maxWorkers())
                .put("idleTimeout", Durations.format(s.idleTimeout())).put("concurrency", s.concurrency())
                .put("bufferWorkers", s.bufferWorkers()).put("targetConcurrency", s.targetConcurrency())
                .put("scaler", s.scaler().wire()).put("scalerValue", s.effectiveScalerValue());
    }

    /** Seconds. */
    private static void latency(ObjectNode o, Latency l) {
        o.put("mean", l.mean() / 1000).put("p50", l.p50() / 1000.0).put("p95", l.p95() / 1000.0)
                .put("p99", l.p99() / 1000.0);
    }

    /** Dollars as a plain JSON number (80.352, never 8.0352E+1). */
    private static BigDecimal dollars(Money m) {
        return m == null ? null : new BigDecimal(m.dollars().toPlainString());
    }
}
