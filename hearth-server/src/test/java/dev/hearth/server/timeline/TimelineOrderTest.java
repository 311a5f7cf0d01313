package dev.hearth.server.timeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.jobs.JobEvent;
import dev.hearth.jobs.JobEventType;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The order a job's timeline is shown in, when the recorder saw its events out of order within a millisecond. */
class TimelineOrderTest {

    private static final Instant T = Instant.parse("2026-12-03T08:00:00.123Z");

    @Test
    void aJobLeasedBeforeItsSubmissionWasSeenStillShowsQueuedFirst() {
        List<JobEvent> events = List.of(event(1, T, JobEventType.LEASED), event(2, T, JobEventType.QUEUED),
                event(3, T.plusMillis(1), JobEventType.COMPLETED));

        assertThat(types(TimelineRecorder.inOrder(events))).containsExactly(JobEventType.QUEUED,
                JobEventType.LEASED, JobEventType.COMPLETED);
    }

    @Test
    void aRetryQueuedInTheMillisecondTheJobFailedComesAfterTheFailure() {
        List<JobEvent> events = List.of(event(1, T, JobEventType.QUEUED), event(2, T, JobEventType.LEASED),
                event(3, T, JobEventType.FAILED), event(4, T, JobEventType.QUEUED), event(5, T, JobEventType.LEASED));

        assertThat(types(TimelineRecorder.inOrder(events))).containsExactly(JobEventType.QUEUED,
                JobEventType.LEASED, JobEventType.FAILED, JobEventType.QUEUED, JobEventType.LEASED);
    }

    @Test
    void eventsOfDifferentMillisecondsKeepTheirTimeOrder() {
        List<JobEvent> events = List.of(event(9, T.plusMillis(2), JobEventType.COMPLETED),
                event(7, T, JobEventType.QUEUED), event(8, T.plusMillis(1), JobEventType.LEASED));

        assertThat(types(TimelineRecorder.inOrder(events))).containsExactly(JobEventType.QUEUED,
                JobEventType.LEASED, JobEventType.COMPLETED);
    }

    private static JobEvent event(long seq, Instant at, JobEventType type) {
        return new JobEvent("job-1", seq, at, type, 1, null, null, 1, null, null, null, null);
    }

    private static List<JobEventType> types(List<JobEvent> events) {
        return events.stream().map(JobEvent::type).toList();
    }
}
