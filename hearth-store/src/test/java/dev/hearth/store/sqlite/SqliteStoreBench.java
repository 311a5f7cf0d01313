package dev.hearth.store.sqlite;

import dev.hearth.jobs.Job;
import dev.hearth.store.TestJobs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * Write throughput of the SQLite store: N jobs inserted, then each moved on by a compare-and-set update, from 16
 * virtual threads. Not a test; run by hand:
 * {@code java -cp <test classpath> dev.hearth.store.sqlite.SqliteStoreBench [jobs] [threads] [NORMAL|FULL]}.
 */
public final class SqliteStoreBench {

    private SqliteStoreBench() {
    }

    public static void main(String[] args) throws Exception {
        int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        Durability durability = args.length > 2 ? Durability.valueOf(args[2]) : Durability.NORMAL;
        Path dir = Files.createTempDirectory("hearth-bench");
        try {
            run(dir, jobs, threads, durability);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static void run(Path dir, int jobs, int threads, Durability durability) throws Exception {
        List<Job> submitted = new ArrayList<>(jobs);
        for (int i = 0; i < jobs; i++) {
            submitted.add(TestJobs.queued("bench-" + (i % 8), TestJobs.T0.plusMillis(i)));
        }
        try (SqliteStore store = SqliteStore.open(dir, durability)) {
            // warm-up: JIT, statement preparation, file growth
            inParallel(threads, submitted.subList(0, Math.min(5_000, jobs / 10)), store::insert);
            List<Job> measured = submitted.subList(Math.min(5_000, jobs / 10), jobs);

            long t0 = System.nanoTime();
            inParallel(threads, measured, store::insert);
            long t1 = System.nanoTime();
            Instant now = Instant.now();
            inParallel(threads, measured, job -> {
                if (!store.update(TestJobs.leased(job, "w", now))) {
                    throw new IllegalStateException("update of " + job.id() + " refused");
                }
            });
            long t2 = System.nanoTime();
            inParallel(threads, measured, job -> store.find(job.id()).orElseThrow());
            long t3 = System.nanoTime();

            int n = measured.size();
            System.out.printf("SQLite store (%s), %d virtual threads, %d jobs%n", durability, threads, n);
            System.out.printf("  insert:     %,10.0f writes/s%n", n / seconds(t1 - t0));
            System.out.printf("  CAS update: %,10.0f writes/s%n", n / seconds(t2 - t1));
            System.out.printf("  overall:    %,10.0f writes/s (mean batch %.1f writes per commit)%n",
                    2.0 * n / seconds(t2 - t0), store.meanBatchSize());
            System.out.printf("  find by id: %,10.0f reads/s%n", n / seconds(t3 - t2));
        }
    }

    private interface JobAction {
        void apply(Job job) throws Exception;
    }

    private static void inParallel(int threads, List<Job> jobs, JobAction action) throws Exception {
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> all = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t;
                all.add(executor.submit(() -> {
                    for (int i = first; i < jobs.size(); i += threads) {
                        action.apply(jobs.get(i));
                    }
                    return null;
                }));
            }
            for (Future<?> f : all) {
                f.get();
            }
        }
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }
}
