package dev.hearth.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import java.util.zip.ZipOutputStream;

/**
 * A real control plane for tests, as a JUnit extension: SQLite in a temp dir, a free port, a fake GPU inventory, real
 * worker processes. Fixture functions live in {@code src/test/resources/functions/<name>}.
 */
public final class TestServer
        implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, AfterAllCallback, AutoCloseable {

    public static final String KEY = "test-key";
    static final ObjectMapper JSON = new ObjectMapper();

    public record Response(int status, String body, String contentType) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + body, e);
            }
        }
    }

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String gpus;
    private final List<String> fixtures;
    private final java.util.function.UnaryOperator<ServerConfig.Builder> custom;
    private final InstantSource clock;
    private Path dataDir;
    private ServerConfig config;
    private HearthServer server;
    private boolean perTest;

    private TestServer(String gpus, List<String> fixtures) {
        this(gpus, fixtures, b -> b, InstantSource.system());
    }

    private TestServer(String gpus, List<String> fixtures,
                       java.util.function.UnaryOperator<ServerConfig.Builder> custom, InstantSource clock) {
        this.gpus = gpus;
        this.fixtures = fixtures;
        this.custom = custom;
        this.clock = clock;
    }

    /** The same, on a clock the test moves (forward only, while no job runs; see {@link HearthServer}). */
    public TestServer onClock(InstantSource clock) {
        return new TestServer(gpus, fixtures, custom, clock);
    }

    /** The same, with more server configuration (applied after the test defaults). */
    public TestServer configured(java.util.function.UnaryOperator<ServerConfig.Builder> more) {
        return new TestServer(gpus, fixtures, more, clock);
    }

    /**
     * A control plane with these fixture functions deployed, on 2 fake H100s. Register it with
     * {@code @RegisterExtension}: as a static field it serves the whole class, as an instance field each test.
     */
    public static TestServer withFunctions(String... fixtures) {
        return new TestServer("H100:2", List.of(fixtures));
    }

    /** The same, with another GPU inventory ({@code --gpus} syntax). */
    public TestServer onGpus(String inventory) {
        return new TestServer(inventory, fixtures, custom, clock);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        start();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (server == null) {
            perTest = true;
            start();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (perTest) {
            close();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    /** Starts the control plane now, for a test that manages its servers itself (close it with {@link #close}). */
    public TestServer started() {
        start();
        return this;
    }

    private void start() {
        try {
            dataDir = Files.createTempDirectory("hearth-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        config = ServerConfig.builder().port(0).dataDir(dataDir).gpus(gpus).apiKey(KEY)
                .workerGrace(Duration.ofSeconds(5)).pingInterval(Duration.ofMillis(500))
                .webhookRetryDelay(Duration.ofMillis(200))
                // the tests' webhook receivers listen on loopback, which a server refuses by default
                .webhookAllow(List.of("127.0.0.0/8", "::1/128"))
                .sandbox(TestSandbox.settings()).build();
        config = custom.apply(config.toBuilder()).build();
        server = HearthServer.start(config, clock);
        for (String f : fixtures) {
            Response r = deploy(f);
            if (r.status() != 201) {
                throw new AssertionError("deploy of fixture " + f + " failed: " + r);
            }
        }
    }

    public Path dataDir() {
        return dataDir;
    }

    /** What confines this server's workers, as it said at start. */
    public String workerSandbox() {
        return server.workerSandbox();
    }

    /** Stops the control plane gracefully and starts a new one on the same data dir. */
    public void restart() {
        server.close();
        server = HearthServer.start(config.toBuilder().port(server.url().getPort()).build(), clock);
    }

    public URI url() {
        return server.url();
    }

    public Response deploy(String fixture) {
        return deploy(fixtureDir(fixture), "");
    }

    /** Deploys a function directory; {@code query} is added to the deploy URL as is (e.g. {@code ?canary=10}). */
    public Response deploy(Path dir, String query) {
        return send(HttpRequest.newBuilder(url().resolve("/v1/functions" + query))
                .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/zip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(zip(dir))));
    }

    public static Path fixtureDir(String name) {
        try {
            return Path.of(TestServer.class.getResource("/functions/" + name + "/hearth.yaml").toURI()).getParent();
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalArgumentException("no fixture function " + name, e);
        }
    }

    public Response post(String path, String json) {
        return send(HttpRequest.newBuilder(url().resolve(path)).header("Authorization", "Bearer " + KEY)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    public Response put(String path, String json) {
        return send(HttpRequest.newBuilder(url().resolve(path)).header("Authorization", "Bearer " + KEY)
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    public Response get(String path) {
        return send(HttpRequest.newBuilder(url().resolve(path)).header("Authorization", "Bearer " + KEY).GET());
    }

    public Response delete(String path) {
        return send(HttpRequest.newBuilder(url().resolve(path)).header("Authorization", "Bearer " + KEY).DELETE());
    }

    public Response send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = http.send(request.timeout(Duration.ofSeconds(120)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body(), r.headers().firstValue("Content-Type").orElse(""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Changes the function's scaling live ({@code PATCH /v1/functions/{fn}/scaling}); fails unless it took. */
    public JsonNode scale(String function, String json) {
        Response r = send(HttpRequest.newBuilder(url().resolve("/v1/functions/" + function + "/scaling"))
                .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(json)));
        if (r.status() != 200) {
            throw new AssertionError("scaling change failed: " + r);
        }
        return r.json();
    }

    /** Submits with /run and returns the job id. */
    public String run(String function, String inputJson) {
        Response r = post("/v2/" + function + "/run", "{\"input\":" + inputJson + "}");
        if (r.status() != 200) {
            throw new AssertionError("run failed: " + r);
        }
        return r.json().get("id").asText();
    }

    public JsonNode status(String function, String id) {
        return get("/v2/" + function + "/status/" + id).json();
    }

    public JsonNode awaitFinal(String function, String id) {
        return get("/v2/" + function + "/status-sync/" + id + "?wait=60000").json();
    }

    public int workerCount(String function) {
        return get("/v1/workers?function=" + function).json().get("workers").size();
    }

    /**
     * The function's directory as a deploy bundle. A fixture directory with a manifest only (no {@code handler.py})
     * runs the {@code sleepy} fixture's handler: it sleeps {@code input.seconds} and stops early when cancelled, which
     * is all most scaling and placement fixtures need beside their own manifest.
     */
    static byte[] zip(Path dir) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes); Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).filter(p -> !p.toString().contains("__pycache__"))
                    .toList()) {
                addEntry(zip, dir.relativize(f).toString(), f);
            }
            if (!Files.exists(dir.resolve("handler.py"))) {
                addEntry(zip, "handler.py", fixtureDir("sleepy").resolve("handler.py"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void addEntry(ZipOutputStream zip, String name, Path file) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        // a fixed time: the same files must zip to the same bytes (and bundle hash) whenever they are zipped
        entry.setTime(946_684_800_000L);
        zip.putNextEntry(entry);
        Files.copy(file, zip);
        zip.closeEntry();
    }

    @Override
    public void close() {
        if (server == null) {
            return;
        }
        server.close();
        server = null;
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a leftover temp dir is harmless
        }
    }
}
