package dev.hearth.store;

import dev.hearth.functions.FunctionVersion;
import dev.hearth.functions.ManifestParser;
import dev.hearth.jobs.Job;
import dev.hearth.jobs.JobPolicy;
import dev.hearth.jobs.JobState;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/** Jobs and function versions for store tests. Instants are whole milliseconds, as the stores keep them. */
public final class TestJobs {

    public static final Instant T0 = Instant.parse("2025-03-01T10:00:00.123Z");
    public static final JobPolicy POLICY = new JobPolicy(Duration.ofMinutes(10), Duration.ofHours(24), false);

    private TestJobs() {
    }

    public static String newId() {
        return UUID.randomUUID().toString();
    }

    public static Job queued(String function, Instant queuedAt) {
        return Job.submitted(newId(), function, 1, "{\"n\":1}", null, POLICY, 2, queuedAt);
    }

    public static Job queued(String function) {
        return queued(function, T0);
    }

    /** A job with a state and every nullable field as the state implies, built without the state machine. */
    public static Job inState(String function, JobState state, Instant queuedAt, Instant finishedAt) {
        return new Job(newId(), function, 1, state, "{}", null, null, null, POLICY, 0, 0, null, null, queuedAt,
                null, finishedAt, false, 0, 0);
    }

    /** A job with every field set to something other than its default. */
    public static Job everyFieldSet() {
        return new Job(newId(), "echo", 7, JobState.IN_PROGRESS, "{\"prompt\":\"h\u00e9llo \u2603\"}",
                "{\"partial\":[1,2]}", "boom", "https://example.test/hook",
                new JobPolicy(Duration.ofMillis(12_345), Duration.ofMinutes(90), true), 3, 5, "worker-42",
                T0.plusSeconds(30), T0, T0.plusMillis(1_500), T0.plusSeconds(60), true, 2_750L, 9L);
    }

    /*
     * The next revisions of a job, built here rather than with JobTransitions so that these tests exercise only the
     * store and do not follow every change to the state machine.
     */

    public static Job leased(Job j, String workerId, Instant now) {
        return new Job(j.id(), j.function(), j.version(), JobState.IN_PROGRESS, j.input(), null, null, j.webhook(),
                j.policy(), j.attempts() + 1, j.maxRetries(), workerId, now.plusSeconds(30), j.queuedAt(), now, null,
                true, 800, j.revision() + 1);
    }

    public static Job completed(Job j, String output, Instant now) {
        return finished(j, JobState.COMPLETED, output, now);
    }

    public static Job cancelled(Job j, Instant now) {
        return finished(j, JobState.CANCELLED, null, now);
    }

    private static Job finished(Job j, JobState state, String output, Instant now) {
        return new Job(j.id(), j.function(), j.version(), state, j.input(), output, j.error(), j.webhook(),
                j.policy(), j.attempts(), j.maxRetries(), j.workerId(), null, j.queuedAt(), j.placedAt(), now,
                j.coldStart(), j.initTimeMs(), j.revision() + 1);
    }

    public static FunctionVersion function(String name, int version) {
        String yaml = """
                name: %s
                handler: handler.py:handler
                gpu: {type: [H100, A100], count: 2}
                env: {MODEL: llama, VERSION: "%d"}
                scaling: {minWorkers: 0, maxWorkers: 4, idleTimeout: 30s, concurrency: 2}
                timeout: 120s
                retries: 1
                """.formatted(name, version);
        return new FunctionVersion(name, version, ManifestParser.parse(yaml), yaml, "sha-" + name + "-" + version,
                T0.plusSeconds(version));
    }
}
