package dev.hearth.placement;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GPUs declared on the command line ({@code --gpus H100:4,A100:2}, or per node
 * {@code --gpus "node-a=H100:4;node-b=A100:2"}) rather than detected: for machines where
 * nvidia-smi is not usable, to hand the control plane only some of a node's GPUs, and for tests with fake GPUs.
 */
public record ConfiguredGpuInventory(List<Gpu> gpus) implements GpuInventory {

    // Memory users would see from nvidia-smi, so placement by memory behaves as on the real machine.
    private static final Map<String, Long> MEMORY_MIB = Map.of(
            "H100", 81559L,
            "H200", 143771L,
            "A100", 81920L,
            "A100-80GB", 81920L,
            "L4", 23034L,
            "A10G", 23028L,
            "T4", 15360L,
            "RTX4090", 24564L);
    private static final Pattern ENTRY = Pattern.compile("([A-Za-z0-9][A-Za-z0-9._-]*)(?::(\\d{1,4}))?");
    private static final Pattern NODE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    private static final int MAX_PER_TYPE = 1024;

    public ConfiguredGpuInventory {
        gpus = List.copyOf(gpus);
    }

    /**
     * Parses a {@code --gpus} value: comma-separated {@code TYPE} or {@code TYPE:COUNT} entries, indices numbered
     * from 0 in order ({@code H100:4,A100:2}: 0..3 are H100s, 4..5 A100s), all on the node {@code node}. Several
     * nodes are {@code ;}-separated {@code NODE=ENTRIES} ({@code node-a=H100:4;node-b=H100:4,A100:2}); they are
     * partitions of this machine for placement, so indices go on counting across them. {@code none}, empty or blank
     * means no GPUs. Types are upper-cased, as nvidia-smi detection names them.
     *
     * @throws IllegalArgumentException naming the bad entry and the expected form
     */
    public static ConfiguredGpuInventory parse(String spec, String node) {
        if (spec == null || spec.isBlank() || spec.trim().equalsIgnoreCase("none")) {
            return new ConfiguredGpuInventory(List.of());
        }
        List<Gpu> gpus = new ArrayList<>();
        if (!spec.contains("=")) {
            parseEntries(spec, node, gpus);
            return new ConfiguredGpuInventory(gpus);
        }
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (String raw : spec.split(";", -1)) {
            String part = raw.trim();
            int eq = part.indexOf('=');
            String name = eq < 0 ? "" : part.substring(0, eq).trim();
            if (eq < 0 || !NODE.matcher(name).matches()) {
                throw bad(part, "expected NODE=TYPE:COUNT,... for each ';'-separated node, e.g. "
                        + "node-a=H100:4;node-b=A100:2 (node names: letters, digits, '.', '_', '-')");
            }
            if (!seen.add(name)) {
                throw bad(part, "node '" + name + "' is declared twice");
            }
            parseEntries(part.substring(eq + 1), name, gpus);
        }
        return new ConfiguredGpuInventory(gpus);
    }

    /** The memory of a GPU type as nvidia-smi shows it (upper-case type, e.g. {@code H100}), 0 when unknown. */
    public static long memoryMiB(String type) {
        return MEMORY_MIB.getOrDefault(type, 0L);
    }

    private static void parseEntries(String entries, String node, List<Gpu> gpus) {
        for (String raw : entries.split(",", -1)) {
            String entry = raw.trim();
            Matcher m = ENTRY.matcher(entry);
            if (!m.matches()) {
                throw bad(entry, "expected TYPE or TYPE:COUNT, e.g. H100:4,A100:2");
            }
            String type = m.group(1).toUpperCase(Locale.ROOT);
            if (type.equals("NONE")) {
                throw bad(entry, "'none' cannot be combined with GPU types");
            }
            int count = m.group(2) == null ? 1 : Integer.parseInt(m.group(2));
            if (count < 1 || count > MAX_PER_TYPE) {
                throw bad(entry, "COUNT must be between 1 and " + MAX_PER_TYPE);
            }
            long memory = MEMORY_MIB.getOrDefault(type, 0L);
            for (int i = 0; i < count; i++) {
                gpus.add(new Gpu(node, gpus.size(), type, memory));
            }
        }
    }

    private static IllegalArgumentException bad(String entry, String why) {
        return new IllegalArgumentException("bad --gpus entry '" + entry + "': " + why);
    }
}
