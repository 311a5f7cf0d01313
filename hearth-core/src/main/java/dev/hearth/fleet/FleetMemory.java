package dev.hearth.fleet;

import dev.hearth.placement.Gpu;
import dev.hearth.scaling.ScalingWindows;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What {@link FleetPlanner} carries from one round to the next: each lane's demand windows, since when each function
 * has waited for GPUs (its fair-share aging), and the GPUs a repack freed for a function. The caller owns one and
 * passes it to every round; only one thread touches it (the server's scaling loop, or the simulation).
 */
public final class FleetMemory {

    private final Map<String, ScalingWindows> windows = new HashMap<>();
    final Map<String, Instant> waitingSince = new HashMap<>();
    final Map<String, Reservation> reservations = new HashMap<>();

    /** GPUs set aside for a function until it starts there or {@code until} passes. */
    record Reservation(List<Gpu> gpus, Instant until, String reason) {
    }

    /** The lane's windows, created on first use. */
    public ScalingWindows windows(String key) {
        return windows.computeIfAbsent(key, k -> new ScalingWindows());
    }

    /** Forgets the windows of lanes that are gone. */
    public void retainLanes(Collection<String> keys) {
        windows.keySet().retainAll(Set.copyOf(keys));
    }

    /** Whether GPUs freed by a repack are reserved for the function now. */
    public boolean repackPending(String function, Instant now) {
        Reservation r = reservations.get(function);
        return r != null && now.isBefore(r.until());
    }

    /** The function started a worker: what was reserved for it is free for all again. */
    void started(String function) {
        reservations.remove(function);
    }

    Set<Gpu> reservedForOthers(String function, Instant now) {
        Set<Gpu> reserved = new HashSet<>();
        reservations.forEach((f, r) -> {
            if (!f.equals(function) && now.isBefore(r.until())) {
                reserved.addAll(r.gpus());
            }
        });
        return reserved;
    }
}
