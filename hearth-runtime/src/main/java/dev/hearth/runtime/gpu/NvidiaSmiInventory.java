package dev.hearth.runtime.gpu;

import dev.hearth.placement.Gpu;
import dev.hearth.placement.GpuInventory;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The GPUs nvidia-smi reports on this machine, detected once when created. Empty, with one log line saying why,
 * where nvidia-smi is missing or fails: the control plane then runs CPU-only functions.
 */
public final class NvidiaSmiInventory implements GpuInventory {

    private static final System.Logger LOG = System.getLogger(NvidiaSmiInventory.class.getName());
    static final String[] QUERY = {"--query-gpu=index,name,memory.total,uuid", "--format=csv,noheader,nounits"};
    // Families whose first token (before any "-SXM4-..." style suffix) is the name users write.
    private static final Set<String> FAMILIES = Set.of("H100", "H200", "H20", "H800", "GH200", "B100", "B200",
            "GB200", "A100", "A800", "A10G", "A10", "A30", "A40", "L4", "L40", "L40S", "T4", "V100", "P100", "K80");

    private final List<Gpu> gpus;

    private NvidiaSmiInventory(List<Gpu> gpus) {
        this.gpus = List.copyOf(gpus);
    }

    /** Runs nvidia-smi now (at most 5 s). */
    public static NvidiaSmiInventory detect(String node) {
        return detect(node, NvidiaSmi.DEFAULT_EXECUTABLE, NvidiaSmi.DEFAULT_TIMEOUT);
    }

    static NvidiaSmiInventory detect(String node, String executable, Duration timeout) {
        try {
            List<Gpu> found = parse(NvidiaSmi.query(executable, timeout, QUERY), node);
            LOG.log(Level.INFO, "detected {0} GPU(s) with nvidia-smi: {1}", found.size(), found);
            return new NvidiaSmiInventory(found);
        } catch (IOException e) {
            LOG.log(Level.INFO, "no GPUs detected: {0}; only CPU functions can run (use --gpus to declare GPUs)",
                    e.getMessage());
            return new NvidiaSmiInventory(List.of());
        }
    }

    @Override
    public List<Gpu> gpus() {
        return gpus;
    }

    /**
     * Parses the output of {@code nvidia-smi --query-gpu=index,name,memory.total,uuid --format=csv,noheader,nounits},
     * lines like {@code 0, NVIDIA H100 80GB HBM3, 81559, GPU-5f2c...}. Lines that do not fit are skipped; an
     * unreadable memory ("[N/A]") counts as 0.
     */
    static List<Gpu> parse(String output, String node) {
        List<Gpu> gpus = new ArrayList<>();
        for (String line : output.split("\\R")) {
            String[] f = NvidiaSmi.fields(line);
            if (f.length < 4) {
                continue;
            }
            int index;
            try {
                index = Integer.parseInt(f[0]);
            } catch (NumberFormatException e) {
                continue;
            }
            // Memory and uuid are the last two fields; whatever lies between is the name, commas and all.
            String name = String.join(",", List.of(f).subList(1, f.length - 2)).strip();
            long memory = NvidiaSmi.number(f[f.length - 2], 0);
            gpus.add(new Gpu(node, index, normalizeType(name), memory));
        }
        return gpus;
    }

    /**
     * The short type name users write in manifests for a marketing name nvidia-smi reports: "NVIDIA H100 80GB HBM3"
     * is H100, "NVIDIA A100-SXM4-80GB" is A100-80GB (the 40 GB one is A100), "Tesla T4" is T4,
     * "NVIDIA GeForce RTX 4090" is RTX4090; an unknown name is kept with its spaces removed.
     */
    public static String normalizeType(String name) {
        String s = name.strip();
        for (String prefix : List.of("NVIDIA ", "Tesla ", "GeForce ")) {
            if (s.regionMatches(true, 0, prefix, 0, prefix.length())) {
                s = s.substring(prefix.length()).strip();
            }
        }
        String firstToken = s.split("\\s+")[0].toUpperCase(Locale.ROOT);
        String family = firstToken.split("-")[0];
        if (family.equals("A100")) {
            return s.toUpperCase(Locale.ROOT).contains("80GB") ? "A100-80GB" : "A100";
        }
        if (FAMILIES.contains(family)) {
            return family;
        }
        return s.replaceAll("\\s+", "");
    }
}
