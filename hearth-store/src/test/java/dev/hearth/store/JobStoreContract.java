package dev.hearth.store;

import static dev.hearth.store.TestJobs.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hearth.audit.AuditEntry;
import dev.hearth.errors.HearthException;
import dev.hearth.functions.FunctionStore;
import dev.hearth.functions.FunctionVersion;
import dev.hearth.jobs.IdempotencyKey;
import dev.hearth.jobs.Job;
import dev.hearth.jobs.JobEvent;
import dev.hearth.jobs.JobEventType;
import dev.hearth.jobs.JobSearch;
import dev.hearth.jobs.JobState;
import dev.hearth.jobs.JobTiming;
import dev.hearth.jobs.JobTransitions;
import dev.hearth.webhooks.DeliveryState;
import dev.hearth.webhooks.WebhookDelivery;
import dev.hearth.webhooks.WebhookDeliveryStore;
import dev.hearth.releases.Release;
import dev.hearth.releases.ReleaseStore;
import dev.hearth.store.jdbc.JdbcStore;
import dev.hearth.store.jdbc.Schema;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * What every store must do: the {@link dev.hearth.jobs.JobStore}, {@link FunctionStore} and {@link SettingsStore}
 * contracts, against a real database. Each test gets an empty store.
 */
public abstract class JobStoreContract extends EmptyStorePerTest {


    // ---- jobs

    @Test
    void insertedJobComesBackWithEveryField() {
        Job full = TestJobs.everyFieldSet();
        Job sparse = TestJobs.queued("echo");
        store.insert(full);
        store.insert(sparse);

        assertThat(store.find(full.id())).contains(full);
        assertThat(store.find(sparse.id())).contains(sparse);
        assertThat(store.find("no-such-job")).isEmpty();
    }

    @Test
    void insertingAnExistingIdFailsNamingTheOperation() {
        Job job = TestJobs.queued("echo");
        store.insert(job);

        assertThatThrownBy(() -> store.insert(job))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("could not insert job " + job.id());
        assertThat(store.find(job.id())).contains(job);
    }

    @Test
    void updateAppliesTheNextRevision() {
        Job job = TestJobs.queued("echo");
        store.insert(job);
        Job leased = TestJobs.leased(job, "w1", T0.plusSeconds(1));
        Job done = TestJobs.completed(leased, "{\"ok\":true}", T0.plusSeconds(5));

        assertThat(store.update(leased)).isTrue();
        assertThat(store.update(done)).isTrue();
        assertThat(store.find(job.id())).contains(done);
    }

    @Test
    void updateFromAStaleRevisionIsRefused() {
        Job job = TestJobs.queued("echo");
        store.insert(job);
        Job byNodeA = TestJobs.leased(job, "worker-a", T0.plusSeconds(1));
        Job byNodeB = TestJobs.cancelled(job, T0.plusSeconds(2));

        assertThat(store.update(byNodeA)).isTrue();
        assertThat(store.update(byNodeB)).isFalse();
        assertThat(store.find(job.id())).contains(byNodeA);
    }

    @Test
    void updateOfAMissingJobIsRefused() {
        Job ghost = TestJobs.cancelled(TestJobs.queued("echo"), T0);
        assertThat(store.update(ghost)).isFalse();
        assertThat(store.find(ghost.id())).isEmpty();
    }

