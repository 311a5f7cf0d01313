package dev.hearth.server.workers;

import dev.hearth.functions.FunctionVersion;
import dev.hearth.placement.Gpu;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The pre-initialized processes ({@code scaling.preinit}) of each function version: launched without GPUs, they
 * import the handler, run its setup() and then wait to be given GPUs. Bookkeeping only; {@link WorkerPool} launches,
 * hands over and stops them.
 */
final class PreinitPool {

    /** One pooled process. */
    static final class Pooled {
        private final Worker process;
        private final String key;
        private final CompletableFuture<List<Gpu>> gpus = new CompletableFuture<>();
        private volatile boolean waiting;
        private volatile Worker adopted;

        Pooled(Worker process, String key) {
            this.process = process;
            this.key = key;
        }

        /** Its record while in the pool: id, token, PREINIT metering. */
        Worker process() {
            return process;
        }

        /** function@version. */
        String key() {
            return key;
        }

        /** It finished its setup, CUDA untouched, and asked for GPUs: it can be handed over. */
        boolean isWaiting() {
            return waiting;
        }

        /** The worker it became, or null while pooled. */
        Worker adopted() {
            return adopted;
        }

        void adopt(Worker w) {
            adopted = w;
        }

        void giveGpus(List<Gpu> given) {
            gpus.complete(List.copyOf(given));
        }

        Optional<List<Gpu>> awaitGpus(Duration wait) throws InterruptedException {
            waiting = true;
            try {
                return Optional.of(gpus.get(wait.toMillis(), TimeUnit.MILLISECONDS));
            } catch (TimeoutException e) {
                return Optional.empty();
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }
    }

    private final ConcurrentHashMap<String, Pooled> byId = new ConcurrentHashMap<>();
    private final Set<String> refused = ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<Map.Entry<String, String>> notes = new ConcurrentLinkedQueue<>();

    Pooled add(Worker process, String key) {
        Pooled p = new Pooled(process, key);
        byId.put(process.id(), p);
        return p;
    }

    void remove(Pooled p) {
        byId.remove(p.process.id(), p);
    }

    /** A waiting process of the version, taken out of the pool; empty if none is ready yet. */
    synchronized Optional<Pooled> takeWaiting(FunctionVersion fn) {
        String key = fn.name() + "@" + fn.version();
        for (Pooled p : byId.values()) {
            if (p.key.equals(key) && p.waiting && p.adopted == null && !p.process.isDraining()) {
                byId.remove(p.process.id());
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** Live (not stopping) processes of the version, waiting or still setting up. */
    int count(String key) {
        return (int) byId.values().stream().filter(p -> p.key.equals(key) && !p.process.isDraining()).count();
    }

    /** The processes beyond each version's wanted size (versions absent want none), newest first. */
    List<Pooled> surplus(Map<String, Integer> sizes) {
        List<Pooled> out = new ArrayList<>();
        Map<String, Integer> kept = new java.util.HashMap<>();
        byId.values().stream().filter(p -> !p.process.isDraining())
                .sorted(java.util.Comparator.comparing((Pooled p) -> !p.waiting)
                        .thenComparing(p -> p.process.startedAt()))
                .forEach(p -> {
                    int n = kept.merge(p.key, 1, Integer::sum);
                    if (n > sizes.getOrDefault(p.key, 0)) {
                        out.add(p);
                    }
                });
        return out;
    }

    Optional<Pooled> authenticate(String function, String workerId, String token) {
        Pooled p = byId.get(workerId);
        if (p == null || token == null || !p.process.function().equals(function)
                || !java.security.MessageDigest.isEqual(p.process.token().getBytes(), token.getBytes())) {
            return Optional.empty();
        }
        return Optional.of(p);
    }

    /** The version's setup initializes CUDA: its processes cannot be moved to GPUs, so it gets no more. */
    void refuse(Pooled p, String reason) {
        if (refused.add(p.key)) {
            note(p.process.function(), reason);
        }
    }

    boolean refused(String key) {
        return refused.contains(key);
    }

    void note(String function, String reason) {
        notes.add(Map.entry(function, reason));
    }

    List<Map.Entry<String, String>> drainNotes() {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        for (Map.Entry<String, String> e; (e = notes.poll()) != null; ) {
            out.add(e);
        }
        return out;
    }

    List<WorkerPool.PreinitProcess> ofFunction(String function) {
        return byId.values().stream().filter(p -> function == null || p.process.function().equals(function))
                .filter(p -> !p.process.hasExited())
                .map(p -> new WorkerPool.PreinitProcess(p.process, p.waiting)).toList();
    }
}
