package dev.hearth.server.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.time.Ticker;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class FunctionQueueTest {

    private final FunctionQueue queue = new FunctionQueue(Ticker.system(InstantSource.system()));

    @Test
    void aDelayedEntryIsNotHandedOutBeforeItsTime() throws Exception {
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        AtomicReference<Instant> now = new AtomicReference<>(t0);
        FunctionQueue q = new FunctionQueue(Ticker.system(now::get));
        q.addDelayed(new FunctionQueue.Entry("late", false), t0.plusSeconds(30));
        q.add(new FunctionQueue.Entry("now", false));

        assertThat(q.size()).isEqualTo(2);
        assertThat(q.poll(5, Duration.ofSeconds(2), () -> true)).extracting(FunctionQueue.Entry::jobId)
                .containsExactly("now");
        assertThat(q.poll(5, Duration.ofMillis(100), () -> true)).isEmpty();

        now.set(t0.plusSeconds(30));
        assertThat(q.poll(5, Duration.ofSeconds(2), () -> true)).extracting(FunctionQueue.Entry::jobId)
                .containsExactly("late");
    }

    @Test
    void aLongPollWakesWhenTheDelayEnds() throws Exception {
        queue.addDelayed(new FunctionQueue.Entry("soon", false), Instant.now().plusMillis(200));

        long started = System.nanoTime();
        List<FunctionQueue.Entry> got = queue.poll(5, Duration.ofSeconds(10), () -> true);

        assertThat(got).extracting(FunctionQueue.Entry::jobId).containsExactly("soon");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(150));
    }

    @Test
    void aBatchTakeWaitsForTheBatchToFill() throws Exception {
        queue.add(new FunctionQueue.Entry("a", false));
        Thread.ofVirtual().start(() -> {
            queue.add(new FunctionQueue.Entry("b", false));
            queue.add(new FunctionQueue.Entry("c", false));
        });

        List<FunctionQueue.Entry> batch = queue.poll(3, Duration.ofSeconds(5), Duration.ofSeconds(5), FunctionQueue.BUSY, () -> true);

        assertThat(batch).extracting(FunctionQueue.Entry::jobId).containsExactly("a", "b", "c");
    }

    @Test
    void aBatchTakeGivesWhatItHasWhenTheWaitEnds() throws Exception {
        queue.add(new FunctionQueue.Entry("a", false));

        assertThat(queue.poll(8, Duration.ofSeconds(5), Duration.ofMillis(100), FunctionQueue.BUSY, () -> true)).hasSize(1);
    }

    @Test
    void removeFindsDelayedEntries() {
        queue.addDelayed(new FunctionQueue.Entry("x", true), Instant.now().plusSeconds(60));

        assertThat(queue.lowPrioritySize()).isEqualTo(1);
        assertThat(queue.remove("x")).isTrue();
        assertThat(queue.size()).isZero();
        assertThat(queue.lowPrioritySize()).isZero();
    }

    @Test
    void theMostRecentlyBusyWaitingWorkerGetsTheNextJobWhateverTheOrderTheyAsked() throws Exception {
        var longIdle = java.util.concurrent.CompletableFuture.supplyAsync(() -> pollQuietly(1_000, Duration.ofSeconds(3)),
                java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> queue.waiting() == 1);
        var justBusy = java.util.concurrent.CompletableFuture.supplyAsync(() -> pollQuietly(2_000, Duration.ofSeconds(30)),
                java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> queue.waiting() == 2);

        queue.add(new FunctionQueue.Entry("next", false));

        assertThat(justBusy.get()).extracting(FunctionQueue.Entry::jobId).containsExactly("next");
        assertThat(longIdle.get()).as("the worker idle for longest waited out its long-poll").isEmpty();
    }

    @Test
    void twoJobsGoToTheTwoBestRankedWaiters() throws Exception {
        var exec = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
        var third = java.util.concurrent.CompletableFuture.supplyAsync(() -> pollQuietly(1_000, Duration.ofSeconds(3)), exec);
        var second = java.util.concurrent.CompletableFuture.supplyAsync(() -> pollQuietly(2_000, Duration.ofSeconds(30)), exec);
        var first = java.util.concurrent.CompletableFuture.supplyAsync(() -> pollQuietly(FunctionQueue.BUSY,
                Duration.ofSeconds(30)), exec);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> queue.waiting() == 3);

        queue.add(new FunctionQueue.Entry("a", false));
        queue.add(new FunctionQueue.Entry("b", false));

        assertThat(List.of(first.get(), second.get())).allSatisfy(got -> assertThat(got).hasSize(1));
        assertThat(third.get()).isEmpty();
    }

    private List<FunctionQueue.Entry> pollQuietly(long rank, Duration wait) {
        try {
            return queue.poll(1, wait, Duration.ZERO, rank, () -> true);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
