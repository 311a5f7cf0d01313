package dev.hearth.client;

import dev.hearth.runtime.WorkerMount;
import dev.hearth.runtime.local.Bubblewrap;
import dev.hearth.server.HearthServer;
import dev.hearth.server.ServerConfig;
import dev.hearth.server.workers.SandboxSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real in-process control plane for a test class of the SDK, on 127.0.0.1, and a client connected to it. Register
 * it as a static {@code @RegisterExtension} field; it starts before the class's {@code @BeforeAll} methods.
 */
final class ControlPlane implements BeforeAllCallback, AfterAllCallback {

    private final String gpus;
    private HearthServer server;
    private Hearth hearth;
    private Path shared;

    private ControlPlane(String gpus) {
        this.gpus = gpus;
    }

    /** With this GPU inventory ({@code --gpus} syntax); workers heartbeat every 500 ms. */
    static ControlPlane onGpus(String gpus) {
        return new ControlPlane(gpus);
    }

    Hearth hearth() {
        return hearth;
    }

    /** A directory this test and the server's sandboxed workers both see, read-write (their /tmp is their own). */
    Path shared() {
        return shared;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        shared = Files.createTempDirectory("hearth-sdk-shared");
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx")); // workers run as nobody
        server = HearthServer.start(ServerConfig.builder().host("127.0.0.1").port(0)
                .dataDir(Files.createTempDirectory("hearth-sdk-test")).gpus(gpus).apiKey("sdk-key")
                .sandbox(sandbox(List.of(WorkerMount.writable(shared))))
                .workerGrace(Duration.ofSeconds(5)).pingInterval(Duration.ofMillis(500)).build());
        hearth = Hearth.connect(server.url(), "sdk-key");
    }

    /** Sandboxed as a user's server is, where bubblewrap is installed; plain processes where it is not. */
    static SandboxSettings sandbox(List<WorkerMount> binds) {
        return SandboxSettings.DEFAULT.withUnsafeNoSandbox(!Bubblewrap.onHost()).withBinds(binds);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        hearth.close();
        server.close();
    }
}
