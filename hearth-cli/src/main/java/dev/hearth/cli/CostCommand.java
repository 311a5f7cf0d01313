package dev.hearth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code hearth cost [function] [--since 24h] [--group-by function|version|day|worker|job]}. */
@Command(name = "cost", description = "What functions cost: busy, idle and cold-start time at the price catalog's "
        + "rates, and how much of the billed GPU time did work.")
final class CostCommand implements Callable<Integer> {

    @ParentCommand
    HearthCommand root;

    @Mixin
    ClientOptions client;

    @Parameters(paramLabel = "FUNCTION", arity = "0..1", description = "Only this function.")
    String function;

    @Option(names = "--since", paramLabel = "DURATION", defaultValue = "24h",
            description = "How far back: 30m, 24h, 7d, or a date such as 2026-11-01 (default: ${DEFAULT-VALUE}).")
    String since;

    @Option(names = "--group-by", paramLabel = "GROUP", defaultValue = "function",
            description = "function, version, day, worker or job (default: ${DEFAULT-VALUE}).")
    String groupBy;

    @Override
    public Integer call() {
        Context ctx = root.context();
        StringBuilder path = new StringBuilder("/v1/usage?from=").append(enc(since)).append("&groupBy=")
                .append(enc(groupBy));
        if (function != null) {
            path.append("&function=").append(enc(function));
        }
        JsonNode usage = ManagementCalls.of(client, ctx).get(path.toString());
        JsonNode lines = usage.get("lines");
        if (lines.isEmpty()) {
            ctx.out().println("no usage" + (function == null ? "" : " of " + function) + " since "
                    + usage.get("from").asText());
            return ExitCodes.OK;
        }
        if ("job".equals(usage.get("groupBy").asText())) {
            Table t = new Table("JOB", "FUNCTION", "VERSION", "RESOURCES", "TIER", "ATTEMPTS", "BUSY", "COST");
            for (JsonNode l : lines) {
                t.row(l.get("key").asText(), l.get("function").asText(), l.get("version").asInt(),
                        l.get("resources").asText(), l.get("tier").asText(), l.get("attempts").asInt(),
                        seconds(l.get("busyMs").asLong() / 1000.0), Json.money(l.get("cost")));
            }
            t.print(ctx.out());
            return ExitCodes.OK;
        }
        Table t = new Table(usage.get("groupBy").asText().toUpperCase(), "COST", "BUSY", "IDLE", "COLD-START",
                "DRAINING", "PREINIT", "JOBS", "GPU-S BILLED", "GPU-S BUSY", "UTILIZATION");
        for (JsonNode l : lines) {
            row(t, l.get("key").asText(), l);
        }
        JsonNode total = usage.get("total");
        if (lines.size() > 1) {
            row(t, "total", total);
        }
        t.print(ctx.out());
        BigDecimal overhead = total.get("cost").get("idle").decimalValue()
                .add(total.get("cost").get("starting").decimalValue());
        ctx.out().println();
        ctx.out().println("idle and cold-start cost (what scale-to-zero saves): " + Json.money(overhead) + " of "
                + Json.money(total.get("cost").get("total")) + " since " + usage.get("from").asText());
        BigDecimal preinit = total.get("cost").path("preinit").decimalValue();
        if (preinit.signum() > 0) {
            ctx.out().println("pre-initialized workers (scaling.preinit, billed at the CPU rate while they wait for "
                    + "GPUs): " + Json.money(preinit));
        }
        return ExitCodes.OK;
    }

    private static void row(Table t, String key, JsonNode l) {
        JsonNode c = l.get("cost");
        JsonNode u = l.get("utilization");
        t.row(key, Json.money(c.get("total")), Json.money(c.get("busy")), Json.money(c.get("idle")), Json.money(c.get("starting")),
                Json.money(c.get("draining")), Json.money(c.path("preinit")), l.get("jobs").asLong(), seconds(l.get("gpuSeconds").get("billed").asDouble()),
                seconds(l.get("gpuSeconds").get("busy").asDouble()),
                u == null || u.isNull() ? null : Math.round(u.asDouble() * 1000) / 10.0 + "%");
    }

    private static String seconds(double s) {
        return String.format(java.util.Locale.ROOT, "%.1fs", s);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
