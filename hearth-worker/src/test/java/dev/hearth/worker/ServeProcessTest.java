package dev.hearth.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link HearthWorker#serve} in a real process, as the control plane runs it: configured by env, drained by SIGTERM. */
@Timeout(60)
class ServeProcessTest {

    /**
     * The worker process: a handler that runs until the file named in its input exists, so that SIGTERM arrives
     * mid-job however slowly a loaded machine delivers it.
     */
    public static final class SlowEcho {
        public static void main(String[] args) {
            HearthWorker.serve(job -> {
                System.out.println("started " + job.id());
                Path release = Path.of(job.input().path("until").asText());
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (!Files.exists(release) && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                return job.input();
            });
        }
    }

    @Test
    void sigtermLetsTheRunningJobFinishAndPostItsResultBeforeExiting(@TempDir Path dir) throws Exception {
        Path release = dir.resolve("release");
        String input = "{\"until\":\"" + release.toString().replace("\\", "\\\\") + "\"}";
        try (ProtocolPeer peer = new ProtocolPeer()) {
            peer.offer("job-1", input);
            ProcessBuilder pb = new ProcessBuilder(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), SlowEcho.class.getName());
            pb.environment().putAll(peer.env());
            pb.redirectError(ProcessBuilder.Redirect.PIPE);
            Process process = pb.start();
            try {
                CountDownLatch started = new CountDownLatch(1);
                List<String> logs = new CopyOnWriteArrayList<>();
                Thread.ofVirtual().start(() -> readLines(process.inputReader(StandardCharsets.UTF_8), line -> {
                    if (line.equals("started job-1")) {
                        started.countDown();
                    }
                }));
                CountDownLatch draining = new CountDownLatch(1);
                Thread stderr = Thread.ofVirtual().start(() -> readLines(process.errorReader(StandardCharsets.UTF_8),
                        line -> {
                            logs.add(line);
                            if (line.endsWith(" INFO hearth-worker: worker w-1 draining: 1 job(s) in flight")) {
                                draining.countDown();
                            }
                        }));
                assertThat(started.await(15, TimeUnit.SECONDS)).as("job started in the worker process").isTrue();

                // SIGTERM; Process.destroy() would also close our ends of the pipes and lose the drain's log lines.
                process.toHandle().destroy();
                assertThat(draining.await(15, TimeUnit.SECONDS)).as("worker draining its running job").isTrue();
                Files.createFile(release);
                assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("worker exited").isTrue();

                assertThat(stderr.join(java.time.Duration.ofSeconds(5))).as("log read to the end").isTrue();
                assertThat(process.exitValue()).isEqualTo(143);
                assertThat(peer.done("job-1")).hasSize(1);
                JsonNode body = peer.done("job-1").getFirst().json();
                assertThat(body.toString()).isEqualTo("{\"output\":" + input + "}");
            } finally {
                process.destroyForcibly();
            }
        }
    }

    private static void readLines(BufferedReader reader, java.util.function.Consumer<String> sink) {
        try (reader) {
            for (String line; (line = reader.readLine()) != null; ) {
                sink.accept(line);
            }
        } catch (IOException e) {
            // The process ended.
        }
    }
}
