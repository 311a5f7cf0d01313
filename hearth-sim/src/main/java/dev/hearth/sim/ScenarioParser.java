package dev.hearth.sim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.hearth.functions.Durations;
import dev.hearth.functions.GpuRequest;
import dev.hearth.functions.ManifestException;
import dev.hearth.functions.ManifestParser;
import dev.hearth.functions.ScalingConfig;
import dev.hearth.metering.PriceCatalog;
import dev.hearth.metering.PriceCatalogException;
import dev.hearth.metering.PriceCatalogParser;
import dev.hearth.placement.BestFitPlacement;
import dev.hearth.placement.ConfiguredGpuInventory;
import dev.hearth.placement.Gpu;
import dev.hearth.yaml.UnknownFields;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a planner scenario strictly, like the manifest parser: unknown keys and bad values are errors that name the
 * field and show what to write. See {@code docs/planner.md} for the format.
 */
public final class ScenarioParser {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> TOP = Set.of("prices", "gpus", "slo", "seed", "functions");
    private static final Set<String> FUNCTION = Set.of("name", "gpu", "cpu", "priority", "execution", "init",
            "concurrency", "traffic", "scaling", "policies");
    private static final Set<String> DISTRIBUTION = Set.of("fixed", "exponential", "p50", "p95");
    private static final Set<String> TRACE = Set.of("trace", "timestamp", "executionMs", "format", "function");
    private static final Pattern POISSON = Pattern.compile("poisson\\s+(\\S+)\\s+for\\s+(\\S+)");
    private static final Pattern DIURNAL = Pattern.compile("diurnal\\s+peak\\s+(\\S+)\\s+trough\\s+(\\S+)\\s+for\\s+"
            + "(\\S+)");
    private static final Pattern RATE = Pattern.compile("(\\d+(?:\\.\\d+)?)/(s|m|min|h)");

    private ScenarioParser() {
    }

