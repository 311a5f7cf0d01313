package dev.hearth.server;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Runs a control plane as its own JVM, so that tests can kill it with SIGKILL or give it its own PATH. Prints
 * {@code READY <url>}. Arguments: data dir, port, GPU inventory ({@code detect}: ask nvidia-smi).
 */
public final class ServerProcess {

    public static void main(String[] args) throws InterruptedException {
        HearthServer server = HearthServer.start(ServerConfig.builder().dataDir(Path.of(args[0]))
                .port(Integer.parseInt(args[1])).gpus("detect".equals(args[2]) ? null : args[2]).apiKey(TestServer.KEY)
                .workerGrace(Duration.ofSeconds(5)).pingInterval(Duration.ofMillis(500)).build());
        System.out.println("READY " + server.url());
        System.out.flush();
        Thread.currentThread().join();
    }
}
