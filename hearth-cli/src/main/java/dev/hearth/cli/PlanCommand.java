package dev.hearth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.client.Hearth;
import dev.hearth.client.ScalingChange;
import dev.hearth.functions.Durations;
import dev.hearth.functions.ScalingConfig;
import dev.hearth.metering.Money;
import dev.hearth.sim.History;
import dev.hearth.sim.HistoryJson;
import dev.hearth.sim.LaneResult;
import dev.hearth.sim.Plan;
import dev.hearth.sim.PlanJson;
import dev.hearth.sim.Planner;
import dev.hearth.sim.Policy;
import dev.hearth.sim.Scenario;
import dev.hearth.sim.ScenarioException;
import dev.hearth.sim.ScenarioParser;
import dev.hearth.sim.Slo;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code hearth plan --scenario plan.yaml [--json]}: the cost planner, with no server; {@code hearth plan FUNCTION
 * [--from-history 24h] [--slo 'p95 < 2s'] [--apply [--yes]]}: the same from a function's real history on a server, and
 * applying the recommendation through the live-scaling API.
 */
@Command(name = "plan", description = "Which scaling policy is cheapest for this traffic at this latency target: "
        + "replays a scenario's traffic (no server needed), or a function's real history on the server, through "
        + "Hearth's own autoscaler on a virtual clock.")
final class PlanCommand implements Callable<Integer> {

    @ParentCommand
    HearthCommand root;

    @Mixin
    ClientOptions client;

    @Parameters(paramLabel = "FUNCTION", arity = "0..1",
            description = "Plan this function of the server from its history (instead of --scenario).")
    String function;

    @Option(names = "--scenario", paramLabel = "FILE",
            description = "The scenario: prices, gpus, slo, seed and functions with their traffic (docs/planner.md).")
    Path scenario;

    @Option(names = "--from-history", paramLabel = "DURATION",
            description = "With FUNCTION: how far back to replay the server's history, e.g. 1h or 24h (default 24h).")
    String since;

    @Option(names = "--slo", paramLabel = "SLO", description = "With FUNCTION: the latency target, e.g. 'p95 < 2s' "
            + "(default: the p95 the server measured over the window, plus a tenth).")
    String slo;

    @Option(names = "--apply", description = "With FUNCTION: apply the recommended scaling through the live-scaling "
            + "API (PATCH /v1/functions/{fn}/scaling), after asking.")
    boolean apply;

    @Option(names = "--yes", description = "With --apply: do not ask.")
    boolean yes;

    @Option(names = "--json", description = "Print the plan as JSON.")
    boolean json;

    @Option(names = "--threads", paramLabel = "N", description = "Policies simulated at once (default: the cores).")
    Integer threads;

    @Override
    public Integer call() {
        Context ctx = root.context();
        if (threads != null && threads < 1) {
            throw CliException.usage("--threads must be at least 1");
        }
        if ((function == null) == (scenario == null)) {
            throw CliException.usage(function == null ? "give a scenario (--scenario plan.yaml) or a FUNCTION of the "
                    + "server to plan from its history" : "give either FUNCTION or --scenario, not both");
        }
        if (function == null && (since != null || slo != null || apply)) {
            throw CliException.usage("--from-history, --slo and --apply need a FUNCTION of the server");
        }
        if (yes && !apply) {
            throw CliException.usage("--yes only goes with --apply");
        }
        Planner planner = new Planner(threads != null ? threads : Runtime.getRuntime().availableProcessors());
        if (function != null) {
            return fromHistory(ctx, planner);
        }
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
        Plan plan = planner.plan(s);
        if (json) {
            ctx.out().println(Json.pretty(PlanJson.write(plan)));
        } else {
            print(plan, ctx);
        }
        return ExitCodes.OK;
    }

    // ---------------------------------------------------------------- from the server's history

