package dev.hearth.server;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Runs one control-plane node of several on a PostgreSQL store as its own JVM, so that tests can kill it with SIGKILL
 * or pause it with SIGSTOP. Arguments: data dir, store URL. Prints {@code READY <url>} once it serves (as a standby
 * or the leader).
 */
public final class ClusterNodeProcess {

    public static void main(String[] args) throws InterruptedException {
        HearthCluster node = HearthCluster.start(ServerConfig.builder().dataDir(Path.of(args[0])).port(0)
                .storeUrl(args[1]).apiKey(TestServer.KEY)
                .workerGrace(Duration.ofSeconds(5)).pingInterval(Duration.ofMillis(500))
                .sandbox(TestSandbox.settings()).build(), null);
        System.out.println("READY " + node.url());
        System.out.flush();
        Thread.currentThread().join();
    }
}
