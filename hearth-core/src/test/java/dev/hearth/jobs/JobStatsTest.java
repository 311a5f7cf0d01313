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
    static Job completed(String id, Instant at, long delay, long exec, boolean cold) {
        Job q = Job.submitted(id, "echo", 1, "{}", null, POLICY, 0, at);
        Job running = JobTransitions.lease(q, "w-1", 1, at.plusMillis(delay), at.plusSeconds(60), cold, 0);
        return JobTransitions.complete(running, "{}", at.plusMillis(delay + exec));
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
        List<Job> jobs = List.of(
                completed("before", T0.minusSeconds(30), 10, 10, false),
                completed("inside", T0.plusSeconds(10), 20, 300, true),
                completed("after", T0.plusSeconds(70), 10, 10, false),
                Job.submitted("queued", "echo", 1, "{}", null, POLICY, 0, T0.plusSeconds(5)));

        JobStats s = JobStats.of(jobs, T0, T0.plusSeconds(60), 6);

        assertThat(s.outcomes()).isEqualTo(new JobStats.Outcomes(1, 0, 0, 0));
        assertThat(s.coldStarts()).isEqualTo(1);
        assertThat(s.delay().p50()).isEqualTo(20);
        assertThat(s.execution().p99()).isEqualTo(300);
    }

    @Test
    void bucketsSplitTheWindowByFinishTime() {
        List<Job> jobs = new ArrayList<>();
        jobs.add(completed("a", T0, 0, 100, false));                  // finishes in bucket 0
        jobs.add(completed("b", T0.plusSeconds(25), 0, 200, false));  // bucket 2
        jobs.add(completed("c", T0.plusSeconds(26), 0, 400, false));  // bucket 2
        Job failed = JobTransitions.fail(JobTransitions.lease(Job.submitted("d", "echo", 1, "{}", null, POLICY, 0,
                T0.plusSeconds(50)), "w-1", 1, T0.plusSeconds(50), T0.plusSeconds(90), false, 0), null, "boom",
                T0.plusSeconds(59));
        jobs.add(failed);                                              // bucket 5, the last
        jobs.add(JobTransitions.cancel(Job.submitted("e", "echo", 1, "{}", null, POLICY, 0, T0.plusSeconds(51)),
                T0.plusSeconds(52)));                                  // bucket 5, never started

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
    void anEmptyWindowOrNoBucketsIsRefused() {
        assertThatThrownBy(() -> JobStats.of(List.of(), T0, T0, 6)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> JobStats.of(List.of(), T0, T0.plusSeconds(1), 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
