package dev.hearth.server.jobs;

/**
 * What a worker posted to job-done.
 *
 * @param output   raw JSON, or null
 * @param error    the error text, or null when the handler succeeded
 * @param progress true for an {@code IN_PROGRESS} update that is not a final result
 * @param isStream the worker streamed its output; an empty output then means "the chunks are the result"
 * @param stopPod  the worker asks to be replaced after this job
 */
public record WorkerResult(String output, String error, boolean progress, boolean isStream, boolean stopPod) {
}
