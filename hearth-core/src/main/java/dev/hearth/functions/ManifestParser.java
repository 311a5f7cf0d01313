package dev.hearth.functions;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.hearth.retry.Backoff;
import dev.hearth.text.LoneSurrogates;
import dev.hearth.secrets.SecretRules;
import dev.hearth.volumes.VolumePaths;
import dev.hearth.yaml.UnknownFields;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * Reads {@code hearth.yaml} strictly: unknown keys and bad values are errors that name the field.
 *
 * <pre>
 * name: echo
 * runtime: python            # or: command: [python3, worker.py]
 * handler: handler.py:handler
 * setup: handler.py:load     # optional: run once per worker before its first job (default: the module's setup())
 * gpu: H100                  # or {type: [H100, A100], count: 2}; absent = CPU only
 * scaling: {minWorkers: 0, maxWorkers: 3, idleTimeout: 60s, concurrency: 1}
 * timeout: 600s
 * retries: 0                # or {maxRetries: 3, backoff: {initialDelay: 1s, coefficient: 2.0, maxDelay: 60s}}
 * batch: {maxSize: 8, wait: 50ms}   # optional: the handler gets a list of inputs
 * priority: 10               # 1..100, the weight when GPUs are scarce
 * schedule: "*&#47;5 * * * *"  # optional: submit a job ({@code scheduleInput}, default {}) at each tick
 * timeZone: Europe/Paris     # optional: the zone cron expressions are read in (default UTC)
 * volumes: {weights: models} # optional: volume name to where workers see it (relative to the function's directory)
 * python: {version: "3.11", requirements: requirements.txt, systemSitePackages: false}   # optional: own virtualenv
 * </pre>
 *
 * <p>The scaling block takes more keys, see {@code docs/api.md}: {@code bufferWorkers}, {@code targetConcurrency},
 * {@code scaler} ({@code requestCount} or {@code queueDelay}), {@code scalerValue}, and {@code schedule}, a list of
 * {@code {cron, minWorkers, duration}} floors, and {@code preinit}, pre-initialized processes per GPU version.
 */
public final class ManifestParser {

