package dev.hearth.metering;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.hearth.yaml.UnknownFields;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Reads {@code prices.yaml} strictly, like the manifest parser: unknown keys and bad values are errors naming the field.
 *
 * <pre>
 * unit: second                       # or hour: the rates below are per GPU (or core) and per this unit
 * gpus:
 *   H100: {onDemand: 0.00116, alwaysOn: 0.00093}
 * otherGpu: {onDemand: 0.00076, alwaysOn: 0.00060}   # optional
 * cpu: {onDemand: 0.0000131, alwaysOn: 0.0000131}
 * </pre>
 */
public final class PriceCatalogParser {

    private static final String DEFAULT_RESOURCE = "/dev/hearth/metering/default-prices.yaml";
    private static final Set<String> TOP = Set.of("unit", "gpus", "otherGpu", "cpu");
    private static final Set<String> RATES = Set.of("onDemand", "alwaysOn");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static final BigDecimal SECONDS_PER_HOUR = BigDecimal.valueOf(3600);

    private PriceCatalogParser() {
    }

    /** The catalog Hearth ships, with its comments saying where its figures come from. */
    public static String defaultYaml() {
        try (InputStream in = PriceCatalogParser.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the default price catalog is missing from the Hearth jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static PriceCatalog parse(String yaml) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new PriceCatalogException("not valid YAML: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new PriceCatalogException("expected a mapping with 'gpus' and 'cpu'");
        }
        checkKeys(root, TOP, "");
        BigDecimal perSecond = switch (root.has("unit") ? root.get("unit").asText() : "second") {
            case "second" -> BigDecimal.ONE;
            case "hour" -> BigDecimal.ONE.divide(SECONDS_PER_HOUR, MathContext.DECIMAL128);
            default -> throw new PriceCatalogException("'unit' must be 'second' or 'hour', got '"
                    + root.get("unit").asText() + "'");
        };
        Map<String, PriceCatalog.Rates> gpus = new LinkedHashMap<>();
        JsonNode g = root.get("gpus");
        if (g != null && !g.isNull()) {
            if (!g.isObject()) {
                throw new PriceCatalogException("'gpus' must map GPU types to rates, e.g. H100: {onDemand: 0.00116,"
                        + " alwaysOn: 0.00093}");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = g.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                gpus.put(e.getKey(), rates(e.getValue(), "gpus." + e.getKey(), perSecond));
            }
        }
        PriceCatalog.Rates other = root.has("otherGpu") && !root.get("otherGpu").isNull()
                ? rates(root.get("otherGpu"), "otherGpu", perSecond) : null;
        if (!root.has("cpu")) {
            throw new PriceCatalogException("'cpu' is required (the rate of CPU-only workers per core), e.g. "
                    + "cpu: {onDemand: 0.0000131, alwaysOn: 0.0000131}");
        }
        return new PriceCatalog(gpus, other, rates(root.get("cpu"), "cpu", perSecond));
    }

    private static PriceCatalog.Rates rates(JsonNode node, String field, BigDecimal perSecond) {
        if (node == null || !node.isObject()) {
            throw new PriceCatalogException("'" + field + "' must be {onDemand: <dollars>, alwaysOn: <dollars>}");
        }
        checkKeys(node, RATES, field + ".");
        BigDecimal onDemand = dollars(node.get("onDemand"), field + ".onDemand");
        BigDecimal alwaysOn = node.has("alwaysOn") ? dollars(node.get("alwaysOn"), field + ".alwaysOn") : onDemand;
        return new PriceCatalog.Rates(onDemand.multiply(perSecond, MathContext.DECIMAL128),
                alwaysOn.multiply(perSecond, MathContext.DECIMAL128));
    }

    private static BigDecimal dollars(JsonNode node, String field) {
        if (node == null || node.isNull()) {
            throw new PriceCatalogException("'" + field + "' is required: dollars per unit, e.g. 0.00116");
        }
        BigDecimal d;
        if (node.isNumber()) {
            d = node.decimalValue();
        } else {
            try {
                d = new BigDecimal(node.asText().trim().replaceFirst("^\\$", ""));
            } catch (NumberFormatException e) {
                throw new PriceCatalogException("'" + field + "' must be a number of dollars, got '" + node.asText()
                        + "'");
            }
        }
        if (d.signum() < 0) {
            throw new PriceCatalogException("'" + field + "' must not be negative, got " + d.toPlainString());
        }
        return d;
    }

    private static void checkKeys(JsonNode node, Set<String> allowed, String prefix) {
        UnknownFields.first(node, allowed, prefix).ifPresent(problem -> {
            throw new PriceCatalogException(problem);
        });
    }
}
