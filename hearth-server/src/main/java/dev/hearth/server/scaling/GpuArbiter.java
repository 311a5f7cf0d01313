package dev.hearth.server.scaling;

import dev.hearth.functions.FunctionVersion;
import dev.hearth.functions.GpuRequest;
import dev.hearth.placement.BestFitPlacement;
import dev.hearth.placement.Claim;
import dev.hearth.placement.FairShare;
import dev.hearth.scaling.WorkerPhase;
import dev.hearth.server.workers.Worker;
import dev.hearth.server.workers.WorkerPool;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Starts the workers the autoscaler asked for, sharing scarce GPUs between functions with the pure {@link FairShare}
 * policy: starts are tried in its order; once a function's start finds no GPU, later starts that would compete for
 * the same GPUs wait (so freed GPUs go to the function ranked first), and a function holding more than its share is
 * asked to give one worker back (drained: it finishes its jobs first). Used by the scaling loop's thread only.
 */
final class GpuArbiter {

    private final WorkerPool pool;
    private final FairShare fair;
    private final ScalingEvents events;
    private final InstantSource clock;
    private final Map<String, Instant> waitingSince = new HashMap<>();
    private final Map<String, String> heldBack = new HashMap<>();

    GpuArbiter(WorkerPool pool, FairShare fair, ScalingEvents events, InstantSource clock) {
        this.pool = pool;
        this.fair = fair;
        this.events = events;
        this.clock = clock;
    }

    /** Workers the autoscaler wants started for one lane (a function version); {@code key} names the lane. */
    record Want(int key, FunctionVersion fn, int count) {
    }

    /** Starts up to the wanted workers of every lane; returns how many each lane (by key) got. */
    Map<Integer, Integer> startAll(List<Want> wants) {
        Map<Integer, Integer> started = new HashMap<>();
        heldBack.clear();
        if (wants.stream().allMatch(w -> w.count() <= 0)) {
            waitingSince.clear();
            return started;
        }
        // per GPU function: its lanes' wants in order, and its latest version for priority and request
        Map<String, java.util.ArrayDeque<Want>> gpuWants = new java.util.LinkedHashMap<>();
        Map<String, FunctionVersion> gpuFunctions = new HashMap<>();
        Map<String, Integer> wanted = new HashMap<>();
        for (Want w : wants) {
            if (w.count() <= 0) {
                continue;
            }
            if (w.fn().manifest().gpu() == null) {
                // CPU workers compete for no GPU
                for (int i = 0; i < w.count() && pool.start(w.fn()).isPresent(); i++) {
                    started.merge(w.key(), 1, Integer::sum);
                }
                continue;
            }
            var queue = gpuWants.computeIfAbsent(w.fn().name(), n -> new java.util.ArrayDeque<>());
            for (int i = 0; i < w.count(); i++) {
                queue.add(w);
            }
            gpuFunctions.putIfAbsent(w.fn().name(), w.fn());
            wanted.merge(w.fn().name(), w.count(), Integer::sum);
        }
        for (Worker w : pool.workers(null)) {
            if (!w.gpus().isEmpty() && !gpuFunctions.containsKey(w.function())) {
                pool.functionVersion(w.function()).filter(f -> f.manifest().gpu() != null)
                        .ifPresent(f -> gpuFunctions.put(f.name(), f));
            }
        }
        List<Claim> claims = gpuFunctions.values().stream().map(fn -> claim(fn, wanted)).toList();
        Map<String, GpuRequest> blocked = new java.util.LinkedHashMap<>();
        Map<String, Integer> startedByFunction = new HashMap<>();
        java.util.Set<String> failed = new java.util.HashSet<>();
        for (String name : fair.order(claims)) {
            Want want = gpuWants.get(name).poll();
            if (want == null || failed.contains(name)) {
                continue;
            }
            FunctionVersion fn = want.fn();
            GpuRequest request = fn.manifest().gpu();
            var first = blocked.entrySet().stream().filter(b -> pool.anyGpuServesBoth(b.getValue(), request))
                    .findFirst();
            if (first.isPresent()) {
                if (!first.get().getKey().equals(name)) {
                    heldBack.putIfAbsent(name, "waiting for GPU: " + first.get().getKey() + " ranks first for the next "
                            + "free one (fair share by priority and waiting time)");
                }
                continue;
            }
            if (pool.start(fn).isPresent()) {
                started.merge(want.key(), 1, Integer::sum);
                startedByFunction.merge(name, 1, Integer::sum);
                continue;
            }
            if (pool.lacksGpus(name) && pool.couldEverPlace(request)) {
                Claim claim = claims.stream().filter(c -> c.function().equals(name)).findFirst().orElseThrow();
                // Hold the GPUs back for it only while some are on their way to it; else others may backfill.
                if (askForYield(claim, request, claims) || pool.repackPending(name)) {
                    blocked.put(name, request);
                }
            }
            failed.add(name); // its further starts this round would fail the same way
        }
        Instant now = clock.instant();
        for (Claim c : claims) {
            if (c.wantedStarts() > startedByFunction.getOrDefault(c.function(), 0)) {
                waitingSince.putIfAbsent(c.function(), now);
            } else {
                waitingSince.remove(c.function());
            }
        }
        return started;
    }

    /** Why the function's start was held back in the last round for another function, or null. */
    String heldBack(String function) {
        return heldBack.get(function);
    }

    private Claim claim(FunctionVersion fn, Map<String, Integer> wanted) {
        List<Worker> live = active(fn.name());
        int held = live.stream().mapToInt(w -> w.gpus().size()).sum();
        return new Claim(fn.name(), fn.manifest().priority(), fn.manifest().gpu().count(), live.size(), held,
                wanted.getOrDefault(fn.name(), 0), waitingSince.get(fn.name()));
    }

    /** Asks a holder to give a worker back if fair share says so; returns whether GPUs are on their way. */
    private boolean askForYield(Claim waiting, GpuRequest request, List<Claim> claims) {
        boolean freeing = pool.workers(null).stream().anyMatch(w -> w.isDraining() && !w.hasExited()
                && w.gpus().stream().anyMatch(g -> BestFitPlacement.accepts(request, g)));
        if (freeing) {
            return true; // one yield at a time
        }
        List<Claim> holders = claims.stream().filter(c -> active(c.function()).stream()
                .anyMatch(w -> w.gpus().stream().anyMatch(g -> BestFitPlacement.accepts(request, g)))).toList();
        Optional<Worker> yielded = fair.yielder(waiting, holders).flatMap(victim -> active(victim).stream()
                .filter(w -> w.gpus().stream().anyMatch(g -> BestFitPlacement.accepts(request, g)))
                .min(Comparator.<Worker>comparingInt(w -> w.phase() == WorkerPhase.READY && w.inFlightCount() == 0
                        ? 0 : w.phase() == WorkerPhase.STARTING ? 1 : 2).thenComparingInt(Worker::inFlightCount)));
        yielded.ifPresent(w -> {
            pool.drain(w);
            Instant now = clock.instant();
            events.note(w.function(), now, "fair-share", List.of(w.id()), "fair share: worker " + w.id()
                    + " gives its GPUs to " + waiting.function() + " (priority " + waiting.priority()
                    + ") once its jobs are done");
            events.note(waiting.function(), now, "fair-share", List.of(), "fair share: " + w.function()
                    + " gives worker " + w.id() + " back for this function");
        });
        return yielded.isPresent();
    }

    private List<Worker> active(String function) {
        return pool.workers(function).stream().filter(w -> !w.isDraining()).toList();
    }
}
