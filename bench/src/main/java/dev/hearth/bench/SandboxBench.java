package dev.hearth.bench;

import dev.hearth.runtime.WorkerLaunch;
import dev.hearth.runtime.local.Bubblewrap;
import dev.hearth.runtime.local.LocalProcessRuntime;
import dev.hearth.runtime.local.WorkerSandbox;
import dev.hearth.runtime.local.WorkerUser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * What the bubblewrap sandbox adds to a worker's start: {@code true} and {@code python3 -c pass} started through
 * {@link LocalProcessRuntime} with and without it, alternating, from {@code start} to the exit being reported.
 * {@code -Dsandbox.runs=N} (default 200 of each).
 */
final class SandboxBench {

    void run() throws Exception {
        int runs = Integer.getInteger("sandbox.runs", 200);
        Path dir = Files.createTempDirectory("hearth-bench-sandbox");
        Path data = Files.createDirectories(dir.resolve("data"));
        Path bundle = Files.createDirectories(data.resolve("bundles/b"));
        WorkerSandbox sandbox = Bubblewrap.probe("bwrap", WorkerUser.forServer(null), List.of(data), List.of());
        if (!(sandbox instanceof Bubblewrap)) {
            System.out.println("sandbox: cannot run here: " + sandbox.describe());
            return;
        }
        System.out.println("sandbox: " + sandbox.describe());
        String python = realPython();
        try (LocalProcessRuntime plain = new LocalProcessRuntime(data.resolve("run-plain"), Duration.ofSeconds(2),
                WorkerSandbox.unsandboxed());
             LocalProcessRuntime boxed = new LocalProcessRuntime(data.resolve("run-boxed"), Duration.ofSeconds(2),
                     sandbox)) {
            for (List<String> command : List.of(List.of("true"), List.of(python, "-c", "pass"))) {
                long[] without = new long[runs];
                long[] with = new long[runs];
                for (int i = -20; i < runs; i++) { // 20 rounds of warm-up
                    long a = once(plain, bundle, command, dir, "p" + i);
                    long b = once(boxed, bundle, command, dir, "b" + i);
                    if (i >= 0) {
                        without[i] = a;
                        with[i] = b;
                    }
                }
                System.out.printf("%-40s unsandboxed p50 %.1f ms p90 %.1f ms | sandboxed p50 %.1f ms p90 %.1f ms"
                                + " | added p50 %.1f ms%n", String.join(" ", command).replace(python, "python3"),
                        ms(p(without, 50)), ms(p(without, 90)), ms(p(with, 50)), ms(p(with, 90)),
                        ms(p(with, 50) - p(without, 50)));
            }
        }
    }

    private static long once(LocalProcessRuntime runtime, Path bundle, List<String> command, Path dir, String id)
            throws Exception {
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        long t0 = System.nanoTime();
        runtime.start(new WorkerLaunch(id, "bench", 1, bundle, command, Map.of("PATH", "/usr/bin:/bin",
                "HOME", "/home/worker"), List.of(), dir.resolve("logs").resolve(id + ".log")),
                (w, code) -> exit.complete(code));
        int code = exit.get(30, TimeUnit.SECONDS);
        long took = System.nanoTime() - t0;
        if (code != 0) {
            throw new IllegalStateException(command + " exited with " + code + ": "
                    + Files.readString(dir.resolve("logs").resolve(id + ".log")));
        }
        return took;
    }

    private static String realPython() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("python3", "-c", "import sys; print(sys.executable)").start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        p.waitFor();
        return out;
    }

    private static long p(long[] values, int percentile) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, sorted.length * percentile / 100)];
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
