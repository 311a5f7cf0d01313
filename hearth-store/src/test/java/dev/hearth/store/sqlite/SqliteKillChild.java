package dev.hearth.store.sqlite;

import dev.hearth.jobs.Job;
import dev.hearth.store.TestJobs;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Executors;

/**
 * Run as a separate process by {@link SqliteStoreTest}: inserts jobs from several threads forever and prints the id of
 * each acknowledged insert, until the test kills it with SIGKILL.
 */
final class SqliteKillChild {

    private SqliteKillChild() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(System.out, false, "UTF-8");
        SqliteStore store = SqliteStore.open(Path.of(args[0]));
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < 8; t++) {
                executor.submit(() -> {
                    while (true) {
                        Job job = TestJobs.queued("echo");
                        store.insert(job);
                        synchronized (out) {
                            out.println(job.id());
                            out.flush();
                        }
                    }
                });
            }
        }
    }
}