    @Test
    void concurrentUpdatesOfOneRevisionHaveExactlyOneWinner() throws Exception {
        Job job = TestJobs.queued("echo");
        store.insert(job);
        AtomicInteger winners = new AtomicInteger();
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> all = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                String worker = "w" + i;
                all.add(executor.submit(() -> {
                    if (store.update(TestJobs.leased(job, worker, T0))) {
                        winners.incrementAndGet();
                    }
                }));
            }
            for (Future<?> f : all) {
                f.get();
            }
        }
        assertThat(winners).hasValue(1);
        assertThat(store.find(job.id()).orElseThrow().revision()).isEqualTo(1);
    }

    @Test
    void updateAllReportsPerJobAndAppliesTheRest() {
        Job a = TestJobs.queued("echo");
        Job b = TestJobs.queued("echo");
        Job c = TestJobs.queued("echo");
        store.insert(a);
        store.insert(b);
        store.insert(c);
        Job bLeased = TestJobs.leased(b, "w", T0);
        store.update(bLeased);

        Job aCancelled = TestJobs.cancelled(a, T0.plusSeconds(1));
        Job bStale = TestJobs.cancelled(b, T0.plusSeconds(1));
        Job cCancelled = TestJobs.cancelled(c, T0.plusSeconds(1));
        assertThat(store.updateAll(List.of(cCancelled, bStale, aCancelled))).containsExactly(true, false, true);

        assertThat(store.find(a.id())).contains(aCancelled);
        assertThat(store.find(b.id())).contains(bLeased);
        assertThat(store.find(c.id())).contains(cCancelled);
        assertThat(store.updateAll(List.of())).isEmpty();
    }

    @Test
    void aWriteQueuedAfterUpdateAllLaterAppliesAfterIt() {
        Job a = store(TestJobs.queued("echo"));
        Job leased = TestJobs.leased(a, "w", T0);
        Job cancelled = TestJobs.cancelled(leased, T0.plusSeconds(1));

        var lease = store.updateAllLater(List.of(leased));
        // the next revision: it could only apply once the lease has
        assertThat(store.update(cancelled)).isTrue();

        assertThat(lease.join()).containsExactly(true);
        assertThat(store.find(a.id())).contains(cancelled);
    }

    @Test
    void updateAllLaterReportsAStaleRevision() {
        Job a = store(TestJobs.queued("echo"));
        store.update(TestJobs.cancelled(a, T0));

        assertThat(store.updateAllLater(List.of(TestJobs.leased(a, "w", T0))).join()).containsExactly(false);
        assertThat(store.updateAllLater(List.of()).join()).isEmpty();
    }

    @Test
    void findByStatesReturnsOldestFirst() {
        Job late = store(TestJobs.queued("a", T0.plusSeconds(30)));
        Job early = store(TestJobs.queued("b", T0.plusSeconds(10)));
        Job running = store(TestJobs.inState("a", JobState.IN_PROGRESS, T0.plusSeconds(20), null));
        store(TestJobs.inState("a", JobState.COMPLETED, T0, T0.plusSeconds(1)));

        assertThat(store.findByStates(EnumSet.of(JobState.IN_QUEUE, JobState.IN_PROGRESS)))
                .containsExactly(early, running, late);
        assertThat(store.findByStates(List.of(JobState.IN_QUEUE, JobState.IN_QUEUE))).containsExactly(early, late);
        assertThat(store.findByStates(List.of(JobState.CANCELLED))).isEmpty();
        assertThat(store.findByStates(List.of())).isEmpty();
    }

    @Test
    void findByFunctionReturnsNewestFirstWithinTheLimit() {
        Job first = store(TestJobs.queued("echo", T0.plusSeconds(1)));
        Job second = store(TestJobs.inState("echo", JobState.COMPLETED, T0.plusSeconds(2), T0.plusSeconds(3)));
        Job third = store(TestJobs.queued("echo", T0.plusSeconds(3)));
        store(TestJobs.queued("other", T0.plusSeconds(4)));

        assertThat(store.findByFunction("echo", Set.of(), 10)).containsExactly(third, second, first);
        assertThat(store.findByFunction("echo", Set.of(), 2)).containsExactly(third, second);
        assertThat(store.findByFunction("echo", Set.of(JobState.IN_QUEUE), 10)).containsExactly(third, first);
        assertThat(store.findByFunction("echo", Set.of(JobState.IN_QUEUE), 1)).containsExactly(third);
        assertThat(store.findByFunction("echo", EnumSet.of(JobState.COMPLETED, JobState.FAILED), 10))
                .containsExactly(second);
        assertThat(store.findByFunction("echo", Set.of(), 0)).isEmpty();
        assertThat(store.findByFunction("nothing", Set.of(), 10)).isEmpty();
    }

    @Test
    void auditEntriesAreReadNewestFirstFilteredAndTrimmedByRetention() {
        JdbcStore audit = store;
        AuditEntry deploy = new AuditEntry("a1", T0, "admin", "deploy", "echo", "echo", "version 1", "127.0.0.1", 201,
                "ok");
        AuditEntry scale = new AuditEntry("a2", T0.plusSeconds(1), "ci", "scale", "echo", "echo",
                "{\"maxWorkers\":3}", "127.0.0.1", 200, "ok");
        AuditEntry drain = new AuditEntry("a3", T0.plusSeconds(2), "admin", "node.drain", null, "node-a", null,
                "::1", 404, "no node 'node-a'");
        audit.append(deploy);
        audit.append(scale);
        audit.append(drain);

        assertThat(audit.entries(null, null, null, null, 10)).containsExactly(drain, scale, deploy);
        assertThat(audit.entries("echo", null, null, null, 10)).containsExactly(scale, deploy);
        assertThat(audit.entries(null, "deploy", null, null, 10)).containsExactly(deploy);
        assertThat(audit.entries(null, null, "ci", null, 10)).containsExactly(scale);
        assertThat(audit.entries(null, null, null, T0.plusSeconds(1), 10)).containsExactly(drain, scale);
        assertThat(audit.entries(null, null, null, null, 1)).containsExactly(drain);

        assertThat(audit.deleteBefore(T0.plusSeconds(2))).isEqualTo(2);
        assertThat(audit.entries(null, null, null, null, 10)).containsExactly(drain);
    }

    @Test
    void searchAcrossFunctionsReturnsNewestFirstWithinTheLimit() {
        Job echo = store(TestJobs.queued("echo", T0.plusSeconds(1)));
        Job other = store(TestJobs.inState("other", JobState.FAILED, T0.plusSeconds(2), T0.plusSeconds(3)));
        Job last = store(TestJobs.queued("echo", T0.plusSeconds(3)));

        assertThat(store.search(new JobSearch(null, Set.of(), null, null, 10))).containsExactly(last, other, echo);
        assertThat(store.search(new JobSearch(null, Set.of(), null, null, 1))).containsExactly(last);
        assertThat(store.search(new JobSearch(null, Set.of(JobState.FAILED), null, null, 10))).containsExactly(other);
        assertThat(store.search(new JobSearch(null, Set.of(), null, null, 0))).isEmpty();
    }

    @Test
    void searchKeepsJobsSubmittedInTheWindowStartInclusiveEndExclusive() {
        Job early = store(TestJobs.queued("echo", T0.plusSeconds(1)));
        Job middle = store(TestJobs.queued("echo", T0.plusSeconds(2)));
        Job late = store(TestJobs.queued("other", T0.plusSeconds(3)));

        assertThat(store.search(new JobSearch(null, Set.of(), T0.plusSeconds(2), null, 10)))
                .containsExactly(late, middle);
        assertThat(store.search(new JobSearch(null, Set.of(), null, T0.plusSeconds(2), 10))).containsExactly(early);
        assertThat(store.search(new JobSearch("echo", Set.of(JobState.IN_QUEUE), T0.plusSeconds(1),
                T0.plusSeconds(3), 10))).containsExactly(middle, early);
    }

    @Test
    void finishedSinceReadsTimingsOfFinishedJobsNewestFirst() {
        Job early = store(TestJobs.inState("echo", JobState.COMPLETED, T0, T0.plusSeconds(2)));
        Job late = store(TestJobs.inState("echo", JobState.FAILED, T0.plusSeconds(1), T0.plusSeconds(5)));
        store(TestJobs.inState("echo", JobState.COMPLETED, T0, T0.minusSeconds(1)));
        store(TestJobs.queued("echo", T0.plusSeconds(3)));
        store(TestJobs.inState("other", JobState.COMPLETED, T0, T0.plusSeconds(4)));

        assertThat(store.finishedSince("echo", T0, 10)).containsExactly(JobTiming.of(late).orElseThrow(),
                JobTiming.of(early).orElseThrow());
        assertThat(store.finishedSince("echo", T0, 1)).containsExactly(JobTiming.of(late).orElseThrow());
        assertThat(store.finishedSince("echo", T0.plusSeconds(6), 10)).isEmpty();
    }

    @Test
    void countByStateCountsOneFunctionAndListsEveryState() {
        store(TestJobs.queued("echo"));
        store(TestJobs.queued("echo"));
        store(TestJobs.inState("echo", JobState.FAILED, T0, T0.plusSeconds(1)));
        store(TestJobs.queued("other"));

        Map<JobState, Long> counts = store.countByState("echo");
        assertThat(counts).containsOnlyKeys(JobState.values());
        assertThat(counts).containsEntry(JobState.IN_QUEUE, 2L).containsEntry(JobState.FAILED, 1L)
                .containsEntry(JobState.COMPLETED, 0L);
        assertThat(store.countByState("nothing").values()).containsOnly(0L);
    }

    @Test
    void deleteRemovesOneJob() {
        Job job = store(TestJobs.queued("echo"));
        Job other = store(TestJobs.queued("echo"));

        assertThat(store.delete(job.id())).isTrue();
        assertThat(store.delete(job.id())).isFalse();
        assertThat(store.find(job.id())).isEmpty();
        assertThat(store.find(other.id())).contains(other);
    }

    @Test
    void deleteFinishedBeforeRemovesOnlyOldFinalJobs() {
        var cutoff = T0.plusSeconds(100);
        Job oldDone = store(TestJobs.inState("echo", JobState.COMPLETED, T0, T0.plusSeconds(10)));
        Job oldFailed = store(TestJobs.inState("echo", JobState.FAILED, T0, T0.plusSeconds(20)));
        Job oldTimedOut = store(TestJobs.inState("echo", JobState.TIMED_OUT, T0, T0.plusSeconds(20)));
        Job oldCancelled = store(TestJobs.inState("echo", JobState.CANCELLED, T0, T0.plusSeconds(20)));
        Job recentDone = store(TestJobs.inState("echo", JobState.COMPLETED, T0, T0.plusSeconds(200)));
        Job oldQueued = store(TestJobs.queued("echo", T0));
        Job oldRunning = store(TestJobs.inState("echo", JobState.IN_PROGRESS, T0, null));

        assertThat(store.deleteFinishedBefore(cutoff)).isEqualTo(4);

        for (Job gone : List.of(oldDone, oldFailed, oldTimedOut, oldCancelled)) {
            assertThat(store.find(gone.id())).isEmpty();
        }
        for (Job kept : List.of(recentDone, oldQueued, oldRunning)) {
            assertThat(store.find(kept.id())).contains(kept);
        }
        assertThat(store.deleteFinishedBefore(cutoff)).isZero();
    }

    @Test
    void countFinishedBeforeCountsWhatRetentionWouldRemove() {
        var cutoff = T0.plusSeconds(100);
        store(TestJobs.inState("echo", JobState.COMPLETED, T0, T0.plusSeconds(10)));
        store(TestJobs.inState("echo", JobState.COMPLETED, T0, T0.plusSeconds(11)));
        store(TestJobs.inState("echo", JobState.FAILED, T0, T0.plusSeconds(20)));
        store(TestJobs.inState("other", JobState.CANCELLED, T0, T0.plusSeconds(20)));
        store(TestJobs.inState("echo", JobState.COMPLETED, T0, T0.plusSeconds(200)));
        store(TestJobs.inState("echo", JobState.IN_PROGRESS, T0, null));

        assertThat(store.countFinishedBefore(cutoff)).isEqualTo(Map.of(
                "echo", Map.of(JobState.COMPLETED, 2L, JobState.FAILED, 1L),
                "other", Map.of(JobState.CANCELLED, 1L)));
    }

    // ---- functions

    @Test
    void functionVersionsAreSavedAndFound() {
        FunctionStore functions = store.functions();
        FunctionVersion v1 = TestJobs.function("echo", 1);
        FunctionVersion v2 = TestJobs.function("echo", 2);
        functions.save(v1);
        functions.save(v2);

        assertThat(functions.latest("echo")).contains(v2);
        assertThat(functions.find("echo", 1)).contains(v1);
        assertThat(functions.find("echo", 3)).isEmpty();
        assertThat(functions.latest("nothing")).isEmpty();
        FunctionVersion read = functions.find("echo", 1).orElseThrow();
        assertThat(read.manifest().gpu().count()).isEqualTo(2);
        assertThat(read.manifest().env()).containsEntry("VERSION", "1");
    }

    @Test
    void listLatestGivesTheNewestVersionOfEachFunctionByName() {
        FunctionStore functions = store.functions();
        functions.save(TestJobs.function("zeta", 1));
        functions.save(TestJobs.function("alpha", 1));
        functions.save(TestJobs.function("alpha", 2));
        functions.save(TestJobs.function("alpha", 3));

        assertThat(functions.listLatest()).containsExactly(TestJobs.function("alpha", 3),
                TestJobs.function("zeta", 1));
    }

    @Test
    void versionsMustFollowOneAnother() {
        FunctionStore functions = store.functions();
        functions.save(TestJobs.function("echo", 1));

        assertThatThrownBy(() -> functions.save(TestJobs.function("echo", 1)))
                .isInstanceOf(HearthException.Conflict.class).hasMessageContaining("latest stored version is 1");
        assertThatThrownBy(() -> functions.save(TestJobs.function("echo", 3)))
                .isInstanceOf(HearthException.Conflict.class);
        assertThatThrownBy(() -> functions.save(TestJobs.function("fresh", 2)))
                .isInstanceOf(HearthException.Conflict.class).hasMessageContaining("latest stored version is 0");
        assertThat(functions.latest("echo").orElseThrow().version()).isEqualTo(1);
    }

    @Test
    void deleteRemovesEveryVersionOfAFunction() {
        FunctionStore functions = store.functions();
        functions.save(TestJobs.function("echo", 1));
        functions.save(TestJobs.function("echo", 2));
        functions.save(TestJobs.function("other", 1));

        assertThat(functions.delete("echo")).isTrue();
        assertThat(functions.delete("echo")).isFalse();
        assertThat(functions.latest("echo")).isEmpty();
        assertThat(functions.find("echo", 1)).isEmpty();
        assertThat(functions.listLatest()).extracting(FunctionVersion::name).containsExactly("other");
        functions.save(TestJobs.function("echo", 1));
        assertThat(functions.latest("echo")).contains(TestJobs.function("echo", 1));
    }

    @Test
    void versionsListsEveryVersionOldestFirst() {
        FunctionStore functions = store.functions();
        functions.save(TestJobs.function("echo", 1));
        functions.save(TestJobs.function("echo", 2));
        functions.save(TestJobs.function("other", 1));

        assertThat(functions.versions("echo")).extracting(FunctionVersion::version).containsExactly(1, 2);
        assertThat(functions.versions("nothing")).isEmpty();
    }

    // ---- releases

    @Test
    void releasesAreAppendedAndReadBackInOrderPerFunction() {
        ReleaseStore releases = store.releases();
        java.time.Instant at = T0;
        Release first = Release.first("echo", 1, at);
        Release canary = first.withCanary(2, 10, at.plusSeconds(1));
        Release promoted = canary.promoted(at.plusSeconds(2));
        releases.append(first);
        releases.append(Release.first("other", 1, at));
        releases.append(canary);
        releases.append(promoted);

        assertThat(releases.history("echo")).containsExactly(first, canary, promoted);
        assertThat(releases.history("nothing")).isEmpty();
        releases.deleteHistory("echo");
        assertThat(releases.history("echo")).isEmpty();
        assertThat(releases.history("other")).hasSize(1);
    }

    // ---- settings

    @Test
    void settingsAreStoredAndOverwritten() {
        assertThat(store.get("api_key_sha256")).isEmpty();
        store.put("api_key_sha256", "abc");
        assertThat(store.get("api_key_sha256")).contains("abc");
        store.put("api_key_sha256", "def");
        assertThat(store.get("api_key_sha256")).contains("def");
        assertThat(store.get(Schema.VERSION_KEY)).contains(Integer.toString(Schema.LATEST));
    }

    // ---- lifecycle

    @Test
    void aClosedStoreRefusesCalls() {
        store.close();
        store.close();

        assertThatThrownBy(() -> store.insert(TestJobs.queued("echo")))
                .isInstanceOf(StoreException.class).hasMessageContaining("is closed; cannot insert job");
        assertThatThrownBy(() -> store.find("x"))
                .isInstanceOf(StoreException.class).hasMessageContaining("is closed; cannot find job x");
        assertThatThrownBy(() -> store.functions().listLatest())
                .isInstanceOf(StoreException.class).hasMessageContaining("is closed");
    }

    @Test
    void writesFromManyThreadsAreAllVisibleOnceAcknowledged() throws Exception {
        ConcurrentLinkedQueue<String> missing = new ConcurrentLinkedQueue<>();
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> all = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                all.add(executor.submit(() -> {
                    for (int i = 0; i < 50; i++) {
                        Job job = TestJobs.queued("echo");
                        store.insert(job);
                        // read-your-writes through another connection
                        if (store.find(job.id()).isEmpty()) {
                            missing.add(job.id());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : all) {
                f.get();
            }
        }
        assertThat(missing).isEmpty();
        assertThat(store.countByState("echo")).containsEntry(JobState.IN_QUEUE, 400L);
    }

    // ---- job features: retry backoff, idempotency keys, webhook deliveries

    @Test
    void aRequeuedJobKeepsItsRunAfterTime() {
        Job job = store(TestJobs.queued("echo"));
        Job leased = TestJobs.leased(job, "w1", T0.plusSeconds(1));
        store.update(leased);
        Job backingOff = JobTransitions.requeue(leased, T0.plusSeconds(5));
        assertThat(store.update(backingOff)).isTrue();

        assertThat(store.find(job.id()).orElseThrow().runAfter()).isEqualTo(T0.plusSeconds(5));
    }

    @Test
    void aSecondInsertWithTheSameKeyReturnsTheFirstJobAndStoresNothing() {
        Job first = TestJobs.queued("echo");
        IdempotencyKey.Claim a = store.insert(first, new IdempotencyKey("k-1", "hash-a"));
        IdempotencyKey.Claim b = store.insert(TestJobs.queued("echo"), new IdempotencyKey("k-1", "hash-b"));

        assertThat(a.created()).isTrue();
        assertThat(b.created()).isFalse();
        assertThat(b.job()).isEqualTo(first);
        assertThat(b.requestHash()).isEqualTo("hash-a");
        assertThat(store.countByState("echo")).containsEntry(JobState.IN_QUEUE, 1L);
    }

    @Test
    void keysArePerFunctionAndFreedWhenTheirJobIsDeleted() {
        Job first = store.insert(TestJobs.queued("echo"), new IdempotencyKey("k", "h")).job();
        assertThat(store.insert(TestJobs.queued("other"), new IdempotencyKey("k", "h")).created()).isTrue();

        store.delete(first.id());

        assertThat(store.insert(TestJobs.queued("echo"), new IdempotencyKey("k", "h")).created()).isTrue();
    }

    @Test
    void concurrentInsertsWithOneKeyMakeOneJob() throws Exception {
        List<Future<IdempotencyKey.Claim>> claims = new ArrayList<>();
        try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 16; i++) {
                claims.add(executor.submit(() -> store.insert(TestJobs.queued("echo"),
                        new IdempotencyKey("same", "h"))));
            }
        }
        Set<String> ids = new java.util.HashSet<>();
        int created = 0;
        for (Future<IdempotencyKey.Claim> c : claims) {
            ids.add(c.get().job().id());
            created += c.get().created() ? 1 : 0;
        }
        assertThat(ids).hasSize(1);
        assertThat(created).isEqualTo(1);
        assertThat(store.countByState("echo")).containsEntry(JobState.IN_QUEUE, 1L);
    }

    @Test
    void webhookDeliveriesAreSavedReplacedAndGoWithTheirJob() {
        Job job = store(TestJobs.queued("echo"));
        WebhookDeliveryStore deliveries = store.deliveries();
        WebhookDelivery pending = new WebhookDelivery(job.id(), "msg_1", "http://h/x", DeliveryState.PENDING, 1,
                500, "the receiver answered HTTP 500", T0.plusSeconds(2), T0);
        deliveries.save(pending);
        assertThat(deliveries.find(job.id())).contains(pending);
        assertThat(deliveries.pending()).containsExactly(pending);

        WebhookDelivery done = new WebhookDelivery(job.id(), "msg_1", "http://h/x", DeliveryState.DELIVERED, 2, 200,
                null, null, T0.plusSeconds(3));
        deliveries.save(done);
        assertThat(deliveries.find(job.id())).contains(done);
        assertThat(deliveries.pending()).isEmpty();

        store.delete(job.id());
        assertThat(deliveries.find(job.id())).isEmpty();
    }

    // ---- job timelines

    @Test
    void timelineComesBackInOrderWithEveryField() {
        Job job = store(TestJobs.queued("echo"));
        var queued = new JobEvent(job.id(), 1, T0, JobEventType.QUEUED, 0, null, null, 1, null, null, null, null);
        var leased = new JobEvent(job.id(), 2, T0.plusMillis(5), JobEventType.LEASED, 1, "w-1", "local", 1, true,
                80L, 1234L, null);
        var done = new JobEvent(job.id(), 3, T0.plusMillis(5), JobEventType.FAILED, 1, "w-1", "local", 1, null,
                null, 2048L, "boom");
        store.appendEvents(List.of(done, queued));
        store.appendEvents(List.of(leased));

        assertThat(store.events(job.id())).containsExactly(queued, leased, done);
        assertThat(store.events("no-such-job")).isEmpty();
    }

    @Test
    void timelineGoesWithItsJob() {
        Job expired = store(TestJobs.queued("echo"));
        Job old = store(TestJobs.inState("echo", JobState.COMPLETED, T0, T0.plusSeconds(1)));
        Job recent = store(TestJobs.inState("echo", JobState.COMPLETED, T0, T0.plusSeconds(100)));
        for (Job j : List.of(expired, old, recent)) {
            store.appendEvents(List.of(new JobEvent(j.id(), 1, T0, JobEventType.QUEUED, 0, null, null, null, null,
                    null, null, null)));
        }

        store.delete(expired.id());
        store.deleteFinishedBefore(T0.plusSeconds(10));

        assertThat(store.events(expired.id())).isEmpty();
        assertThat(store.events(old.id())).isEmpty();
        assertThat(store.events(recent.id())).hasSize(1);
    }

    protected Job store(Job job) {
        store.insert(job);
        return job;
    }

    @Test
    void bundlesAreKeptByHashAndNeverReplaced() {
        store.bundles().save("sha-1", new byte[] {1, 2, 3});
        store.bundles().save("sha-1", new byte[] {9});

        assertThat(store.bundles().find("sha-1")).hasValueSatisfying(zip -> assertThat(zip).containsExactly(1, 2, 3));
        assertThat(store.bundles().find("sha-2")).isEmpty();
    }
}
