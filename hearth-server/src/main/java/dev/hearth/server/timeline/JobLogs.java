package dev.hearth.server.timeline;

import dev.hearth.jobs.JobEvent;
import dev.hearth.jobs.JobEventType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * What a worker printed while it ran a job: for each attempt, the bytes its log file grew by between the lease and
 * the end of the attempt, as the timeline recorded them.
 *
 * <p>Limit: with {@code concurrency > 1} a worker runs several jobs at once and their output interleaves in one file;
 * the slice of a job then also holds the lines of the jobs that ran beside it. Workers write their output straight
 * to the file (Python unbuffered), so a line printed before the handler returned is in its job's slice.
 */
public final class JobLogs {

    /** An attempt's slice never exceeds this; longer output keeps its end. */
    public static final int MAX_SEGMENT_BYTES = 1 << 20;

    /**
     * One attempt's output.
     *
     * @param running whether the attempt is still running (the slice ends at the file's current end)
     */
    public record Segment(int attempt, String workerId, boolean running, LogSlice slice) {
    }

    private JobLogs() {
    }

    private static boolean endsAttempt(JobEventType type) {
        return type == JobEventType.REQUEUED || type.isFinal();
    }

    /** The segments of a job's attempts, oldest first, from its timeline. */
    public static List<Segment> of(String function, List<JobEvent> timeline,
                                   BiFunction<String, String, Path> logFiles) {
        List<Segment> out = new ArrayList<>();
        int run = 0; // numbered by leases, as the timeline's attempts are (see TimelineRuns)
        for (int i = 0; i < timeline.size(); i++) {
            JobEvent lease = timeline.get(i);
            if (lease.type() == JobEventType.LEASED) {
                run++;
            }
            if (lease.type() != JobEventType.LEASED || lease.workerId() == null || lease.logOffset() == null) {
                continue;
            }
            JobEvent end = null;
            boolean superseded = false;
            for (int k = i + 1; k < timeline.size() && end == null && !superseded; k++) {
                JobEvent e = timeline.get(k);
                if (endsAttempt(e.type()) && lease.workerId().equals(e.workerId())) {
                    end = e;
                }
                // an attempt whose end was never recorded (the control plane restarted under it)
                superseded = e.type() == JobEventType.LEASED;
            }
            long to = end != null && end.logOffset() != null ? end.logOffset() : -1;
            boolean running = end == null && !superseded;
            // while the attempt runs, a last line without its newline yet waits for the next read
            LogSlice slice = LogSlice.read(logFiles.apply(function, lease.workerId()), lease.logOffset(), to,
                    MAX_SEGMENT_BYTES, running);
            out.add(new Segment(run, lease.workerId(), running, slice));
        }
        return out;
    }
}