    /** Reads the scenario file; paths in it (prices, traces) are relative to its folder. */
    public static Scenario read(Path file) {
        try {
            return parse(Files.readString(file), file.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new ScenarioException("cannot read scenario " + file + ": " + e.getMessage());
        }
    }

    public static Scenario parse(String yaml, Path base) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new ScenarioException("not valid YAML: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new ScenarioException("expected a mapping with 'gpus', 'slo' and 'functions'");
        }
        keys(root, TOP, "");
        PriceCatalog prices = prices(root.get("prices"), base);
        if (!root.hasNonNull("gpus")) {
            throw new ScenarioException("'gpus' is required: the fleet, as the server's --gpus, e.g. H100:8");
        }
        List<Gpu> gpus;
        try {
            gpus = ConfiguredGpuInventory.parse(root.get("gpus").asText(), "sim").gpus();
        } catch (IllegalArgumentException e) {
            throw new ScenarioException("'gpus': " + e.getMessage());
        }
        if (!root.hasNonNull("slo")) {
            throw new ScenarioException("'slo' is required: the latency target, e.g. 'p95 < 2s'");
        }
        Slo slo;
        try {
            slo = Slo.parse(root.get("slo").asText());
        } catch (IllegalArgumentException e) {
            throw new ScenarioException("'slo': " + e.getMessage());
        }
        long seed = 1;
        if (root.has("seed")) {
            if (!root.get("seed").canConvertToLong()) {
                throw new ScenarioException("'seed' must be a whole number, got '" + root.get("seed").asText() + "'");
            }
            seed = root.get("seed").asLong();
        }
        JsonNode fns = root.get("functions");
        if (fns == null || !fns.isArray() || fns.isEmpty()) {
            throw new ScenarioException("'functions' is required: a list of functions with name, gpu, execution, "
                    + "init and traffic");
        }
        List<FunctionSpec> functions = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < fns.size(); i++) {
            FunctionSpec f = function(fns.get(i), "functions[" + i + "].", base, prices, gpus);
            if (!names.add(f.name())) {
                throw new ScenarioException("functions[" + i + "].name: '" + f.name() + "' is used twice");
            }
            functions.add(f);
        }
        return new Scenario(prices, gpus, slo, seed, functions);
    }

    private static PriceCatalog prices(JsonNode node, Path base) {
        if (node == null || node.isNull()) {
            return PriceCatalogParser.parse(PriceCatalogParser.defaultYaml());
        }
        Path file = base.resolve(node.asText());
        try {
            return PriceCatalogParser.parse(Files.readString(file));
        } catch (IOException e) {
            throw new ScenarioException("'prices': cannot read " + file + ": " + e.getMessage());
        } catch (PriceCatalogException e) {
            throw new ScenarioException("'prices': " + file + ": " + e.getMessage());
        }
    }

    private static FunctionSpec function(JsonNode node, String at, Path base, PriceCatalog prices, List<Gpu> gpus) {
        if (!node.isObject()) {
            throw new ScenarioException(at.substring(0, at.length() - 1) + " must be a mapping with name, gpu, "
                    + "execution, init and traffic");
        }
        keys(node, FUNCTION, at);
        String name = required(node, "name", at, "a name").asText();
        GpuRequest gpu;
        try {
            gpu = ManifestParser.gpu(node.get("gpu"));
        } catch (ManifestException e) {
            throw new ScenarioException(at.substring(0, at.length() - 1) + ": " + e.getMessage());
        }
        if (gpu != null) {
            if (Simulation.capacity(gpu, gpus) == 0) {
                throw new ScenarioException(at + "gpu: " + gpu + " does not fit on the fleet 'gpus' at all");
            }
            for (Gpu g : gpus) {
                if (BestFitPlacement.accepts(gpu, g) && !prices.prices(g.type())) {
                    throw new ScenarioException(at + "gpu: the price catalog has no rate for " + g.type()
                            + " and no 'otherGpu' rate");
                }
            }
        }
        double cpu = node.has("cpu") ? positive(node.get("cpu"), at + "cpu") : 1;
        int priority = node.has("priority") ? (int) positive(node.get("priority"), at + "priority")
                : ManifestParser.DEFAULT_PRIORITY;
        int concurrency = node.has("concurrency") ? (int) positive(node.get("concurrency"), at + "concurrency") : 1;
        ScalingConfig current = scaling(node.get("scaling"), concurrency, at + "scaling");
        Traffic traffic = traffic(required(node, "traffic", at, "e.g. 'poisson 2/s for 1h'"), at + "traffic", base);
        Distribution execution = null;
        if (node.has("execution")) {
            execution = distribution(node.get("execution"), at + "execution");
        } else if (!traffic.hasExecutionTimes()) {
            throw new ScenarioException(at + "execution is required (or a trace with executionMs): e.g. {p50: 800ms, "
                    + "p95: 2s}, {fixed: 1s} or {exponential: 500ms}");
        }
        Distribution init = node.has("init") ? distribution(node.get("init"), at + "init") : new Distribution.Fixed(0);
        List<Policy> policies = policies(node.get("policies"), current, at + "policies");
        return new FunctionSpec(name, gpu, cpu, priority, execution, init, traffic, current, policies);
    }

    /** A manifest {@code scaling} block, with the function's concurrency unless it names its own. */
    private static ScalingConfig scaling(JsonNode node, int concurrency, String at) {
        ObjectNode block = node == null || node.isNull() ? YAML.createObjectNode() : objectCopy(node, at);
        if (!block.has("concurrency")) {
            block.put("concurrency", concurrency);
        }
        try {
            return ManifestParser.scaling(block);
        } catch (ManifestException e) {
            throw new ScenarioException(at + ": " + e.getMessage());
        }
    }

    private static List<Policy> policies(JsonNode node, ScalingConfig current, String at) {
        if (node == null || node.isNull() || (node.isTextual() && node.asText().equals("sweep"))) {
            return null;
        }
        if (!node.isArray() || node.isEmpty()) {
            throw new ScenarioException(at + " must be 'sweep' or a list of named scaling blocks, e.g. [{name: d2, "
                    + "dedicated: 2}, {name: zero30, minWorkers: 0, maxWorkers: 4, idleTimeout: 30s}]");
        }
        List<Policy> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < node.size(); i++) {
            String where = at + "[" + i + "]";
            ObjectNode block = objectCopy(node.get(i), where);
            String name = required(block, "name", where + ".", "a name for the table").asText();
            if (!names.add(name)) {
                throw new ScenarioException(where + ".name: '" + name + "' is used twice");
            }
            block.remove("name");
            if (block.has("dedicated")) {
                int n = (int) positive(block.get("dedicated"), where + ".dedicated");
                block.remove("dedicated");
                if (!block.isEmpty()) {
                    throw new ScenarioException(where + ": 'dedicated' takes no other scaling keys, got "
                            + block.fieldNames().next());
                }
                out.add(Policy.dedicated(name, n, current.concurrency()));
            } else {
                out.add(new Policy(name, scaling(block, current.concurrency(), where), false));
            }
        }
        return out;
    }

    private static Traffic traffic(JsonNode node, String at, Path base) {
        if (node.isObject()) {
            keys(node, TRACE, at + ".");
            String file = required(node, "trace", at + ".", "the CSV file").asText();
            String format = node.has("format") ? node.get("format").asText() : "requests";
            if (format.equals(TraceReader.AZURE_FUNCTIONS_2019)) {
                if (node.has("timestamp") || node.has("executionMs")) {
                    throw new ScenarioException(at + ": the " + TraceReader.AZURE_FUNCTIONS_2019 + " format counts "
                            + "invocations per minute; it takes 'function' (a HashFunction), not 'timestamp' or "
                            + "'executionMs'");
                }
                try {
                    return TraceReader.readAzureFunctions2019(base.resolve(file),
                            node.has("function") ? node.get("function").asText() : null);
                } catch (ScenarioException e) {
                    throw new ScenarioException(at + ": " + e.getMessage());
                }
            }
            if (!format.equals("requests")) {
                throw new ScenarioException(at + ".format: '" + format + "' is not a trace format; write 'requests' "
                        + "(one line per request, the default) or '" + TraceReader.AZURE_FUNCTIONS_2019 + "'");
            }
            if (node.has("function")) {
                throw new ScenarioException(at + ".function: only the " + TraceReader.AZURE_FUNCTIONS_2019
                        + " format picks a function from the trace");
            }
            String ts = node.has("timestamp") ? node.get("timestamp").asText() : "timestamp";
            String exec = node.has("executionMs") ? node.get("executionMs").asText() : null;
            try {
                return TraceReader.read(base.resolve(file), ts, exec);
            } catch (ScenarioException e) {
                throw new ScenarioException(at + ": " + e.getMessage());
            }
        }
        String text = node.asText().trim().toLowerCase(Locale.ROOT);
        try {
            Matcher p = POISSON.matcher(text);
            if (p.matches()) {
                return new Traffic.Poisson(rate(p.group(1)), Durations.parse(p.group(2)).toMillis());
            }
            Matcher d = DIURNAL.matcher(text);
            if (d.matches()) {
                return new Traffic.Diurnal(rate(d.group(1)), rate(d.group(2)), Durations.parse(d.group(3)).toMillis());
            }
        } catch (IllegalArgumentException e) {
            throw new ScenarioException(at + ": " + e.getMessage());
        }
        throw new ScenarioException(at + ": '" + node.asText() + "' is not a traffic shape; write 'poisson 2/s for 1h', "
                + "'diurnal peak 10/s trough 0.1/s for 7d' or {trace: file.csv, timestamp: COLUMN, executionMs: "
                + "\"20 + 0.05*ContextTokens\"}");
    }

    /** Requests per second of {@code 2/s}, {@code 30/m} or {@code 100/h}. */
    private static double rate(String text) {
        Matcher m = RATE.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a rate; write e.g. 2/s, 30/m or 100/h");
        }
        double n = Double.parseDouble(m.group(1));
        return switch (m.group(2)) {
            case "s" -> n;
            case "m", "min" -> n / 60;
            default -> n / 3600;
        };
    }

    private static Distribution distribution(JsonNode node, String at) {
        try {
            if (!node.isObject()) {
                return new Distribution.Fixed(Durations.parse(node.asText()).toMillis());
            }
            keys(node, DISTRIBUTION, at + ".");
            if (node.has("fixed") && node.size() == 1) {
                return new Distribution.Fixed(Durations.parse(node.get("fixed").asText()).toMillis());
            }
            if (node.has("exponential") && node.size() == 1) {
                return new Distribution.Exponential(Durations.parse(node.get("exponential").asText()).toMillis());
            }
            if (node.has("p50") && node.has("p95") && node.size() == 2) {
                return new Distribution.LogNormal(Durations.parse(node.get("p50").asText()).toMillis(),
                        Durations.parse(node.get("p95").asText()).toMillis());
            }
        } catch (IllegalArgumentException e) {
            throw new ScenarioException(at + ": " + e.getMessage());
        }
        throw new ScenarioException(at + " must be a duration (1s), {fixed: 1s}, {exponential: 500ms} (the mean) or "
                + "{p50: 800ms, p95: 2s} (lognormal)");
    }

    private static ObjectNode objectCopy(JsonNode node, String at) {
        if (node == null || !node.isObject()) {
            throw new ScenarioException(at + " must be a mapping");
        }
        return ((ObjectNode) node).deepCopy();
    }

    private static JsonNode required(JsonNode node, String key, String at, String hint) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull() || (v.isTextual() && v.asText().isBlank())) {
            throw new ScenarioException(at + key + " is required: " + hint);
        }
        return v;
    }

    private static double positive(JsonNode node, String at) {
        if (!node.isNumber() || !(node.asDouble() > 0)) {
            throw new ScenarioException(at + " must be a number above 0, got '" + node.asText() + "'");
        }
        return node.asDouble();
    }

    private static void keys(JsonNode node, Set<String> allowed, String prefix) {
        UnknownFields.first(node, allowed, prefix).ifPresent(problem -> {
            throw new ScenarioException(problem);
        });
    }
}