    private int fromHistory(Context ctx, Planner planner) {
        Duration window = CliException.duration("--from-history", since == null ? "24h" : since);
        Slo target = null;
        if (slo != null) {
            try {
                target = Slo.parse(slo);
            } catch (IllegalArgumentException e) {
                throw CliException.usage("--slo: " + e.getMessage());
            }
        }
        JsonNode body = ManagementCalls.of(client, ctx).get("/v1/functions/"
                + URLEncoder.encode(function, StandardCharsets.UTF_8).replace("+", "%20") + "/history?since="
                + URLEncoder.encode(Durations.format(window), StandardCharsets.UTF_8));
        History history;
        Plan plan;
        try {
            history = HistoryJson.read(body);
            plan = planner.plan(history.scenario(target != null ? target : history.defaultSlo(), null));
        } catch (ScenarioException e) {
            throw CliException.failure(e.getMessage());
        }
        if (json) {
            ctx.out().println(Json.pretty(PlanJson.write(plan)));
        } else {
            ctx.out().println(function + ": " + history.submittedMs().length + " requests and "
                    + history.initMs().length + " worker starts in the last " + Durations.format(window)
                    + (history.truncated() ? " (the newest ones: the window held more)" : "")
                    + (target == null ? "; SLO from the measured p95" : ""));
            History.Measured m = history.measured();
            if (m != null) {
                ctx.out().println("measured on the server: cost " + m.cost().rounded(4) + ", " + m.coldStarts()
                        + " cold starts, latency p50 " + ms(m.latency().p50()) + ", p95 " + ms(m.latency().p95())
                        + ", p99 " + ms(m.latency().p99()));
            }
            print(plan, ctx);
        }
        return apply ? apply(ctx, plan.functions().getFirst()) : ExitCodes.OK;
    }

    /** Applies the recommendation through the live-scaling API, after asking unless --yes. */
    private int apply(Context ctx, Plan.FunctionPlan f) {
        // with --json, stdout holds the plan alone; what apply says goes to stderr
        var say = json ? ctx.err() : ctx.out();
        Plan.Recommendation r = f.recommendation();
        if (r == null) {
            ctx.err().println("nothing applied: no policy meets the SLO");
            return ExitCodes.FAILURE;
        }
        if (r.policy().equals("current")) {
            say.println("nothing to apply: the current scaling is already the cheapest that meets the SLO");
            return ExitCodes.OK;
        }
        Policy p = f.policies().stream().filter(o -> o.policy().name().equals(r.policy())).findFirst().orElseThrow()
                .policy();
        ScalingConfig s = p.scaling();
        ScalingChange change = new ScalingChange(s.minWorkers(), s.maxWorkers(), s.bufferWorkers(), s.idleTimeout(),
                s.targetConcurrency(), s.scaler().wire(), s.effectiveScalerValue());
        if (!yes) {
            say.print("apply " + r.policy() + " (" + p.describe() + ") to " + function + " now? [y/N] ");
            say.flush();
            String answer;
            try {
                answer = new BufferedReader(new InputStreamReader(ctx.in(), StandardCharsets.UTF_8)).readLine();
            } catch (IOException e) {
                answer = null;
            }
            if (answer == null || !answer.strip().toLowerCase(Locale.ROOT).matches("y|yes")) {
                say.println("not applied");
                return ExitCodes.OK;
            }
        }
        JsonNode now;
        try (Hearth hearth = client.connect(ctx)) {
            now = hearth.scale(function, change);
        }
        say.println("applied " + r.policy() + " to " + function + ": minWorkers " + now.path("minWorkers").asText()
                + ", maxWorkers " + now.path("maxWorkers").asText() + ", bufferWorkers "
                + now.path("bufferWorkers").asText() + ", idleTimeout " + now.path("idleTimeout").asText()
                + ", scaler " + now.path("scaler").asText() + " " + now.path("scalerValue").asText()
                + " (live until the next deploy)");
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
}
