package dev.hearth.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobStatsTest {

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final JobPolicy POLICY = new JobPolicy(Duration.ofSeconds(60), Duration.ofHours(1), false);

    /** A job submitted at {@code at}, started {@code delay} ms later and completed {@code exec} ms after that. */
    static JobTiming completed(Instant at, long delay, long exec, boolean cold) {
        return new JobTiming(JobState.COMPLETED, at, at.plusMillis(delay), at.plusMillis(delay + exec), cold);
    }

    @Test
    void percentilesUseTheNearestRank() {
        long[] samples = new long[100];
        for (int i = 0; i < 100; i++) {
            samples[i] = 100 - i;
        }

        JobStats.Percentiles p = JobStats.Percentiles.of(samples);

        assertThat(p).isEqualTo(new JobStats.Percentiles(100, 50L, 95L, 99L, 100L));
        assertThat(JobStats.Percentiles.of(new long[] {7})).isEqualTo(new JobStats.Percentiles(1, 7L, 7L, 7L, 7L));
        assertThat(JobStats.Percentiles.of(new long[0])).isEqualTo(JobStats.Percentiles.EMPTY);
    }

    @Test
    void onlyJobsThatFinishedInsideTheWindowCount() {
        List<JobTiming> jobs = List.of(
                completed(T0.minusSeconds(30), 10, 10, false),
                completed(T0.plusSeconds(10), 20, 300, true),
                completed(T0.plusSeconds(70), 10, 10, false));

        JobStats s = JobStats.of(jobs, T0, T0.plusSeconds(60), 6);

        assertThat(s.outcomes()).isEqualTo(new JobStats.Outcomes(1, 0, 0, 0));
        assertThat(s.coldStarts()).isEqualTo(1);
        assertThat(s.delay().p50()).isEqualTo(20);
        assertThat(s.execution().p99()).isEqualTo(300);
    }

    @Test
    void bucketsSplitTheWindowByFinishTime() {
        List<JobTiming> jobs = new ArrayList<>();
        jobs.add(completed(T0, 0, 100, false));                  // finishes in bucket 0
        jobs.add(completed(T0.plusSeconds(25), 0, 200, false));  // bucket 2
        jobs.add(completed(T0.plusSeconds(26), 0, 400, false));  // bucket 2
        jobs.add(new JobTiming(JobState.FAILED, T0.plusSeconds(50), T0.plusSeconds(50), T0.plusSeconds(59),
                false));                                          // bucket 5, the last
        jobs.add(new JobTiming(JobState.CANCELLED, T0.plusSeconds(51), null, T0.plusSeconds(52),
                false));                                          // bucket 5, never started

        JobStats s = JobStats.of(jobs, T0, T0.plusSeconds(60), 6);

        assertThat(s.buckets()).hasSize(6);
        assertThat(s.buckets().get(1).start()).isEqualTo(T0.plusSeconds(10));
        assertThat(s.buckets().get(0).execution()).isEqualTo(new JobStats.Percentiles(1, 100L, 100L, 100L, 100L));
        assertThat(s.buckets().get(1).outcomes().total()).isZero();
        assertThat(s.buckets().get(1).execution()).isEqualTo(JobStats.Percentiles.EMPTY);
        assertThat(s.buckets().get(2).execution().p50()).isEqualTo(200);
        assertThat(s.buckets().get(2).execution().max()).isEqualTo(400);
        assertThat(s.buckets().get(5).outcomes()).isEqualTo(new JobStats.Outcomes(0, 1, 0, 1));
        assertThat(s.buckets().get(5).execution().count()).isEqualTo(1);
        assertThat(s.outcomes().total()).isEqualTo(5);
    }

    @Test
    void onlyFinishedJobsHaveATiming() {
        Job queued = Job.submitted("j", "echo", 1, "{}", null, POLICY, 0, T0);
        Job running = JobTransitions.lease(queued, "w-1", 1, T0.plusMillis(30), T0.plusSeconds(60), true, 0);
        Job done = JobTransitions.complete(running, "{}", T0.plusMillis(80));

        assertThat(JobTiming.of(queued)).isEmpty();
        assertThat(JobTiming.of(running)).isEmpty();
        assertThat(JobTiming.of(done)).hasValueSatisfying(t -> {
            assertThat(t.delayMs()).isEqualTo(30);
            assertThat(t.executionMs()).isEqualTo(50);
            assertThat(t.coldStart()).isTrue();
        });
    }

    @Test
    void anEmptyWindowOrNoBucketsIsRefused() {
        assertThatThrownBy(() -> JobStats.of(List.of(), T0, T0, 6)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> JobStats.of(List.of(), T0, T0.plusSeconds(1), 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
