package dev.hearth.cli;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** A stand-in Hearth server: fixed answers per {@code "METHOD /path"}, and a record of what was asked. */
final class FakeServer implements AutoCloseable, BeforeEachCallback, AfterEachCallback {

    record Answer(int status, String body) {
    }

    private final HttpServer server;
    private Path dir;
    private Cli cli;
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    final List<String> requests = new CopyOnWriteArrayList<>();
    final List<String> authorizations = new CopyOnWriteArrayList<>();
    final List<String> bodies = new CopyOnWriteArrayList<>();

    FakeServer() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            try (exchange) {
                String key = exchange.getRequestMethod() + " " + exchange.getRequestURI().getRawPath();
                requests.add(key + (exchange.getRequestURI().getRawQuery() == null ? ""
                        : "?" + exchange.getRequestURI().getRawQuery()));
                authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
                bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                Answer a = answers.getOrDefault(key, new Answer(404,
                        "{\"title\":\"Not Found\",\"status\":404,\"detail\":\"nothing at " + key + "\"}"));
                byte[] out = a.body().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type",
                        a.status() < 300 ? "application/json" : "application/problem+json");
                exchange.sendResponseHeaders(a.status(), out.length);
                exchange.getResponseBody().write(out);
            }
        });
        server.start();
    }

    FakeServer on(String methodAndPath, int status, String body) {
        answers.put(methodAndPath, new Answer(status, body));
        return this;
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /**
     * Registered as an extension ({@code @RegisterExtension final FakeServer server = new FakeServer()}): before each
     * test, a fresh directory with the client config {@code ./hearth up} leaves, pointing at this server with the key
     * {@code hk_file}, so client commands run there need no flags; after it, the server stops.
     */
    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("hearth-cli-test");
        ClientConfig.recordStart(dir.resolve(".hearth"), url(), "hk_file");
        cli = new Cli(Map.of(), dir);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        close();
    }

    /** The directory client commands run in (see {@link #beforeEach}). */
    Path dir() {
        return dir;
    }

    /** Runs {@code hearth args...} in {@link #dir()}. */
    Cli.Result run(String... args) {
        return cli.run(args);
    }

    /** The command line in {@link #dir()}, e.g. to give it standard input. */
    Cli cli() {
        return cli;
    }
}
