/**
 * Write Hearth (and RunPod Serverless) workers in Java.
 *
 * <p>A worker is a process the control plane starts for a function. It takes jobs, runs a {@link
 * dev.hearth.worker.Handler} (or a {@link dev.hearth.worker.StreamingHandler}) on each, and posts the results back,
 * speaking the same HTTP protocol as a runpod-python worker and configured from the same environment variables:
 *
 * <pre>{@code
 * public final class Main {
 *     public static void main(String[] args) {
 *         HearthWorker.serve(job -> Map.of("echo", job.input()));
 *     }
 * }
 * }</pre>
 *
 * <p>The public API is {@link dev.hearth.worker.HearthWorker}, {@link dev.hearth.worker.WorkerOptions}, the two
 * handler interfaces, {@link dev.hearth.worker.JobContext} and {@link dev.hearth.worker.Emitter}. Everything else is
 * an implementation detail.
 */
package dev.hearth.worker;
