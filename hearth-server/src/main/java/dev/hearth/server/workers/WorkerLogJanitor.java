package dev.hearth.server.workers;

import dev.hearth.runtime.local.WorkerLogs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Keeps worker logs ({@code <root>/<function>/<worker>.log}) within their caps. A live worker's log rotates once it
 * holds half of the per-worker cap (see {@link WorkerLogs}), so it and its rotated copy stay within the cap. The logs
 * of workers that are gone expire after the retention period, and while a function's logs together exceed the
 * per-function cap, the oldest of them go first. Live workers' logs are never deleted.
 */
public final class WorkerLogJanitor {

    private static final Logger LOG = Logger.getLogger(WorkerLogJanitor.class.getName());

    private final Path root;
    private final Supplier<List<Worker>> workers;
    private final long workerMax;
    private final long functionMax;
    private final Duration retention;
    private final InstantSource clock;

    /**
     * @param workers     the workers the pool holds, whose logs may still grow
     * @param workerMax   the most bytes one worker's log (with its rotated copy) keeps
     * @param functionMax the most bytes the logs of one function's workers keep, the live ones' included
     * @param retention   how long the log of a worker that is gone is kept at most
     */
    public WorkerLogJanitor(Path root, Supplier<List<Worker>> workers, long workerMax, long functionMax,
                            Duration retention, InstantSource clock) {
        this.root = root;
        this.workers = workers;
        this.workerMax = workerMax;
        this.functionMax = functionMax;
        this.retention = retention;
        this.clock = clock;
    }

    /** Rotates the logs of live workers that reached half the per-worker cap. */
    public void rotate() {
        for (Worker w : workers.get()) {
            Path log = root.resolve(w.function()).resolve(w.id() + ".log");
            try {
                WorkerLogs.rotateIfOver(log, workerMax);
            } catch (IOException e) {
                LOG.warning("cannot rotate " + log + ": " + e.getMessage());
            }
        }
    }

    /** Deletes expired logs of workers that are gone, then the oldest of them while a function is over its cap. */
    public void expire() throws IOException {
        if (!Files.isDirectory(root)) {
            return;
        }
        Set<String> live = workers.get().stream().map(Worker::id).collect(Collectors.toSet());
        List<Path> functions;
        try (Stream<Path> dirs = Files.list(root)) {
            functions = dirs.filter(Files::isDirectory).toList();
        }
        long expiredBefore = clock.instant().minus(retention).toEpochMilli();
        for (Path dir : functions) {
            List<Path> gone = new ArrayList<>();
            long total = 0;
            try (Stream<Path> files = Files.list(dir)) {
                for (Path log : files.filter(f -> f.getFileName().toString().endsWith(".log")).toList()) {
                    total += WorkerLogs.diskSize(log);
                    if (!live.contains(log.getFileName().toString().replaceFirst("\\.log$", ""))) {
                        gone.add(log);
                    }
                }
            }
            gone.sort(Comparator.comparingLong(WorkerLogJanitor::modified));
            for (Path log : gone) {
                if (modified(log) >= expiredBefore && total <= functionMax) {
                    break; // the rest are younger and within the cap
                }
                total -= WorkerLogs.diskSize(log);
                WorkerLogs.delete(log);
            }
        }
    }

    private static long modified(Path file) {
        try {
            return Files.getLastModifiedTime(file).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }
}
