package dev.hearth.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.hearth.jobs.IdempotencyKey;
import dev.hearth.jobs.Job;
import dev.hearth.jobs.JobState;
import dev.hearth.store.JobStoreContract;
import dev.hearth.store.StoreException;
import dev.hearth.store.TestJobs;
import dev.hearth.store.jdbc.JdbcStore;
import dev.hearth.store.jdbc.Schema;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteStoreTest extends JobStoreContract {

    @TempDir
    Path dir;

    @Override
    protected JdbcStore openStore() {
        return SqliteStore.open(dir);
    }

    @Test
    void aStoreFromBeforeThePartialIdempotencyIndexIsMigratedAndKeysStillHold() throws Exception {
        Path old = java.nio.file.Files.createDirectories(dir.resolve("schema-5"));
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + old.resolve("hearth.db"));
             var session = new dev.hearth.store.jdbc.Session(c)) {
            Schema.migrate(session, "test store", 5);
        }
        try (SqliteStore migrated = SqliteStore.open(old)) {
            assertThat(migrated.get(Schema.VERSION_KEY)).contains(Integer.toString(Schema.LATEST));
            Job first = migrated.insert(TestJobs.queued("echo"), new IdempotencyKey("k", "h")).job();
            IdempotencyKey.Claim again = migrated.insert(TestJobs.queued("echo"), new IdempotencyKey("k", "h"));
            assertThat(again.created()).isFalse();
            assertThat(again.job().id()).isEqualTo(first.id());
            migrated.insert(TestJobs.queued("echo"));
            migrated.insert(TestJobs.queued("echo"));
        }
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + old.resolve("hearth.db"));
             var rs = c.createStatement().executeQuery(
                     "SELECT sql FROM sqlite_master WHERE name = 'jobs_by_idempotency_key'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).contains("WHERE idempotency_key IS NOT NULL");
        }
    }

    @Test
    void everythingSurvivesCloseAndReopen() {
        Job job = TestJobs.everyFieldSet();
        store.insert(job);
        store.functions().save(TestJobs.function("echo", 1));
        store.put("api_key_sha256", "abc");
        store.close();

        try (SqliteStore reopened = SqliteStore.open(dir)) {
            assertThat(reopened.find(job.id())).contains(job);
            assertThat(reopened.functions().latest("echo")).contains(TestJobs.function("echo", 1));
            assertThat(reopened.get("api_key_sha256")).contains("abc");
        }
    }

    @Test
    void fullDurabilityWorksAlike() {
        store.close();
        try (SqliteStore full = SqliteStore.open(dir, Durability.FULL)) {
            Job job = TestJobs.queued("echo");
            full.insert(job);
            assertThat(full.find(job.id())).contains(job);
        }
    }

    @Test
    void concurrentInsertsFromVirtualThreadsAllLand() throws Exception {
        int threads = 8;
        int perThread = 2_000;
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> all = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String function = "fn" + t;
                all.add(executor.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        store.insert(TestJobs.queued(function, TestJobs.T0.plusMillis(i)));
                    }
                    return null;
                }));
            }
            for (Future<?> f : all) {
                f.get();
            }
        }
        for (int t = 0; t < threads; t++) {
            assertThat(store.countByState("fn" + t)).containsEntry(JobState.IN_QUEUE, (long) perThread);
        }
        assertThat(store.findByStates(Set.of(JobState.IN_QUEUE))).hasSize(threads * perThread);
    }

    @Test
    void aFailingWriteDoesNotSpoilTheOthersOfItsBatch() throws Exception {
        Job existing = TestJobs.queued("echo");
        store.insert(existing);
        ConcurrentLinkedQueue<String> inserted = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Throwable> duplicateErrors = new ConcurrentLinkedQueue<>();
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> all = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                all.add(executor.submit(() -> {
                    for (int i = 0; i < 200; i++) {
                        if (i % 10 == 0) {
                            try {
                                store.insert(existing);
                            } catch (StoreException e) {
                                duplicateErrors.add(e);
                            }
                        } else {
                            Job job = TestJobs.queued("echo");
                            store.insert(job);
                            inserted.add(job.id());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : all) {
                f.get();
            }
        }
        assertThat(duplicateErrors).hasSize(8 * 20)
                .allSatisfy(e -> assertThat(e).hasMessageContaining("could not insert job " + existing.id()));
        assertThat(store.countByState("echo")).containsEntry(JobState.IN_QUEUE, inserted.size() + 1L);
    }

    @Test
    void closeCommitsTheWritesAlreadyQueued() throws Exception {
        ConcurrentLinkedQueue<String> acknowledged = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Throwable> refused = new ConcurrentLinkedQueue<>();
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < 16; t++) {
                executor.submit(() -> {
                    while (true) {
                        Job job = TestJobs.queued("echo");
                        try {
                            store.insert(job);
                            acknowledged.add(job.id());
                        } catch (StoreException e) {
                            refused.add(e);
                            return;
                        }
                    }
                });
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> acknowledged.size() >= 2_000);
            store.close();
        }
        assertThat(refused).hasSize(16).allSatisfy(e -> assertThat(e).hasMessageContaining("is closed"));
        try (SqliteStore reopened = SqliteStore.open(dir)) {
            // exactly the acknowledged writes: none lost, none applied behind a refusal
            assertThat(reopened.countByState("echo")).containsEntry(JobState.IN_QUEUE, (long) acknowledged.size());
            for (String id : acknowledged) {
                assertThat(reopened.find(id)).isPresent();
            }
        }
    }

    @Test
    void acknowledgedWritesSurviveKillMinus9() throws Exception {
        store.close();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(java.toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"),
                SqliteKillChild.class.getName(), dir.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        List<String> acknowledged = new ArrayList<>();
        AtomicBoolean enough = new AtomicBoolean();
        try (var reader = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                acknowledged.add(line);
                if (acknowledged.size() == 1) {
                    assertThatThrownBy(() -> SqliteStore.open(dir)).hasMessageContaining("in use by another process");
                }
                if (acknowledged.size() >= 3_000) {
                    enough.set(true);
                    child.destroyForcibly(); // SIGKILL: no shutdown hook, no close()
                    break;
                }
            }
        } finally {
            child.destroyForcibly();
            assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(enough).as("the child acknowledged 3000 writes before it ended").isTrue();

        try (SqliteStore reopened = SqliteStore.open(dir)) {
            for (String id : acknowledged) {
                assertThat(reopened.find(id)).as("acknowledged job %s", id).isPresent();
            }
        }
    }

    @Test
    void listingsFromVirtualThreadsRunOnReaderThreads() throws Exception {
        Job job = TestJobs.queued("echo");
        store.insert(job);
        store.functions().save(TestJobs.function("echo", 1));
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            assertThat(executor.submit(() -> store.findByStates(Set.of(JobState.IN_QUEUE))).get()).containsExactly(job);
            assertThat(executor.submit(() -> store.findByFunction("echo", Set.of(), 5)).get()).containsExactly(job);
            assertThat(executor.submit(() -> store.countByState("echo")).get()).containsEntry(JobState.IN_QUEUE, 1L);
            assertThat(executor.submit(() -> store.functions().listLatest()).get()).hasSize(1);
            assertThat(executor.submit(() -> store.find(job.id())).get()).contains(job);
            store.close();
            assertThat(executor.submit(() -> {
                try {
                    store.countByState("echo");
                    return null;
                } catch (StoreException e) {
                    return e.getMessage();
                }
            }).get()).contains("is closed; cannot count jobs of function echo");
        }
    }

    @Test
    void aSecondStoreOnTheSameDirectoryIsRefused() {
        assertThatThrownBy(() -> SqliteStore.open(dir))
                .isInstanceOf(StoreException.class).hasMessageContaining("in use by another store of this process");
        // the refused open must not have dropped the first store's lock
        store.insert(TestJobs.queued("echo"));
        assertThatThrownBy(() -> SqliteStore.open(dir)).hasMessageContaining("in use");
    }

    @Test
    void aDatabaseFromANewerHearthIsRefused() {
        store.put(Schema.VERSION_KEY, Integer.toString(Schema.LATEST + 1));
        store.close();

        assertThatThrownBy(() -> SqliteStore.open(dir))
                .isInstanceOf(StoreException.class).hasMessageContaining("written by a newer Hearth");
        // the failed open released the directory again
        store = null;
        assertThatThrownBy(() -> SqliteStore.open(dir)).hasMessageContaining("newer Hearth");
    }
}
