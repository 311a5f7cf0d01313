package dev.hearth.server;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text exposition format 0.0.4, for tests: it rejects what a Prometheus server
 * would reject (bad names, bad escapes, bad values, a TYPE after its samples, a family split in two, duplicate
 * series) and checks histogram invariants (cumulative buckets, a {@code +Inf} bucket equal to {@code _count}).
 * Following https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format.
 */
final class PrometheusText {

    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    record Sample(String name, Map<String, String> labels, double value) {
    }

    /** One metric family: its name, TYPE, HELP and samples (for a histogram, those of its _bucket/_sum/_count). */
    record Family(String name, String type, String help, List<Sample> samples) {

        /** The value of the sample named {@code sampleName} whose labels include {@code labels}. */
        double value(String sampleName, Map<String, String> labels) {
            return samples.stream().filter(s -> s.name().equals(sampleName))
                    .filter(s -> s.labels().entrySet().containsAll(labels.entrySet()))
                    .mapToDouble(Sample::value).findFirst()
                    .orElseThrow(() -> new AssertionError("no " + sampleName + labels + " in " + samples));
        }
    }

    static final class ParseError extends RuntimeException {
        ParseError(int line, String message) {
            super("line " + line + ": " + message);
        }
    }

    private PrometheusText() {
    }

