package dev.hearth.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.functions.Durations;
import dev.hearth.functions.GpuRequest;
import dev.hearth.functions.ManifestException;
import dev.hearth.functions.ManifestParser;
import dev.hearth.functions.ScalingConfig;
import dev.hearth.metering.Money;
import dev.hearth.metering.PriceCatalog;
import dev.hearth.metering.PriceCatalogException;
import dev.hearth.metering.PriceCatalogParser;
import dev.hearth.placement.Gpu;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link History} as the server's {@code GET /v1/functions/{fn}/history} writes it and {@code hearth plan
 * --from-history} reads it back (docs/api.md): one class for both sides, so the two cannot drift apart.
 */
public final class HistoryJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private HistoryJson() {
    }

    public static ObjectNode write(History h) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("function", h.function());
        n.put("from", h.from().toString());
        n.put("to", h.to().toString());
        if (h.gpu() == null) {
            n.putNull("gpu");
        } else {
            ObjectNode g = n.putObject("gpu");
            ArrayNode types = g.putArray("types");
            h.gpu().types().forEach(types::add);
            g.put("count", h.gpu().count());
        }
        n.put("cpu", h.cpu());
        n.put("priority", h.priority());
        scaling(n.putObject("scaling"), h.scaling());
        ArrayNode fleet = n.putArray("fleet");
        for (Gpu g : h.fleet()) {
            fleet.addObject().put("node", g.node()).put("index", g.index()).put("type", g.type())
                    .put("memoryMiB", g.memoryMiB());
        }
        prices(n.putObject("prices"), h.prices());
        ObjectNode req = n.putObject("requests");
        req.put("count", h.submittedMs().length);
        req.put("truncated", h.truncated());
        ArrayNode at = req.putArray("submittedMs");
        for (long t : h.submittedMs()) {
            at.add(t);
        }
        ArrayNode exec = req.putArray("executionMs");
        for (long e : h.executionMs()) {
            exec.add(e);
        }
        ObjectNode starts = n.putObject("workerStarts");
        starts.put("count", h.initMs().length);
        ArrayNode init = starts.putArray("initMs");
        for (long i : h.initMs()) {
            init.add(i);
        }
        History.Measured m = h.measured();
        if (m != null) {
            ObjectNode o = n.putObject("measured");
            o.put("requests", m.requests());
            o.put("coldStarts", m.coldStarts());
            PlanJson.latency(o.putObject("latency"), m.latency());
            o.put("cost", PlanJson.dollars(m.cost()));
        }
        return n;
    }

    /** @throws ScenarioException naming the field when the document is not a history */
    public static History read(JsonNode n) {
        try {
            String function = text(n, "function");
            Instant from = Instant.parse(text(n, "from"));
            Instant to = Instant.parse(text(n, "to"));
            GpuRequest gpu = null;
            JsonNode g = n.get("gpu");
            if (g != null && !g.isNull()) {
                List<String> types = new ArrayList<>();
                g.get("types").forEach(t -> types.add(t.asText()));
                gpu = new GpuRequest(types, g.get("count").asInt());
            }
            ScalingConfig scaling = ManifestParser.scaling(n.get("scaling"));
            List<Gpu> fleet = new ArrayList<>();
            for (JsonNode x : n.withArray("fleet")) {
                fleet.add(new Gpu(x.get("node").asText(), x.get("index").asInt(), x.get("type").asText(),
                        x.path("memoryMiB").asLong()));
            }
            PriceCatalog prices = PriceCatalogParser.parse(n.get("prices").toString());
            JsonNode req = n.get("requests");
            long[] at = longs(req.get("submittedMs"));
            long[] exec = longs(req.get("executionMs"));
            long[] init = longs(n.get("workerStarts").get("initMs"));
            History.Measured measured = null;
            JsonNode m = n.get("measured");
            if (m != null && !m.isNull()) {
                JsonNode l = m.get("latency");
                measured = new History.Measured(m.get("requests").asInt(), m.get("coldStarts").asInt(),
                        new Latency(l.get("mean").asDouble() * 1000, millis(l.get("p50")), millis(l.get("p95")),
                                millis(l.get("p99"))), Money.ofDollars(m.get("cost").decimalValue()));
            }
            return new History(function, from, to, gpu, n.path("cpu").asDouble(1),
                    n.path("priority").asInt(ManifestParser.DEFAULT_PRIORITY), scaling, fleet, prices, at, exec,
                    req.path("truncated").asBoolean(), init, measured);
        } catch (ManifestException | PriceCatalogException | DateTimeParseException | IllegalArgumentException
                 | NullPointerException e) {
            throw new ScenarioException("the server's history is not one this planner reads: " + e.getMessage());
        }
    }

    /** The scaling block as the live-scaling API takes it; the scaler value only when one was set. */
    static void scaling(ObjectNode o, ScalingConfig s) {
        o.put("minWorkers", s.minWorkers()).put("maxWorkers", s.maxWorkers())
                .put("idleTimeout", Durations.format(s.idleTimeout())).put("concurrency", s.concurrency())
                .put("bufferWorkers", s.bufferWorkers()).put("targetConcurrency", s.targetConcurrency())
                .put("scaler", s.scaler().wire());
        if (s.scalerValue() > 0) {
            o.put("scalerValue", s.scalerValue());
        }
    }

    private static void prices(ObjectNode o, PriceCatalog c) {
        o.put("unit", "second");
        ObjectNode gpus = o.putObject("gpus");
        c.gpus().forEach((type, r) -> rates(gpus.putObject(type), r));
        if (c.otherGpu() != null) {
            rates(o.putObject("otherGpu"), c.otherGpu());
        }
        rates(o.putObject("cpu"), c.cpu());
    }

    private static void rates(ObjectNode o, PriceCatalog.Rates r) {
        o.put("onDemand", new BigDecimal(r.onDemand().stripTrailingZeros().toPlainString()));
        o.put("alwaysOn", new BigDecimal(r.alwaysOn().stripTrailingZeros().toPlainString()));
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException("'" + field + "' is missing");
        }
        return v.asText();
    }

    private static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asLong();
        }
        return out;
    }

    private static long millis(JsonNode seconds) {
        return Math.round(seconds.asDouble() * 1000);
    }
}
