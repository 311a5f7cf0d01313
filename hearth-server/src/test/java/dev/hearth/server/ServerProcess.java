package dev.hearth.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Runs a control plane as its own JVM, so that tests can kill it with SIGKILL or give it its own PATH. Prints
 * {@code READY <url>}. Arguments: data dir, port, GPU inventory ({@code detect}: ask nvidia-smi), and optionally the
 * variables workers may see ({@code --worker-env-passthrough}). An inventory {@code slurm:<slurm.conf>} runs the workers as
 * jobs of that Slurm cluster.
 */
public final class ServerProcess {

    public static void main(String[] args) throws InterruptedException {
        // slurm:<slurm.conf>: workers as jobs of that Slurm cluster
        boolean slurm = args[2].startsWith("slurm:");
        HearthServer server = HearthServer.start(ServerConfig.builder().dataDir(Path.of(args[0]))
                .port(Integer.parseInt(args[1])).gpus("detect".equals(args[2]) || slurm ? null : args[2])
                .slurm(slurm ? new SlurmSettings("gpu", Path.of(args[2].substring(6)), null) : null)
                .apiKey(TestServer.KEY)
                .workerGrace(Duration.ofSeconds(5)).pingInterval(Duration.ofMillis(500))
                .workerEnvPassthrough(args.length > 3 ? List.of(args[3].split(",")) : List.of())
                .sandbox(TestSandbox.settings()).build());
        System.out.println("READY " + server.url());
        System.out.flush();
        Thread.currentThread().join();
    }
}
