package dev.hearth.runtime.slurm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.placement.ConfiguredGpuInventory;
import dev.hearth.placement.Gpu;
import dev.hearth.placement.GpuInventory;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
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
 * nodes Slurm will not run anything on now (drained, down, not responding); and how many of each node's GPUs Slurm
 * jobs other than this control plane's hold ({@code gres_used} of {@code sinfo} less what {@code squeue} shows of this
 * control plane's own jobs), which placement counts as taken. Refreshed by {@link #refresh()}: nodes added to the
 * partition appear, nodes removed from it disappear.
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
    private final String ownJobs;
    private volatile List<Gpu> gpus = List.of();
    private volatile Map<String, Map<String, Integer>> foreign = Map.of();
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
        this(slurm, partition, null);
    }

    /**
     * Reads the cluster once, following the GPUs other jobs hold.
     *
     * @param partition only this partition's nodes, or null for all
     * @param ownJobs   what the comment of this control plane's own jobs starts with; the GPUs of every other
     *                  running job are held elsewhere. Null: all GPUs are Hearth's to place (nothing is subtracted)
     * @throws SlurmException when {@code sinfo} fails
     */
    public SlurmInventory(SlurmCli slurm, String partition, String ownJobs) {
        this.slurm = slurm;
        this.partition = partition;
        this.ownJobs = ownJobs;
        refresh();
    }

    /** An inventory that has read nothing yet, for tests that {@link #apply} Slurm's JSON themselves. */
    SlurmInventory(String partition, String ownJobs) {
        this.slurm = null;
        this.partition = partition;
        this.ownJobs = ownJobs;
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

    /** GPUs per node and type that Slurm jobs other than this control plane's hold, as of the last refresh. */
    public Map<String, Map<String, Integer>> foreign() {
        return foreign;
    }

    @Override
    public Set<Gpu> heldElsewhere(Set<Gpu> inUse) {
        Map<String, Map<String, Integer>> held = foreign;
        if (held.isEmpty()) {
            return Set.of();
        }
        Set<Gpu> taken = new HashSet<>();
        held.forEach((node, byType) -> byType.forEach((type, count) -> gpus.stream()
                .filter(g -> g.node().equals(node) && g.type().equals(type) && !inUse.contains(g))
                .sorted(Comparator.comparingInt(Gpu::index).reversed())
                .limit(count)
                .forEach(taken::add)));
        return taken;
    }

    /** Reads the nodes (and, following other jobs' GPUs, the queue) again; a failing tool keeps the last view. */
    public void refresh() {
        JsonNode nodesJson = slurm.json(List.of("sinfo", "--json"));
        JsonNode jobsJson = ownJobs == null ? null : slurm.json(List.of("squeue", "--json"));
        apply(nodesJson, jobsJson);
    }

    /**
     * Takes the view of {@code sinfo --json} and, when following other jobs' GPUs, {@code squeue --json}.
     * Package-private for tests of the parse.
     */
    void apply(JsonNode json, JsonNode jobsJson) {
        List<Gpu> found = new ArrayList<>();
        List<String> names = new ArrayList<>();
        Map<String, String> closed = new LinkedHashMap<>();
        Map<String, String> types = new LinkedHashMap<>();
        Map<String, Map<String, Integer>> used = new HashMap<>();
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
            countGres(n.path("gres_used").asText(""), name, used);
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
        Map<String, Map<String, Integer>> others = Map.of();
        if (jobsJson != null) {
            others = foreignOf(used, jobsJson);
            if (!others.equals(foreign)) {
                LOG.log(Level.INFO, "GPUs held by Slurm jobs outside Hearth: {0}", others.isEmpty() ? "none"
                        : others);
            }
        }
        if (!names.equals(nodes) && !nodes.isEmpty()) {
            LOG.log(Level.INFO, "Slurm nodes now: {0} (were {1})", names, nodes);
        }
        gpus = List.copyOf(found);
        foreign = others;
        nodes = List.copyOf(names);
        unavailable = Map.copyOf(closed);
        slurmTypes = Map.copyOf(types);
    }

    /** What {@code used} counts less this control plane's running jobs' GPUs, per node and type, above zero. */
    private Map<String, Map<String, Integer>> foreignOf(Map<String, Map<String, Integer>> used, JsonNode jobsJson) {
        Map<String, Map<String, Integer>> ours = new HashMap<>();
        for (JsonNode j : jobsJson.path("jobs")) {
            String node = j.path("nodes").asText("");
            if (!j.path("comment").asText("").startsWith(ownJobs) || node.isEmpty()
                    || "PENDING".equals(j.path("job_state").asText())) {
                continue;
            }
            // Hearth's jobs run on one node (--nodelist): gres_detail holds that node's allocation
            for (JsonNode g : j.path("gres_detail")) {
                countGres(g.asText(), node, ours);
            }
        }
        Map<String, Map<String, Integer>> others = new LinkedHashMap<>();
        used.forEach((node, byType) -> byType.forEach((type, count) -> {
            int left = count - ours.getOrDefault(node, Map.of()).getOrDefault(type, 0);
            if (left > 0) {
                others.computeIfAbsent(node, k -> new LinkedHashMap<>()).put(type, left);
            }
        }));
        others.replaceAll((node, byType) -> Map.copyOf(byType));
        return Map.copyOf(others);
    }

    /** Adds {@code gpu:h100:2(IDX:0,3),gpu:l4:0(IDX:N/A),mps:0} to the node's counts per (upper-cased) type. */
    private static void countGres(String gres, String node, Map<String, Map<String, Integer>> into) {
        for (String part : gres.split(",(?![^(]*\\))")) { // not the commas of (IDX:0,2-3)
            Matcher m = GRES.matcher(part.trim());
            if (m.matches() && Integer.parseInt(m.group(2)) > 0) {
                String type = (m.group(1) == null ? "gpu" : m.group(1)).toUpperCase(Locale.ROOT);
                into.computeIfAbsent(node, k -> new HashMap<>()).merge(type, Integer.parseInt(m.group(2)),
                        Integer::sum);
            }
        }
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
