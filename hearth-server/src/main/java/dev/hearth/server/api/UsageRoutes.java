package dev.hearth.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.budgets.Budget;
import dev.hearth.budgets.BudgetPeriod;
import dev.hearth.budgets.BudgetStanding;
import dev.hearth.errors.HearthException;
import dev.hearth.metering.JobCost;
import dev.hearth.metering.Money;
import dev.hearth.metering.PriceCatalog;
import dev.hearth.metering.UsageGrouping;
import dev.hearth.metering.UsageInterval;
import dev.hearth.metering.UsageKind;
import dev.hearth.metering.UsageLine;
import dev.hearth.metering.UsageReport;
import dev.hearth.server.functions.FunctionRegistry;
import dev.hearth.server.metering.Metering;
import dev.hearth.webhooks.WebhookTargets;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Usage, cost and budgets at {@code /v1/usage}, {@code /v1/prices} and {@code /v1/budgets}. */
final class UsageRoutes {

    private static final Set<String> BUDGET_FIELDS = Set.of("limit", "soft", "webhook");

    private final Metering metering;
    private final FunctionRegistry functions;
    private final WebhookTargets webhookTargets;
    private final InstantSource clock;

    UsageRoutes(Metering metering, FunctionRegistry functions, WebhookTargets webhookTargets, InstantSource clock) {
        this.metering = metering;
        this.webhookTargets = webhookTargets;
        this.functions = functions;
        this.clock = clock;
    }

    void register(Router r) {
        Router.Access c = Router.Access.CLIENT;
        r.add("GET", "/v1/usage", c, this::usage)
                .add("GET", "/v1/prices", c, this::prices)
                .add("GET", "/v1/budgets", c, this::listBudgets)
                .add("PUT", "/v1/budgets/global/{period}", c, call -> putBudget(call, null))
                .add("DELETE", "/v1/budgets/global/{period}", c, call -> deleteBudget(call, null))
                .add("PUT", "/v1/budgets/functions/{fn}/{period}", c, call -> putBudget(call, call.param("fn")))
                .add("DELETE", "/v1/budgets/functions/{fn}/{period}", c,
                        call -> deleteBudget(call, call.param("fn")));
    }

    // ---------------------------------------------------------------- usage

    private void usage(Call call) {
        Instant now = clock.instant();
        Instant from = call.queryInstant("from", now, now.minus(Duration.ofHours(24)));
        Instant to = call.queryInstant("to", now, now.plusMillis(1));
        if (!from.isBefore(to)) {
            throw new HearthException.BadRequest("'from' (" + from + ") must be before 'to' (" + to + ")");
        }
        String fn = blankToNull(call.query("function"));
        UsageGrouping by;
        try {
            by = call.query("groupBy") == null || call.query("groupBy").isBlank() ? UsageGrouping.FUNCTION
                    : UsageGrouping.fromWire(call.query("groupBy").trim());
        } catch (IllegalArgumentException e) {
            throw new HearthException.BadRequest(e.getMessage());
        }
        metering.recorder().flush();
        List<UsageInterval> intervals = new ArrayList<>(metering.store().intervals(from, to, fn));
        // running workers: what they have cost so far, attributed to now
        if (!now.isBefore(from) && now.isBefore(to)) {
            metering.recorder().openIntervals().stream().filter(i -> fn == null || fn.equals(i.function()))
                    .forEach(intervals::add);
        }
        List<JobCost> jobCosts = metering.store().jobCosts(from, to, fn);

        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("from", from.toString());
        n.put("to", to.toString());
        if (fn != null) {
            n.put("function", fn);
        }
        n.put("groupBy", by.wire());
        n.put("currency", "USD");
        ArrayNode lines = n.putArray("lines");
        if (by == UsageGrouping.JOB) {
            jobLines(jobCosts, lines);
        } else {
            for (UsageLine l : UsageReport.group(intervals, jobCosts, by)) {
                line(lines.addObject(), l);
            }
        }
        line(n.putObject("total"), UsageReport.total(intervals, jobCosts));
        String format = blankToNull(call.query("format"));
        if (format == null || format.equals("json")) {
            call.json(200, n);
        } else if (format.equals("csv")) {
            call.responseHeader("Content-Disposition", "attachment; filename=\"hearth-usage-" + by.wire() + ".csv\"");
            call.text(200, "text/csv; charset=utf-8", csv(lines));
        } else {
            throw new HearthException.BadRequest("'format' must be json or csv, got '" + format + "'");
        }
    }

