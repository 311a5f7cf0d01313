package dev.hearth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.runtime.WorkerMount;
import dev.hearth.runtime.local.Bubblewrap;
import dev.hearth.server.HearthServer;
import dev.hearth.server.ServerConfig;
import dev.hearth.server.workers.SandboxSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real in-process control plane for one test class, and the {@code hearth} command line pointed at it through the
 * client config that {@code hearth up} records. Register it with {@code @RegisterExtension static final}.
 */
final class CliServer implements BeforeAllCallback, AfterAllCallback {

    private static final String KEY = "cli-test-key";

    private final String gpus;
    private String python = "python3";
    private Path dir;
    private HearthServer server;
    private Cli cli;

    private CliServer(String gpus) {
        this.gpus = gpus;
    }

    /** A server with this configured GPU inventory ({@code "none"}, {@code "H100:1"}, ...). */
    static CliServer onGpus(String gpus) {
        return new CliServer(gpus);
    }

    /** Workers (and functions' environments) use this interpreter instead of python3 on the PATH. */
    CliServer withPython(String interpreter) {
        this.python = interpreter;
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        try {
            dir = Files.createTempDirectory("hearth-cli-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server = HearthServer.start(ServerConfig.builder().host("127.0.0.1").port(0).dataDir(dir.resolve(".hearth"))
                .gpus(gpus).apiKey(KEY).python(python).sandbox(SandboxSettings.DEFAULT
                        .withUnsafeNoSandbox(!Bubblewrap.onHost())
                        .withBinds(List.of(WorkerMount.writable(shared())))).build());
        ClientConfig.recordStart(dir.resolve(".hearth"), server.url(), KEY);
        cli = new Cli(Map.of(), dir);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        server.close();
    }

    /** The server's address, for calls the command line does not make. */
    java.net.URI url() {
        return server.url();
    }

    /** A client of the server, with its key. */
    dev.hearth.client.Hearth client() {
        return dev.hearth.client.Hearth.connect(server.url(), KEY);
    }

    /** GETs a JSON answer of the server's API with its key. */
    com.fasterxml.jackson.databind.JsonNode get(String path) {
        try (var http = java.net.http.HttpClient.newHttpClient()) {
            var r = http.send(java.net.http.HttpRequest.newBuilder(server.url().resolve(path))
                    .header("Authorization", "Bearer " + KEY).GET().build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as("GET %s: %s", path, r.body()).isEqualTo(200);
            return Json.MAPPER.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The working directory the commands run in (it holds the server's data dir, {@code .hearth}). */
    Path dir() {
        return dir;
    }

    /** A handler whose jobs wait until the file {@code input.go} exists, then answer "done". */
    static final String WAITS_FOR_GO = """
            import os, time
            def handler(job):
                while not os.path.exists(job["input"]["go"]):
                    time.sleep(0.05)
                return "done"
            """;

    /**
     * Writes a function into the working directory, {@code hearth.yaml} as {@code name}, {@code handler.py:handler}
     * and {@code manifestTail}, beside {@code handlerPy}, deploys it and returns its directory.
     */
    Path deploy(String name, String manifestTail, String handlerPy) {
        try {
            Path fn = Files.createDirectories(dir.resolve(name));
            Files.writeString(fn.resolve("hearth.yaml"), "name: " + name + "\nhandler: handler.py:handler\n"
                    + manifestTail);
            Files.writeString(fn.resolve("handler.py"), handlerPy);
            ok("deploy", fn.toString());
            return fn;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A path in the working directory that does not exist yet, for {@link #WAITS_FOR_GO}. */
    Path goFile() {
        try {
            Path go = Files.createTempDirectory(shared(), "go");
            Files.setPosixFilePermissions(go, PosixFilePermissions.fromString("rwxrwxrwx"));
            return go.resolve("go");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where handlers (sandboxed, running as another user) and tests both write. */
    private Path shared() {
        Path shared = dir.resolve("shared");
        try {
            if (!Files.isDirectory(shared)) {
                Files.createDirectories(shared);
                Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return shared;
    }

    /** Runs {@code hearth args...} with {@code stdin} as its input. */
    Cli.Result runWithInput(String stdin, String... args) {
        return cli.withStdin(stdin).run(args);
    }

    /** Runs {@code hearth args...}. */
    Cli.Result run(String... args) {
        return cli.run(args);
    }

    /** Runs {@code hearth args...} and asserts that it exits 0, showing its output if not. */
    Cli.Result ok(String... args) {
        Cli.Result r = cli.run(args);
        assertThat(r.code()).as("hearth %s\nstdout: %s\nstderr: %s", String.join(" ", args), r.out(), r.err())
                .isZero();
        return r;
    }
}
