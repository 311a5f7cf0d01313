package dev.hearth.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class JobTransitionsTest {

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final JobPolicy POLICY = new JobPolicy(Duration.ofSeconds(60), Duration.ofHours(1), false);

    static Job queued(int retries) {
        return Job.submitted("job-1", "echo", 1, "{}", null, POLICY, retries, T0);
    }

    @Test
    void aLeaseStartsTheJobOnTheWorkersVersionAndCountsAnAttempt() {
        Job running = JobTransitions.lease(queued(0), "w-1", 3, T0.plusMillis(40), T0.plusSeconds(30), true, 120);

        assertThat(running.state()).isEqualTo(JobState.IN_PROGRESS);
        assertThat(running.version()).isEqualTo(3);
        assertThat(running.attempts()).isEqualTo(1);
        assertThat(running.delayTimeMs()).isEqualTo(40);
        assertThat(running.coldStart()).isTrue();
        assertThat(running.revision()).isEqualTo(1);
    }

    @Test
    void completingRecordsTheOutputAndTheExecutionTime() {
        Job running = JobTransitions.lease(queued(0), "w-1", 1, T0, T0.plusSeconds(30), false, 0);

        Job done = JobTransitions.complete(running, "{\"x\":1}", T0.plusMillis(250));

        assertThat(done.state()).isEqualTo(JobState.COMPLETED);
        assertThat(done.output()).isEqualTo("{\"x\":1}");
        assertThat(done.executionTimeMs(T0.plusSeconds(99))).isEqualTo(250);
        assertThat(done.leaseExpiresAt()).isNull();
    }

    @Test
    void aFinalJobCannotChangeAgain() {
        Job cancelled = JobTransitions.cancel(queued(0), T0);

        assertThatThrownBy(() -> JobTransitions.complete(cancelled, "1", T0))
                .isInstanceOf(IllegalJobTransition.class).hasMessageContaining("CANCELLED to COMPLETED");
        assertThatThrownBy(() -> JobTransitions.lease(cancelled, "w", 1, T0, T0, false, 0))
                .isInstanceOf(IllegalJobTransition.class);
    }

    @Test
    void aQueuedJobCannotCompleteWithoutBeingLeased() {
        assertThatThrownBy(() -> JobTransitions.complete(queued(0), "1", T0)).isInstanceOf(IllegalJobTransition.class);
    }

    @Test
    void retriesAreBoundedByTheAttemptCount() {
        Job first = JobTransitions.lease(queued(1), "w-1", 1, T0, T0, false, 0);
        assertThat(first.hasRetriesLeft()).isTrue();

        Job second = JobTransitions.lease(JobTransitions.requeue(first), "w-2", 1, T0, T0, false, 0);

        assertThat(second.attempts()).isEqualTo(2);
        assertThat(second.hasRetriesLeft()).isFalse();
    }

    @Test
    void onlyFailedOrTimedOutJobsCanBeRetriedByTheClient() {
        Job running = JobTransitions.lease(queued(0), "w-1", 1, T0, T0, false, 0);
        Job timedOut = JobTransitions.timeOut(running, T0.plusSeconds(61));

        Job again = JobTransitions.retry(timedOut, T0.plusSeconds(70));

        assertThat(again.state()).isEqualTo(JobState.IN_QUEUE);
        assertThat(again.queuedAt()).isEqualTo(T0.plusSeconds(70));
        assertThat(again.attempts()).isZero();
        assertThatThrownBy(() -> JobTransitions.retry(JobTransitions.complete(running, "1", T0), T0))
                .isInstanceOf(IllegalJobTransition.class);
    }

    @Test
    void aRequeueWithBackoffWaitsUntilItsRunAfterTimeAndTheNextLeaseClearsIt() {
        Job running = JobTransitions.lease(queued(2), "w-1", 1, T0, T0.plusSeconds(30), false, 0);

        Job waiting = JobTransitions.requeue(running, T0.plusSeconds(4));

        assertThat(waiting.state()).isEqualTo(JobState.IN_QUEUE);
        assertThat(waiting.runAfter()).isEqualTo(T0.plusSeconds(4));
        assertThat(waiting.isBackingOff(T0.plusSeconds(3))).isTrue();
        assertThat(waiting.isBackingOff(T0.plusSeconds(4))).isFalse();
        assertThat(JobTransitions.lease(waiting, "w-1", 1, T0.plusSeconds(4), T0.plusSeconds(34), false, 0)
                .runAfter()).isNull();
    }
}
