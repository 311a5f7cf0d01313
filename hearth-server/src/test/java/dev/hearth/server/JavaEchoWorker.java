package dev.hearth.server;

import dev.hearth.worker.HearthWorker;

/** A Java worker for the end-to-end tests: echoes its input, with the hearth-worker library. */
public final class JavaEchoWorker {

    public static void main(String[] args) {
        HearthWorker.serve(job -> java.util.Map.of("echo", job.input(), "worker", "java"));
    }
}