    private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final Pattern HANDLER = Pattern.compile("[\\w./-]+\\.py:[A-Za-z_]\\w*");
    private static final Pattern IMAGE = Pattern.compile("[a-z0-9][a-z0-9._/:@-]{0,254}", Pattern.CASE_INSENSITIVE);
    private static final Pattern GPU_TYPE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*!?");
    /** More memory than any one machine has; larger values are mistakes (and overflow a long in bytes). */
    private static final long MAX_MEMORY = 64L << 40;
    private static final Set<String> TOP = Set.of("name", "runtime", "handler", "command", "env", "gpu", "cpu",
            "memory", "scaling", "timeout", "startupTimeout", "retries", "batch", "priority", "schedule",
            "scheduleInput", "timeZone", "setup", "volumes", "python", "secrets", "image");
    private static final Set<String> SCALING = Set.of("minWorkers", "maxWorkers", "idleTimeout", "concurrency",
            "bufferWorkers", "targetConcurrency", "scaler", "scalerValue", "schedule", "preinit");
    private static final Set<String> FLOOR = Set.of("cron", "minWorkers", "duration");
    private static final Set<String> GPU = Set.of("type", "count");
    private static final Set<String> RETRIES = Set.of("maxRetries", "backoff");
    private static final Set<String> BACKOFF = Set.of("initialDelay", "coefficient", "maxDelay");
    private static final Set<String> BATCH = Set.of("maxSize", "wait");
    private static final Set<String> PYTHON = Set.of("version", "requirements", "systemSitePackages");
    private static final Pattern PYTHON_VERSION = Pattern.compile("\\d+(\\.\\d+)?");
    private static final Pattern BUNDLE_PATH = Pattern.compile("[\\w.-]+(/[\\w.-]+)*");
    /** The priority of a function whose manifest names none. */
    public static final int DEFAULT_PRIORITY = 10;
    /**
     * The largest manifest: ample for any real one. SnakeYAML reads about a megabyte a second of comment, so a
     * multi-megabyte manifest would hold a request for seconds; it is refused before parsing instead.
     */
    static final int MAX_CHARS = 64 << 10;
    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .loaderOptions(loaderOptions()).build());

    private ManifestParser() {
    }

    private static LoaderOptions loaderOptions() {
        LoaderOptions o = new LoaderOptions();
        o.setCodePointLimit(MAX_CHARS);
        return o;
    }

    public static FunctionManifest parse(String yaml) {
        if (yaml.length() > MAX_CHARS) {
            throw new ManifestException("hearth.yaml has " + yaml.length() + " characters; it may have at most "
                    + MAX_CHARS + " (64 KiB)");
        }
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new ManifestException("not valid YAML: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new ManifestException("expected a mapping with at least 'name' and 'handler' or 'command'");
        }
        LoneSurrogates.first(root, "").ifPresent(problem -> {
            throw new ManifestException(problem);
        });
        checkKeys(root, TOP, "");

        String name = requiredText(root, "name");
        if (!NAME.matcher(name).matches()) {
            throw new ManifestException("'name' must be lowercase letters, digits and '-' (at most 63), got '"
                    + name + "'");
        }
        Runtime runtime = runtime(root);
        String handler = null;
        String setup = null;
        List<String> command = List.of();
        if (runtime == Runtime.PYTHON) {
            if (root.has("command")) {
                throw new ManifestException("'command' is for runtime 'command'; the python runtime takes 'handler'");
            }
            handler = requiredText(root, "handler");
            if (!HANDLER.matcher(handler).matches()) {
                throw new ManifestException("'handler' must look like file.py:function, got '" + handler + "'");
            }
            if (root.has("setup")) {
                setup = requiredText(root, "setup");
                if (!HANDLER.matcher(setup).matches()) {
                    throw new ManifestException("'setup' must look like file.py:function, got '" + setup + "'");
                }
            }
        } else {
            if (root.has("handler")) {
                throw new ManifestException("'handler' is for runtime 'python'; runtime 'command' takes 'command'");
            }
            if (root.has("setup")) {
                throw new ManifestException("'setup' is for runtime 'python'; a command worker runs its own set-up "
                        + "before it asks for its first job");
            }
            command = command(root.get("command"));
        }
        Map<String, String> env = env(root.get("env"));
        GpuRequest gpu = gpu(root.get("gpu"));
        double cpu = root.has("cpu") ? positiveNumber(root.get("cpu"), "cpu") : 1.0;
        long memory = root.has("memory") ? memory(root.get("memory")) : 0;
        java.time.ZoneId zone = timeZone(root.get("timeZone"));
        ScalingConfig scaling = scaling(root.get("scaling"), zone);
        Duration timeout = duration(root, "timeout", Duration.ofSeconds(600));
        Duration startupTimeout = duration(root, "startupTimeout", Duration.ofSeconds(300));
        JsonNode retriesNode = root.get("retries");
        boolean retriesObject = retriesNode != null && retriesNode.isObject();
        int retries = retriesNode == null || retriesNode.isNull() ? 0
                : retriesObject ? maxRetries(retriesNode) : integer(retriesNode, "retries", 0, 10);
        Backoff backoff = retriesObject ? backoff(retriesNode.get("backoff")) : Backoff.NONE;
        BatchConfig batch = batch(root.get("batch"));
        int priority = root.has("priority") ? integer(root.get("priority"), "priority", 1, 100) : DEFAULT_PRIORITY;
        FunctionSchedule schedule = ManifestSchedules.functionSchedule(root, zone);
        if (scaling.preinit() > 0 && gpu == null) {
            throw new ManifestException("'scaling.preinit' keeps processes ready to be given GPUs; this function has "
                    + "no 'gpu', so its workers start without waiting for one (remove 'scaling.preinit', or use "
                    + "'scaling.minWorkers' to keep workers running)");
        }
        return new FunctionManifest(name, runtime, handler, command, env, gpu, cpu, memory, scaling, timeout,
                startupTimeout, retries, backoff, batch, priority, schedule, setup, volumes(root.get("volumes")),
                python(root.get("python")), secrets(root.get("secrets")), image(root.get("image")));
    }

    /**
     * A container image reference ({@code python:3.12-slim}, {@code registry.example/team/llm@sha256:...}): what a
     * container runtime accepts, without spaces or control characters; the registry judges the rest at pull time.
     */
    private static String image(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        String image = node.isTextual() ? node.asText() : "";
        if (!IMAGE.matcher(image).matches()) {
            throw new ManifestException("'image' must be a container image reference such as python:3.12-slim or "
                    + "registry.example/team/app@sha256:..., got " + node);
        }
        return image;
    }

    /** Names of stored secrets ({@code hearth secret set}); never values, which do not belong in a bundle. */
    private static List<String> secrets(JsonNode node) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw new ManifestException("'secrets' must be a list of secret names, e.g. [hf-token]");
        }
        List<String> names = new ArrayList<>();
        for (JsonNode n : node) {
            String problem = n.isTextual() ? SecretRules.checkName(n.asText()) : "got " + n;
            if (problem != null) {
                throw new ManifestException("'secrets' must list secret names: " + problem);
            }
            if (!names.contains(n.asText())) {
                names.add(n.asText());
            }
        }
        return names;
    }

    private static int maxRetries(JsonNode node) {
        checkKeys(node, RETRIES, "retries.");
        if (!node.has("maxRetries")) {
            throw new ManifestException("'retries.maxRetries' is required, e.g. {maxRetries: 3, backoff: "
                    + "{initialDelay: 1s, coefficient: 2.0, maxDelay: 60s}}");
        }
        return integer(node.get("maxRetries"), "retries.maxRetries", 0, 10);
    }

    /** Modal's {@code Retries}: absent fields take Modal's defaults (1s, 2.0, 60s). */
    private static Backoff backoff(JsonNode node) {
        Backoff d = Backoff.DEFAULT;
        if (node == null || node.isNull()) {
            return d;
        }
        if (!node.isObject()) {
            throw new ManifestException("'retries.backoff' must be a mapping of initialDelay, coefficient, maxDelay");
        }
        checkKeys(node, BACKOFF, "retries.backoff.");
        Duration initial = delay(node, "initialDelay", d.initialDelay());
        Duration max = delay(node, "maxDelay", initial.compareTo(d.maxDelay()) > 0 ? initial : d.maxDelay());
        double coefficient = d.coefficient();
        JsonNode c = node.get("coefficient");
        if (c != null && !c.isNull()) {
            if (!c.isNumber() || c.asDouble() < 1.0 || c.asDouble() > 10.0) {
                throw new ManifestException("'retries.backoff.coefficient' must be a number from 1.0 to 10.0, got '"
                        + c.asText() + "'");
            }
            coefficient = c.asDouble();
        }
        if (max.compareTo(initial) < 0) {
            throw new ManifestException("'retries.backoff.maxDelay' (" + Durations.format(max) + ") must be at least "
                    + "'retries.backoff.initialDelay' (" + Durations.format(initial) + ")");
        }
        return new Backoff(initial, coefficient, max);
    }

    private static Duration delay(JsonNode node, String key, Duration dflt) {
        return durationUpTo(node, key, dflt, "retries.backoff." + key, Duration.ofHours(1));
    }

    private static BatchConfig batch(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw new ManifestException("'batch' must be a mapping such as {maxSize: 8, wait: 50ms}");
        }
        checkKeys(node, BATCH, "batch.");
        if (!node.has("maxSize")) {
            throw new ManifestException("'batch.maxSize' is required, e.g. {maxSize: 8, wait: 50ms}");
        }
        int maxSize = integer(node.get("maxSize"), "batch.maxSize", 1, 1000);
        return new BatchConfig(maxSize, durationUpTo(node, "wait", Duration.ZERO, "batch.wait", Duration.ofSeconds(10)));
    }

    private static PythonEnv python(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw new ManifestException("'python' must be a mapping such as {version: \"3.11\", requirements: "
                    + "requirements.txt}");
        }
        checkKeys(node, PYTHON, "python.");
        String version = null;
        JsonNode v = node.get("version");
        if (v != null && !v.isNull()) {
            if (!v.isTextual()) {
                // YAML reads 3.10 as the number 3.1
                throw new ManifestException("'python.version' must be quoted, e.g. version: \"3.11\", got "
                        + v.asText());
            }
            version = v.asText().strip();
            if (!PYTHON_VERSION.matcher(version).matches()) {
                throw new ManifestException("'python.version' must be a version such as \"3.11\" (the interpreter "
                        + "python3.11 on the server's PATH), got '" + version + "'");
            }
        }
        String file = null;
        List<String> listed = new ArrayList<>();
        JsonNode r = node.get("requirements");
        if (r != null && !r.isNull()) {
            if (r.isTextual()) {
                file = r.asText().strip();
                if (!BUNDLE_PATH.matcher(file).matches() || file.contains("..")) {
                    throw new ManifestException("'python.requirements' must be a file in the function's directory "
                            + "(e.g. requirements.txt) or a list of packages, got '" + file + "'");
                }
            } else if (r.isArray()) {
                for (JsonNode entry : r) {
                    if (!entry.isTextual() || entry.asText().isBlank()) {
                        throw new ManifestException("'python.requirements' entries must be package requirements "
                                + "such as numpy==1.26.4, got '" + entry + "'");
                    }
                    listed.add(entry.asText());
                }
                dev.hearth.envs.Requirements.normalize(listed, "python.requirements");
            } else {
                throw new ManifestException("'python.requirements' must be a file in the function's directory or a "
                        + "list of packages");
            }
        }
        JsonNode s = node.get("systemSitePackages");
        if (s != null && !s.isNull() && !s.isBoolean()) {
            throw new ManifestException("'python.systemSitePackages' must be true or false, got '" + s.asText() + "'");
        }
        return new PythonEnv(version, file, listed, s != null && s.asBoolean());
    }

    private static Runtime runtime(JsonNode root) {
        if (!root.has("runtime")) {
            if (root.has("command")) {
                return Runtime.COMMAND;
            }
            if (root.has("handler")) {
                return Runtime.PYTHON;
            }
            throw new ManifestException("give 'handler: file.py:function' (python) or 'command: [...]'");
        }
        String value = requiredText(root, "runtime");
        return switch (value) {
            case "python" -> Runtime.PYTHON;
            case "command" -> Runtime.COMMAND;
            default -> throw new ManifestException("'runtime' must be 'python' or 'command', got '" + value + "'");
        };
    }

    private static List<String> command(JsonNode node) {
        if (node == null || !node.isArray() || node.isEmpty()) {
            throw new ManifestException("'command' must be a non-empty list, e.g. [python3, worker.py]");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode part : node) {
            if (!part.isValueNode()) {
                throw new ManifestException("'command' entries must be strings");
            }
            out.add(part.asText());
        }
        return out;
    }

    private static Map<String, String> env(JsonNode node) {
        Map<String, String> env = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return env;
        }
        if (!node.isObject()) {
            throw new ManifestException("'env' must be a mapping of NAME: value");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getKey().matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new ManifestException("'env." + e.getKey() + "' is not a valid environment variable name");
            }
            if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                throw new ManifestException("'env." + e.getKey() + "' must be a string, number or boolean");
            }
            env.put(e.getKey(), e.getValue().asText());
        }
        return env;
    }

    /** {@code volumes: {weights: /models, cache: .cache}}: each volume once, each at a path of its own. */
    private static Map<String, String> volumes(JsonNode node) {
        Map<String, String> volumes = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return volumes;
        }
        if (!node.isObject()) {
            throw new ManifestException("'volumes' must be a mapping of volume name to path, e.g. {weights: models}");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String field = "volumes." + e.getKey();
            if (!VolumePaths.isName(e.getKey())) {
                throw new ManifestException("'" + field + "': a volume name is lowercase letters, digits and '-'");
            }
            JsonNode p = e.getValue();
            String text = p.isTextual() ? p.asText().strip() : "";
            String problem = VolumePaths.problem(text);
            if (problem != null) {
                throw new ManifestException("'" + field + "' must be a path such as models or /models, got '"
                        + p.asText() + "': it " + problem);
            }
            // the same path whichever way it was written: /models/ is /models, models/ is models
            String path = (text.startsWith("/") ? "/" : "") + VolumePaths.file(text);
            for (Map.Entry<String, String> other : volumes.entrySet()) {
                if (nested(path, other.getValue()) || nested(other.getValue(), path)) {
                    throw new ManifestException("'" + field + "' (" + path + ") and 'volumes." + other.getKey()
                            + "' (" + other.getValue() + ") overlap; give each volume a path of its own");
                }
            }
            volumes.put(e.getKey(), path);
        }
        return volumes;
    }

    private static boolean nested(String path, String in) {
        return path.equals(in) || path.startsWith(in.endsWith("/") ? in : in + "/");
    }

    /**
     * A manifest's {@code gpu} value on its own (a type, a list of types, or {@code {type, count}}), for other files
     * that name GPUs the same way (the planner's scenarios); null for a missing or null node.
     */
    public static GpuRequest gpu(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual() || node.isArray()) {
            return new GpuRequest(gpuTypes(node, "gpu"), 1);
        }
        if (!node.isObject()) {
            throw new ManifestException("'gpu' must be a type (H100), a list ([H100, A100]) or {type, count}");
        }
        checkKeys(node, GPU, "gpu.");
        if (!node.has("type")) {
            throw new ManifestException("'gpu.type' is required, e.g. H100 or [H100, A100]");
        }
        int count = node.has("count") ? integer(node.get("count"), "gpu.count", 1, 64) : 1;
        return new GpuRequest(gpuTypes(node.get("type"), "gpu.type"), count);
    }

    private static List<String> gpuTypes(JsonNode node, String field) {
        List<String> types = new ArrayList<>();
        if (node.isTextual()) {
            types.add(node.asText());
        } else if (node.isArray() && !node.isEmpty()) {
            node.forEach(t -> types.add(t.asText()));
        } else {
            throw new ManifestException("'" + field + "' must be a GPU type or a non-empty list of them");
        }
        for (String t : types) {
            if (!GPU_TYPE.matcher(t).matches()) {
                throw new ManifestException("'" + field + "' has an invalid GPU type '" + t + "'");
            }
        }
        return types;
    }

    /**
     * A manifest's {@code scaling} block on its own, schedules in UTC, for other files that describe scaling the same
     * way (the planner's scenarios); {@link ScalingConfig#DEFAULT} for a missing or null node.
     */
    public static ScalingConfig scaling(JsonNode node) {
        return scaling(node, java.time.ZoneOffset.UTC);
    }

    private static ScalingConfig scaling(JsonNode node, java.time.ZoneId zone) {
        ScalingConfig d = ScalingConfig.DEFAULT;
        if (node == null || node.isNull()) {
            return d;
        }
        if (!node.isObject()) {
            throw new ManifestException("'scaling' must be a mapping");
        }
        checkKeys(node, SCALING, "scaling.");
        int min = node.has("minWorkers") ? integer(node.get("minWorkers"), "scaling.minWorkers", 0, 1000)
                : d.minWorkers();
        int max = node.has("maxWorkers") ? integer(node.get("maxWorkers"), "scaling.maxWorkers", 1, 1000)
                : Math.max(d.maxWorkers(), min);
        if (max < min) {
            throw new ManifestException("'scaling.maxWorkers' (" + max + ") must be at least 'scaling.minWorkers' ("
                    + min + ")");
        }
        Duration idle = durationUpTo(node, "idleTimeout", d.idleTimeout(), "scaling.idleTimeout", null);
        int concurrency = node.has("concurrency")
                ? integer(node.get("concurrency"), "scaling.concurrency", 1, 1000) : d.concurrency();
        int buffer = node.has("bufferWorkers") ? integer(node.get("bufferWorkers"), "scaling.bufferWorkers", 0, 1000)
                : 0;
        double target = node.has("targetConcurrency")
                ? positiveNumber(node.get("targetConcurrency"), "scaling.targetConcurrency") : concurrency;
        Scaler scaler = Scaler.REQUEST_COUNT;
        if (node.has("scaler")) {
            try {
                scaler = Scaler.fromWire(node.get("scaler").asText());
            } catch (IllegalArgumentException e) {
                throw new ManifestException("'scaling.scaler' " + e.getMessage());
            }
        }
        double value = node.has("scalerValue") ? positiveNumber(node.get("scalerValue"), "scaling.scalerValue") : 0;
        List<ScheduledFloor> floors = ManifestSchedules.floors(node.get("schedule"), zone, FLOOR);
        int preinit = node.has("preinit") ? integer(node.get("preinit"), "scaling.preinit", 0, 1000) : 0;
        try {
            return new ScalingConfig(min, max, idle, concurrency, buffer, target, scaler, value, floors, preinit);
        } catch (IllegalArgumentException e) {
            throw new ManifestException(e.getMessage());
        }
    }

    private static java.time.ZoneId timeZone(JsonNode node) {
        if (node == null || node.isNull()) {
            return java.time.ZoneOffset.UTC;
        }
        try {
            return java.time.ZoneId.of(node.asText());
        } catch (java.time.DateTimeException e) {
            throw new ManifestException("'timeZone' must be a zone such as UTC or Europe/Paris, got '"
                    + node.asText() + "'");
        }
    }

    private static long memory(JsonNode node) {
        long bytes;
        try {
            if (!node.isValueNode()) {
                throw new IllegalArgumentException("must be bytes or a size like 512Mi or 16Gi, got '"
                        + node.asText() + "'");
            }
            bytes = ByteSize.parse(node.asText());
        } catch (ArithmeticException tooLarge) {
            bytes = Long.MAX_VALUE;
        } catch (IllegalArgumentException e) {
            throw new ManifestException("'memory' " + e.getMessage());
        }
        if (bytes > MAX_MEMORY) {
            throw new ManifestException("'memory' must be at most 64Ti, got '" + node.asText() + "'");
        }
        return bytes;
    }

    private static Duration duration(JsonNode parent, String key, Duration dflt) {
        return duration(parent, key, dflt, key);
    }

    /** A duration field that must be more than 0. */
    static Duration duration(JsonNode parent, String key, Duration dflt, String field) {
        Duration d = durationUpTo(parent, key, dflt, field, null);
        if (d != null && d.isZero()) {
            throw new ManifestException("'" + field + "' must be more than 0");
        }
        return d;
    }

    /** A duration field from 0 up to {@code max} (null: no bound). */
    private static Duration durationUpTo(JsonNode parent, String key, Duration dflt, String field, Duration max) {
        JsonNode node = parent.get(key);
        if (node == null || node.isNull()) {
            return dflt;
        }
        Duration d;
        try {
            d = Durations.parse(node.asText());
        } catch (IllegalArgumentException e) {
            throw new ManifestException("'" + field + "': " + e.getMessage());
        }
        if (max != null && d.compareTo(max) > 0) {
            throw new ManifestException("'" + field + "' must be at most " + Durations.format(max) + ", got "
                    + node.asText());
        }
        return d;
    }

    static int integer(JsonNode node, String field, int min, int max) {
        if (!node.isIntegralNumber() || node.asLong() < min || node.asLong() > max) {
            throw new ManifestException("'" + field + "' must be a whole number from " + min + " to " + max
                    + ", got '" + node.asText() + "'");
        }
        return node.asInt();
    }

    private static double positiveNumber(JsonNode node, String field) {
        if (!node.isNumber() || node.asDouble() <= 0) {
            throw new ManifestException("'" + field + "' must be a number above 0, got '" + node.asText() + "'");
        }
        return node.asDouble();
    }

    private static String requiredText(JsonNode root, String key) {
        JsonNode node = root.get(key);
        if (node == null || node.isNull() || !node.isValueNode() || node.asText().isBlank()) {
            throw new ManifestException("'" + key + "' is required and must be a string");
        }
        return node.asText().trim();
    }

    static void checkKeys(JsonNode node, Set<String> allowed, String prefix) {
        UnknownFields.first(node, allowed, prefix).ifPresent(problem -> {
            throw new ManifestException(problem);
        });
    }
}