    /** The lines as CSV: one row per line, one column per field, nested fields named with dots (cost.idle). */
    private static String csv(ArrayNode lines) {
        List<Map<String, String>> rows = new ArrayList<>();
        java.util.LinkedHashSet<String> columns = new java.util.LinkedHashSet<>();
        for (JsonNode line : lines) {
            Map<String, String> row = new LinkedHashMap<>();
            flatten("", line, row);
            columns.addAll(row.keySet());
            rows.add(row);
        }
        StringBuilder out = new StringBuilder(String.join(",", columns)).append("\r\n");
        for (Map<String, String> row : rows) {
            out.append(columns.stream().map(c -> csvField(row.getOrDefault(c, "")))
                    .collect(java.util.stream.Collectors.joining(","))).append("\r\n");
        }
        return out.toString();
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> row) {
        if (node.isObject()) {
            node.properties().forEach(e -> flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(),
                    e.getValue(), row));
        } else {
            row.put(prefix, node.isNull() ? "" : node.isNumber() ? node.decimalValue().toPlainString() : node.asText());
        }
    }

    /** RFC 4180 quoting; a leading =, +, - or @ is prefixed so spreadsheets do not run it as a formula. */
    private static String csvField(String v) {
        String safe = !v.isEmpty() && "=+-@".indexOf(v.charAt(0)) >= 0 && !v.matches("-?[0-9.]+") ? "'" + v : v;
        boolean quote = safe.chars().anyMatch(ch -> ch == ',' || ch == '"' || ch == '\r' || ch == '\n');
        return quote ? "\"" + safe.replace("\"", "\"\"") + "\"" : safe;
    }

    private static void line(ObjectNode o, UsageLine l) {
        o.put("key", l.key());
        ObjectNode cost = o.putObject("cost");
        cost.put("total", l.billed().dollars());
        ObjectNode seconds = o.putObject("seconds");
        seconds.put("total", l.billedMillis() / 1000.0);
        for (UsageKind k : UsageKind.values()) {
            cost.put(k.wire(), l.cost(k).dollars());
            seconds.put(k.wire(), l.millis(k) / 1000.0);
        }
        ObjectNode gpu = o.putObject("gpuSeconds");
        gpu.put("billed", l.billedGpuMillis() / 1000.0);
        gpu.put("busy", l.busyGpuMillis() / 1000.0);
        double u = l.utilization();
        if (Double.isNaN(u)) {
            o.putNull("utilization");
        } else {
            o.put("utilization", Math.round(u * 10_000) / 10_000.0);
        }
        o.put("jobs", l.jobs());
        o.put("jobCost", l.jobCost().dollars());
        o.put("jobSeconds", l.jobMillis() / 1000.0);
    }

    private static void jobLines(List<JobCost> costs, ArrayNode lines) {
        Map<String, List<JobCost>> byJob = new LinkedHashMap<>();
        costs.forEach(c -> byJob.computeIfAbsent(c.jobId(), k -> new ArrayList<>()).add(c));
        for (Map.Entry<String, List<JobCost>> e : byJob.entrySet()) {
            JobCost last = e.getValue().getLast();
            Money total = Money.ZERO;
            long ms = 0;
            for (JobCost c : e.getValue()) {
                total = total.plus(c.cost());
                ms += c.millis();
            }
            ObjectNode o = lines.addObject();
            o.put("key", e.getKey());
            o.put("function", last.function());
            o.put("version", last.version());
            o.put("worker", last.workerId());
            o.put("resources", last.resources().toString());
            o.put("tier", last.tier().wire());
            o.put("attempts", e.getValue().size());
            o.put("busyMs", ms);
            o.put("cost", total.dollars());
            o.put("endedAt", last.end().toString());
        }
    }

    // ---------------------------------------------------------------- prices

    private void prices(Call call) {
        PriceCatalog c = metering.prices().current();
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("file", metering.prices().file().toString());
        n.put("currency", "USD");
        n.put("unit", "second");
        ObjectNode gpus = n.putObject("gpus");
        c.gpus().forEach((type, r) -> rates(gpus.putObject(type), r));
        if (c.otherGpu() != null) {
            rates(n.putObject("otherGpu"), c.otherGpu());
        }
        rates(n.putObject("cpu"), c.cpu());
        call.json(200, n);
    }

    private static void rates(ObjectNode o, PriceCatalog.Rates r) {
        o.put("onDemand", r.onDemand().stripTrailingZeros());
        o.put("alwaysOn", r.alwaysOn().stripTrailingZeros());
    }

    // ---------------------------------------------------------------- budgets

    private void listBudgets(Call call) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        ArrayNode arr = n.putArray("budgets");
        Instant now = clock.instant();
        for (BudgetStanding s : metering.budgets().standings()) {
            budget(arr.addObject(), s, now);
        }
        call.json(200, n);
    }

    private void putBudget(Call call, String function) {
        BudgetPeriod period = period(call.param("period"));
        if (function != null) {
            functions.require(function);
        }
        JsonNode body = call.json(64L << 10, "budgets");
        if (!body.isObject()) {
            throw new HearthException.BadRequest("the body must be a JSON object such as {\"limit\": 25, \"soft\": 20}");
        }
        for (var it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!BUDGET_FIELDS.contains(f)) {
                throw new HearthException.BadRequest("unknown field '" + f + "'; a budget takes " + BUDGET_FIELDS);
            }
        }
        Money limit = dollars(body.get("limit"), "limit");
        if (limit == null) {
            throw new HearthException.BadRequest("'limit' is required: the cap in US dollars, e.g. {\"limit\": 25}");
        }
        Money soft = dollars(body.get("soft"), "soft");
        String webhook = body.hasNonNull("webhook") ? body.get("webhook").asText() : null;
        if (webhook != null) {
            webhookTargets.check(webhook, "webhook");
        }
        Budget b;
        try {
            b = new Budget(function, period, limit, soft, webhook);
        } catch (IllegalArgumentException e) {
            throw new HearthException.BadRequest(e.getMessage());
        }
        String before = metering.budgets().standings().stream().map(BudgetStanding::budget)
                .filter(old -> java.util.Objects.equals(old.function(), function) && old.period() == period)
                .map(UsageRoutes::terms).findFirst().orElse("none");
        BudgetStanding s = metering.budgets().put(b);
        call.audit(b.describe(), before + " -> " + terms(b));
        ObjectNode n = Json.MAPPER.createObjectNode();
        budget(n, s, clock.instant());
        call.json(200, n);
    }

    /** A budget's terms, for the audit log's before and after. */
    private static String terms(Budget b) {
        return "limit $" + b.limit().dollars().toPlainString() + (b.soft() == null ? ""
                : ", soft $" + b.soft().dollars().toPlainString()) + (b.webhook() == null ? "" : ", webhook " + b.webhook());
    }

    private void deleteBudget(Call call, String function) {
        BudgetPeriod period = period(call.param("period"));
        if (!metering.budgets().delete(function, period)) {
            throw new HearthException.NotFound("there is no " + period.adjective() + " budget of "
                    + (function == null ? "all functions" : "function '" + function + "'"));
        }
        call.json(200, Map.of("deleted", true));
    }

    private static void budget(ObjectNode o, BudgetStanding s, Instant now) {
        Budget b = s.budget();
        o.put("scope", b.isGlobal() ? "global" : "function");
        if (b.function() != null) {
            o.put("function", b.function());
        }
        o.put("period", b.period().wire());
        o.put("limit", b.limit().dollars());
        if (b.soft() != null) {
            o.put("soft", b.soft().dollars());
        }
        if (b.webhook() != null) {
            o.put("webhook", b.webhook());
        }
        o.put("spent", s.spent().dollars());
        o.put("reserved", s.reserved().dollars());
        o.put("reservedJobs", s.reservedJobs());
        Money left = b.limit().minus(s.committed());
        o.put("remaining", (left.nanos() < 0 ? Money.ZERO : left).dollars());
        o.put("periodStart", b.period().start(now).toString());
        o.put("resetsAt", b.period().resetsAt(now).toString());
    }

    private static BudgetPeriod period(String s) {
        try {
            return BudgetPeriod.fromWire(s);
        } catch (IllegalArgumentException e) {
            throw new HearthException.BadRequest(e.getMessage());
        }
    }

    private static Money dollars(JsonNode node, String field) {
        if (node == null || node.isNull()) {
            return null;
        }
        BigDecimal d;
        try {
            d = node.isNumber() ? node.decimalValue() : new BigDecimal(node.asText().trim().replaceFirst("^\\$", ""));
        } catch (NumberFormatException e) {
            throw new HearthException.BadRequest("'" + field + "' must be an amount in US dollars, got '"
                    + node.asText() + "'");
        }
        if (d.signum() <= 0 || d.compareTo(Budget.MAX_DOLLARS) > 0) {
            throw new HearthException.BadRequest("'" + field + "' must be above 0 and at most "
                    + Budget.MAX_DOLLARS.toPlainString() + " (US dollars), got " + shortly(d));
        }
        return Money.ofDollars(d);
    }

    /** A number as the caller can recognise it, without printing a 300-digit expansion of 1e308. */
    private static String shortly(BigDecimal d) {
        return d.precision() - d.scale() > 30 || d.scale() > 30 ? d.toString() : d.toPlainString();
    }

    /** An ISO instant, a date (its UTC midnight), or a duration back from now such as {@code 24h}. */
    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
