package dev.hearth.functions;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.hearth.yaml.UnknownFields;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A Cog model directory ({@code cog.yaml} + {@code predict.py}) read as the {@code hearth.yaml} it stands for, so that
 * it deploys as any function does:
 *
 * <pre>
 * predict: "predict.py:Predictor"   -> handler: predict.py:Predictor (hearth_worker serves a class as a predictor)
 * build.python_packages: [...]      -> python: {requirements: [...]}
 * build.python_requirements: r.txt  -> python: {requirements: r.txt}
 * build.gpu: true                   -> gpu: any (one GPU of any type)
 * concurrency.max: 4                -> scaling.concurrency: 4
 * environment: [KEY=value]          -> env: {KEY: value}
 * image: r8.im/owner/name           -> name: name (unless the deploy names the function)
 * </pre>
 *
 * <p>A {@code hearth.yaml} beside {@code cog.yaml} overrides it key by key (mappings merge, anything else is
 * replaced): {@code {name: sdxl, gpu: [H100, A100], scaling: {maxWorkers: 2}}}. Build steps Hearth does not run
 * ({@code system_packages}, {@code run}, {@code cuda}, {@code python_version}, ...) are accepted and left out:
 * the host provides them.
 */
public final class CogManifest {

    private static final Set<String> TOP = Set.of("build", "predict", "image", "train", "concurrency",
            "environment", "tests");
    private static final Set<String> BUILD = Set.of("gpu", "cuda", "cudnn", "python_version", "python_packages",
            "python_requirements", "system_packages", "run", "pre_install");
    private static final Pattern ENV_ENTRY = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(.*)", Pattern.DOTALL);
    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).build());

    private CogManifest() {
    }

    /**
     * The {@code hearth.yaml} text for a Cog model.
     *
     * @param cogYaml    the directory's {@code cog.yaml}
     * @param hearthYaml a {@code hearth.yaml} beside it, whose keys win, or null
     * @param name       the function's name when {@code hearth.yaml} gives none (the deploy's {@code name}), or null
     *                   to take it from {@code cog.yaml}'s {@code image}
     * @throws ManifestException naming the {@code cog.yaml} field that is wrong
     */
    public static String hearthYaml(String cogYaml, String hearthYaml, String name) {
        JsonNode cog = read(cogYaml, "cog.yaml");
        UnknownFields.first(cog, TOP, "").ifPresent(p -> {
            throw new ManifestException("cog.yaml: " + p);
        });
        ObjectNode out = YAML.createObjectNode();
        JsonNode predict = cog.get("predict");
        if (predict == null || !predict.isTextual() || predict.asText().isBlank()) {
            throw new ManifestException("cog.yaml: 'predict' is required, e.g. predict: \"predict.py:Predictor\" "
                    + "(Hearth runs Cog predictors; 'train' is not supported)");
        }
        String image = cog.path("image").asText("");
        String derived = name != null && !name.isBlank() ? name : nameOf(image);
        if (derived != null) {
            out.put("name", derived);
        }
        out.put("handler", predict.asText().strip());
        JsonNode build = cog.get("build");
        if (build != null && !build.isNull()) {
            if (!build.isObject()) {
                throw new ManifestException("cog.yaml: 'build' must be a mapping");
            }
            UnknownFields.first(build, BUILD, "build.").ifPresent(p -> {
                throw new ManifestException("cog.yaml: " + p);
            });
            JsonNode gpu = build.get("gpu");
            if (gpu != null && !gpu.isNull() && !gpu.isBoolean()) {
                throw new ManifestException("cog.yaml: 'build.gpu' must be true or false, got '" + gpu.asText() + "'");
            }
            if (gpu != null && gpu.asBoolean()) {
                out.put("gpu", GpuRequest.ANY);
            }
            python(build, out);
        }
        JsonNode concurrency = cog.get("concurrency");
        if (concurrency != null && !concurrency.isNull()) {
            JsonNode max = concurrency.isObject() ? concurrency.get("max") : null;
            if (max == null || !max.isIntegralNumber()) {
                throw new ManifestException("cog.yaml: 'concurrency' must be {max: N}");
            }
            out.putObject("scaling").put("concurrency", max.asInt());
        }
        environment(cog.get("environment"), out);
        if (hearthYaml != null) {
            JsonNode own = read(hearthYaml, "hearth.yaml");
            if (own.has("command") || "command".equals(own.path("runtime").asText())) {
                out.remove("handler"); // a command worker serves the model its own way
            }
            merge(out, own);
        }
        if (!out.has("name")) {
            throw new ManifestException("a Cog model needs a function name: deploy it with `hearth deploy "
                    + "path/to/cog.yaml` (its directory's name), pass ?name= to the deploy, set 'image' in cog.yaml, "
                    + "or put a hearth.yaml with 'name' beside cog.yaml");
        }
        try {
            return "# read from cog.yaml" + (hearthYaml == null ? "" : " and hearth.yaml") + "\n"
                    + YAML.writeValueAsString(out);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A function name from an image name ({@code r8.im/owner/my_model:tag} -> {@code my-model}), or null. */
    static String nameOf(String image) {
        String last = image.strip();
        int colon = last.lastIndexOf(':');
        if (colon > last.lastIndexOf('/')) {
            last = last.substring(0, colon);
        }
        last = last.substring(last.lastIndexOf('/') + 1);
        return functionName(last);
    }

    /**
     * A directory or image name as a function name: lower case, runs of other characters as one {@code -}, at most
     * 63; null when nothing is left.
     */
    public static String functionName(String text) {
        String n = text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        if (n.length() > 63) {
            n = n.substring(0, 63).replaceAll("-+$", "");
        }
        return n.isEmpty() ? null : n;
    }

    private static void python(JsonNode build, ObjectNode out) {
        JsonNode packages = build.get("python_packages");
        JsonNode file = build.get("python_requirements");
        boolean hasPackages = packages != null && !packages.isNull();
        boolean hasFile = file != null && !file.isNull();
        if (hasPackages && hasFile) {
            throw new ManifestException("cog.yaml: give 'build.python_packages' or 'build.python_requirements', "
                    + "not both");
        }
        if (hasPackages) {
            if (!packages.isArray()) {
                throw new ManifestException("cog.yaml: 'build.python_packages' must be a list such as "
                        + "[\"numpy==1.26.4\"]");
            }
            if (!packages.isEmpty()) {
                ArrayNode list = out.putObject("python").putArray("requirements");
                packages.forEach(p -> list.add(p.asText()));
            }
        } else if (hasFile) {
            if (!file.isTextual()) {
                throw new ManifestException("cog.yaml: 'build.python_requirements' must be a file name such as "
                        + "requirements.txt");
            }
            out.putObject("python").put("requirements", file.asText());
        }
    }

    private static void environment(JsonNode node, ObjectNode out) {
        if (node == null || node.isNull()) {
            return;
        }
        if (!node.isArray()) {
            throw new ManifestException("cog.yaml: 'environment' must be a list of KEY=value");
        }
        ObjectNode env = out.putObject("env");
        for (JsonNode entry : node) {
            var m = ENV_ENTRY.matcher(entry.asText());
            if (!entry.isTextual() || !m.matches()) {
                throw new ManifestException("cog.yaml: 'environment' entries must look like KEY=value, got '"
                        + entry.asText() + "'");
            }
            env.put(m.group(1), m.group(2));
        }
    }

    /** Puts {@code over}'s keys into {@code base}: mappings merge key by key, other values replace. */
    private static void merge(ObjectNode base, JsonNode over) {
        for (Iterator<Map.Entry<String, JsonNode>> it = over.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode mine = base.get(e.getKey());
            if (mine instanceof ObjectNode o && e.getValue().isObject()) {
                merge(o, e.getValue());
            } else {
                base.set(e.getKey(), e.getValue());
            }
        }
    }

    private static JsonNode read(String yaml, String file) {
        if (yaml.length() > ManifestParser.MAX_CHARS) {
            throw new ManifestException(file + " has " + yaml.length() + " characters; it may have at most "
                    + ManifestParser.MAX_CHARS + " (64 KiB)");
        }
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new ManifestException(file + " is not valid YAML: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new ManifestException(file + " must be a mapping");
        }
        return root;
    }
}
