package dev.hearth.runtime.slurm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.placement.ConfiguredGpuInventory;
import dev.hearth.placement.Gpu;
import dev.hearth.placement.GpuInventory;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The GPUs of a Slurm cluster as {@code sinfo --json} reports them: one {@link Gpu} per GPU of each node's GRES
 * ({@code gpu:h100:4}), indexed per node as Slurm numbers them, types upper-cased as nvidia-smi names them; and which
 * nodes Slurm will not run anything on now (drained, down, not responding). Refreshed by {@link #refresh()}.
 */
public final class SlurmInventory implements GpuInventory {

    private static final System.Logger LOG = System.getLogger(SlurmInventory.class.getName());
    // gpu:h100:4, gpu:h100:4(S:0-1), gpu:4 (no type)
    private static final Pattern GRES = Pattern.compile("gpu(?::([A-Za-z0-9._-]+))?:(\\d+)(?:\\(.*\\))?");
    private static final Set<String> UNAVAILABLE_STATES = Set.of("down", "drained", "draining", "fail", "failing",
            "future", "unknown", "maint", "reboot_issued", "power_down", "powered_down");
    private static final Set<String> UNAVAILABLE_FLAGS = Set.of("DRAIN", "NOT_RESPONDING", "FAIL", "MAINTENANCE",
            "POWER_DOWN", "POWERED_DOWN", "REBOOT_REQUESTED");

    private final SlurmCli slurm;
    private final String partition;
    private volatile List<Gpu> gpus = List.of();
    private volatile List<String> nodes = List.of();
    private volatile Map<String, String> unavailable = Map.of();
    private volatile Map<String, String> slurmTypes = Map.of();

    /**
     * Reads the cluster once.
     *
     * @param partition only this partition's nodes, or null for all
     * @throws SlurmException when {@code sinfo} fails
     */
    public SlurmInventory(SlurmCli slurm, String partition) {
        this.slurm = slurm;
        this.partition = partition;
        refresh();
    }

    @Override
    public List<Gpu> gpus() {
        return gpus;
    }

    /** The partition's nodes, GPU or not, in Slurm's order. */
    public List<String> nodes() {
        return nodes;
    }

    /** Nodes Slurm runs nothing new on, with its reason ({@code drained: maintenance}, {@code down: Not responding}). */
    public Map<String, String> unavailable() {
        return unavailable;
    }

    /** Slurm's own spelling of a GPU type (GRES types are case-sensitive): {@code H100} is {@code h100}. */
    public String slurmType(String type) {
        return slurmTypes.getOrDefault(type, type);
    }

    /** Reads the nodes again; a failing {@code sinfo} keeps the last view and throws. */
    public void refresh() {
        JsonNode json = slurm.json(List.of("sinfo", "--json"));
        List<Gpu> found = new ArrayList<>();
        List<String> names = new ArrayList<>();
        Map<String, String> closed = new LinkedHashMap<>();
        Map<String, String> types = new LinkedHashMap<>();
        for (JsonNode n : json.path("nodes")) {
            String name = n.path("name").asText();
            if (partition != null && !contains(n.path("partitions"), partition)) {
                continue;
            }
            names.add(name);
            String state = n.path("state").asText().toLowerCase(Locale.ROOT);
            List<String> flags = new ArrayList<>();
            n.path("state_flags").forEach(f -> flags.add(f.asText()));
            if (UNAVAILABLE_STATES.contains(state) || flags.stream().anyMatch(UNAVAILABLE_FLAGS::contains)) {
                String reason = n.path("reason").asText("");
                closed.put(name, (flags.isEmpty() ? state : state + "+" + String.join("+", flags).toLowerCase(
                        Locale.ROOT)) + (reason.isBlank() ? "" : ": " + reason));
            }
            int index = 0;
            for (String gres : n.path("gres").asText("").split(",")) {
                Matcher m = GRES.matcher(gres.trim());
                if (!m.matches()) {
                    continue;
                }
                String slurmType = m.group(1) == null ? "gpu" : m.group(1);
                String type = slurmType.toUpperCase(Locale.ROOT);
                types.put(type, slurmType);
                int count = Integer.parseInt(m.group(2));
                for (int i = 0; i < count; i++) {
                    found.add(new Gpu(name, index++, type, ConfiguredGpuInventory.memoryMiB(type)));
                }
            }
        }
        if (!closed.equals(unavailable)) {
            LOG.log(Level.INFO, "Slurm nodes not taking work: {0}", closed.isEmpty() ? "none" : closed);
        }
        gpus = List.copyOf(found);
        nodes = List.copyOf(names);
        unavailable = Map.copyOf(closed);
        slurmTypes = Map.copyOf(types);
    }

    private static boolean contains(JsonNode array, String value) {
        for (JsonNode v : array) {
            if (value.equals(v.asText())) {
                return true;
            }
        }
        return false;
    }
}