    static Map<String, Family> parse(String text) {
        Map<String, Family> families = new LinkedHashMap<>();
        Map<String, String> types = new LinkedHashMap<>();
        Map<String, String> helps = new LinkedHashMap<>();
        Set<String> seriesSeen = new java.util.HashSet<>();
        Set<String> closed = new java.util.HashSet<>();
        String current = null;
        String[] lines = text.split("\n", -1);
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new ParseError(lines.length, "the exposition must end with a line feed");
        }
        for (int i = 0; i < lines.length; i++) {
            int no = i + 1;
            String line = lines[i];
            if (line.isBlank()) {
                continue;
            }
            if (line.startsWith("#")) {
                String[] t = line.split("[ \t]+", 4);
                if (t.length >= 3 && (t[1].equals("HELP") || t[1].equals("TYPE"))) {
                    String name = t[2];
                    requireName(no, name);
                    if (closed.contains(name) || (families.containsKey(name) && !Objects.equals(current, name))) {
                        throw new ParseError(no, t[1] + " for " + name + " after its family ended");
                    }
                    if (t[1].equals("TYPE")) {
                        String type = t.length > 3 ? t[3].strip() : "";
                        if (!TYPES.contains(type)) {
                            throw new ParseError(no, "unknown type '" + type + "'");
                        }
                        if (types.containsKey(name)) {
                            throw new ParseError(no, "second TYPE for " + name);
                        }
                        if (families.containsKey(name) && !families.get(name).samples().isEmpty()) {
                            throw new ParseError(no, "TYPE for " + name + " after its samples");
                        }
                        types.put(name, type);
                    } else {
                        if (helps.containsKey(name)) {
                            throw new ParseError(no, "second HELP for " + name);
                        }
                        helps.put(name, unescapeHelp(no, t.length > 3 ? t[3] : ""));
                    }
                    switchTo(families, closed, current, name);
                    current = name;
                    families.putIfAbsent(name, new Family(name, null, null, new ArrayList<>()));
                }
                continue; // other comments are allowed and ignored
            }
            Sample s = sample(no, line);
            String family = familyOf(s.name(), types);
            if (!family.equals(current)) {
                if (closed.contains(family) || (families.containsKey(family) && !family.equals(current)
                        && !families.get(family).samples().isEmpty())) {
                    throw new ParseError(no, "samples of " + family + " are not together");
                }
                switchTo(families, closed, current, family);
                current = family;
                families.putIfAbsent(family, new Family(family, null, null, new ArrayList<>()));
            }
            String key = s.name() + new TreeMap<>(s.labels());
            if (!seriesSeen.add(key)) {
                throw new ParseError(no, "duplicate series " + key);
            }
            families.get(family).samples().add(s);
        }
        Map<String, Family> out = new LinkedHashMap<>();
        for (Family f : families.values()) {
            String type = types.getOrDefault(f.name(), "untyped");
            Family full = new Family(f.name(), type, helps.get(f.name()), List.copyOf(f.samples()));
            check(full);
            out.put(f.name(), full);
        }
        return out;
    }

    private static void switchTo(Map<String, Family> families, Set<String> closed, String from, String to) {
        if (from != null && !from.equals(to)) {
            closed.add(from);
        }
    }

    /** {@code x_bucket}, {@code x_sum} and {@code x_count} belong to histogram (or summary) {@code x}. */
    private static String familyOf(String sampleName, Map<String, String> types) {
        for (String suffix : List.of("_bucket", "_sum", "_count")) {
            if (sampleName.endsWith(suffix)) {
                String base = sampleName.substring(0, sampleName.length() - suffix.length());
                String t = types.get(base);
                if ("histogram".equals(t) || ("summary".equals(t) && !suffix.equals("_bucket"))) {
                    return base;
                }
            }
        }
        return sampleName;
    }

    private static void check(Family f) {
        switch (f.type()) {
            case "counter" -> f.samples().forEach(s -> {
                if (!(s.value() >= 0)) {
                    throw new ParseError(0, "counter " + s + " is negative or NaN");
                }
            });
            case "histogram" -> checkHistogram(f);
            default -> {
            }
        }
    }

    private static void checkHistogram(Family f) {
        Map<Map<String, String>, List<Sample>> buckets = new LinkedHashMap<>();
        Map<Map<String, String>, Double> counts = new LinkedHashMap<>();
        for (Sample s : f.samples()) {
            if (s.name().equals(f.name() + "_bucket")) {
                if (!s.labels().containsKey("le")) {
                    throw new ParseError(0, "bucket without le: " + s);
                }
                Map<String, String> rest = new TreeMap<>(s.labels());
                rest.remove("le");
                buckets.computeIfAbsent(rest, k -> new ArrayList<>()).add(s);
            } else if (s.name().equals(f.name() + "_count")) {
                counts.put(new TreeMap<>(s.labels()), s.value());
            } else if (!s.name().equals(f.name() + "_sum")) {
                throw new ParseError(0, "histogram " + f.name() + " has a foreign sample " + s);
            }
        }
        for (var e : buckets.entrySet()) {
            double lastLe = Double.NEGATIVE_INFINITY;
            double lastCount = 0;
            for (Sample b : e.getValue()) {
                double le = value(0, b.labels().get("le"));
                if (le <= lastLe) {
                    throw new ParseError(0, f.name() + " buckets out of order at le=" + le);
                }
                if (b.value() < lastCount) {
                    throw new ParseError(0, f.name() + " buckets not cumulative at le=" + le);
                }
                lastLe = le;
                lastCount = b.value();
            }
            if (lastLe != Double.POSITIVE_INFINITY) {
                throw new ParseError(0, f.name() + e.getKey() + " has no +Inf bucket");
            }
            Double count = counts.get(e.getKey());
            if (count == null || count != lastCount) {
                throw new ParseError(0, f.name() + e.getKey() + ": +Inf bucket " + lastCount + " != _count " + count);
            }
        }
    }

    private static Sample sample(int no, String line) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ' && line.charAt(i) != '\t') {
            i++;
        }
        String name = line.substring(0, i);
        requireName(no, name);
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (true) {
                if (i < line.length() && line.charAt(i) == '}') {
                    i++;
                    break;
                }
                int eq = line.indexOf('=', i);
                if (eq < 0) {
                    throw new ParseError(no, "label without '='");
                }
                String label = line.substring(i, eq).strip();
                if (!LABEL_NAME.matcher(label).matches() || label.startsWith("__")) {
                    throw new ParseError(no, "bad label name '" + label + "'");
                }
                i = eq + 1;
                if (i >= line.length() || line.charAt(i) != '"') {
                    throw new ParseError(no, "label value of " + label + " is not quoted");
                }
                i++;
                StringBuilder v = new StringBuilder();
                while (true) {
                    if (i >= line.length()) {
                        throw new ParseError(no, "unterminated label value");
                    }
                    char c = line.charAt(i++);
                    if (c == '"') {
                        break;
                    }
                    if (c == '\\') {
                        char n = i < line.length() ? line.charAt(i++) : ' ';
                        switch (n) {
                            case '\\' -> v.append('\\');
                            case '"' -> v.append('"');
                            case 'n' -> v.append('\n');
                            default -> throw new ParseError(no, "bad escape \\" + n + " in a label value");
                        }
                    } else {
                        v.append(c);
                    }
                }
                if (labels.put(label, v.toString()) != null) {
                    throw new ParseError(no, "label " + label + " twice");
                }
                if (i < line.length() && line.charAt(i) == ',') {
                    i++;
                } else if (i >= line.length() || line.charAt(i) != '}') {
                    throw new ParseError(no, "expected ',' or '}' after label " + label);
                }
            }
        }
        String[] rest = line.substring(i).strip().split("[ \t]+");
        if (rest.length < 1 || rest.length > 2 || rest[0].isEmpty()) {
            throw new ParseError(no, "expected a value and an optional timestamp: '" + line + "'");
        }
        double value = value(no, rest[0]);
        if (rest.length == 2) {
            try {
                Long.parseLong(rest[1]);
            } catch (NumberFormatException e) {
                throw new ParseError(no, "bad timestamp '" + rest[1] + "'");
            }
        }
        return new Sample(name, Map.copyOf(labels), value);
    }

    private static double value(int no, String text) {
        switch (text) {
            case "+Inf", "Inf" -> {
                return Double.POSITIVE_INFINITY;
            }
            case "-Inf" -> {
                return Double.NEGATIVE_INFINITY;
            }
            case "NaN" -> {
                return Double.NaN;
            }
            default -> {
                if (!text.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?")) {
                    throw new ParseError(no, "bad value '" + text + "'");
                }
                return Double.parseDouble(text);
            }
        }
    }

    private static void requireName(int no, String name) {
        if (!METRIC_NAME.matcher(name).matches()) {
            throw new ParseError(no, "bad metric name '" + name + "'");
        }
    }

    private static String unescapeHelp(int no, String help) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < help.length(); i++) {
            char c = help.charAt(i);
            if (c == '\\') {
                char n = i + 1 < help.length() ? help.charAt(++i) : ' ';
                switch (n) {
                    case '\\' -> out.append('\\');
                    case 'n' -> out.append('\n');
                    default -> throw new ParseError(no, "bad escape \\" + n + " in HELP");
                }
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
