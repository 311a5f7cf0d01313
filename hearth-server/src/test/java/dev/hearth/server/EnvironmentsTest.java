package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.server.envs.PipSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Functions' own Python environments: a virtualenv per set of requirements, built with real pip at deploy time from
 * wheels made by the test ({@code --find-links DIR --no-index}: nothing from the network), run by real workers that
 * import what it installed. Each test asks for its own version of the probe package, so that each needs its own
 * environment whatever ran before it.
 */
class EnvironmentsTest {

    private static final Path WHEELS = wheels();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final Duration BUILD = Duration.ofMinutes(3);

    @RegisterExtension
    static final TestServer hearth = TestServer.withFunctions().configured(b -> b.pip(
            new PipSettings(null, WHEELS.toString(), List.of("--no-index"))));

    /** What a deploy that asked for progress got: its status, and the objects of its NDJSON answer. */
    record Streamed(int status, String contentType, List<JsonNode> lines, String body) {
        List<String> progress() {
            return lines.stream().filter(l -> l.has("progress")).map(l -> l.get("progress").asText()).toList();
        }

        JsonNode last() {
            return lines.getLast();
        }
    }

    @Test
    void aFunctionRunsInItsOwnEnvironmentWithThePackagesOfItsRequirementsFile() throws IOException {
        Path dir = function("env-file", "python:\n  requirements: requirements.txt\n");
        Files.writeString(dir.resolve("requirements.txt"), "# the probe\nhearth-env-probe==1.0  # pinned\n\n");

        assertThat(hearth.deploy(dir, "").status()).isEqualTo(201);

        JsonNode out = runToCompletion("env-file");
        assertThat(out.get("probe").asText()).isEqualTo("1.0");
        Path prefix = Path.of(out.get("prefix").asText());
        assertThat(prefix.getParent()).isEqualTo(hearth.dataDir().toAbsolutePath().resolve("envs"));
        assertThat(out.get("hearthPython").asText()).isEqualTo(prefix.resolve("bin/python").toString());
    }

    @Test
    void aDeployStreamsPipsOutputAndReturnsOnceTheEnvironmentIsReady() {
        Path dir = function("env-stream", "python:\n  requirements: [hearth-env-probe==2.0]\n");

        Streamed s = deployStreaming(dir);

        assertThat(s.status()).isEqualTo(200);
        assertThat(s.contentType()).startsWith("application/x-ndjson");
        assertThat(s.progress()).anyMatch(l -> l.contains("building in"))
                .anyMatch(l -> l.contains("Successfully installed hearth-env-probe-2.0"));
        assertThat(s.last().get("deployed").get("name").asText()).isEqualTo("env-stream");
        assertThat(s.last().get("deployed").get("version").asInt()).isEqualTo(1);
        assertThat(runToCompletion("env-stream").get("probe").asText()).isEqualTo("2.0");
    }

    @Test
    void concurrentDeploysWithTheSameRequirementsShareOneBuildAndOneEnvironment() throws IOException {
        Path first = function("env-share-a", "python:\n  requirements: requirements.txt\n");
        Files.writeString(first.resolve("requirements.txt"), "Hearth_Env_Probe == 3.0\n");
        // the same requirement as written differently: the same environment
        Path second = function("env-share-b", "python:\n  requirements: [hearth-env-probe==3.0]\n");

        CompletableFuture<Streamed> a = CompletableFuture.supplyAsync(() -> deployStreaming(first));
        CompletableFuture<Streamed> b = CompletableFuture.supplyAsync(() -> deployStreaming(second));
        List<Streamed> both = List.of(a.join(), b.join());

        assertThat(both).allMatch(s -> s.last().has("deployed"));
        assertThat(both.stream().filter(s -> s.progress().stream().anyMatch(l -> l.contains("building in"))))
                .hasSize(1);
        JsonNode env = envUsedBy("env-share-a:1");
        assertThat(env.get("usedBy")).extracting(JsonNode::asText).containsExactly("env-share-a:1", "env-share-b:1");
        assertThat(env.get("requirements")).extracting(JsonNode::asText).containsExactly("hearth-env-probe==3.0");
        assertThat(env.get("sizeBytes").asLong()).isPositive();
        assertThat(runToCompletion("env-share-a").get("prefix")).isEqualTo(runToCompletion("env-share-b")
                .get("prefix"));
        assertThat(envUsedBy("env-share-a:1").get("lastUsed").isNull()).isFalse();
    }

    @Test
    void aFailedBuildFailsTheDeployWithPipsErrorAndThePreviousVersionKeepsServing() {
        deploy(function("env-fail", "python:\n  requirements: [hearth-env-probe==1.0]\n"));

        Streamed s = deployStreaming(function("env-fail",
                "python:\n  requirements: [hearth-env-probe==1.0, no-such-package-hearth==9.9]\n"));

        JsonNode problem = s.last().get("problem");
        assertThat(problem.get("status").asInt()).isEqualTo(422);
        assertThat(problem.get("detail").asText()).contains("pip install").contains("no-such-package-hearth");
        assertThat(hearth.get("/v1/functions/env-fail/versions").json().get("versions")).hasSize(1);
        assertThat(runToCompletion("env-fail").get("probe").asText()).isEqualTo("1.0");
        try (Stream<Path> envs = Files.list(hearth.dataDir().resolve("envs"))) {
            assertThat(envs.toList()).allMatch(e -> Files.exists(e.resolve(".hearth-env.json")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aPythonVersionTheServerLacksFailsTheDeployNamingTheInterpreter() {
        Streamed s = deployStreaming(function("env-no-python", "python:\n  version: \"3.99\"\n"));

        assertThat(s.status()).isEqualTo(400);
        assertThat(s.contentType()).startsWith("application/problem+json");
        assertThat(s.body()).contains("python3.99");
    }

    @Test
    void aCommandFunctionFindsTheEnvironmentsInterpreterInHearthPython() throws IOException {
        Path dir = function("env-command", "python:\n  requirements: [hearth-env-probe==1.0]\n")
                .resolve("hearth.yaml");
        Files.writeString(dir, Files.readString(dir).replace("handler: handler.py:handler",
                "command: [sh, start.sh]"));
        Files.copy(TestServer.fixtureDir("runpod-style").resolve("worker.py"), dir.resolveSibling("worker.py"));
        // the host's interpreter has no probe: the job completes only under the environment's
        Files.writeString(dir.resolveSibling("start.sh"), "exec \"$HEARTH_PYTHON\" -c 'import hearth_env_probe, "
                + "runpy; runpy.run_path(\"worker.py\", run_name=\"__main__\")'\n");

        deploy(dir.getParent());

        assertThat(runToCompletion("env-command").get("worker").asText()).isEqualTo("runpod-style");
    }

    @Test
    void anEnvironmentOutlivesARestartAndAHalfBuiltOneIsNeverUsed() throws IOException {
        Path dir = function("env-restart", "python:\n  requirements: [hearth-env-probe==4.0]\n");
        Files.writeString(dir.resolve("hearth.yaml"), Files.readString(dir.resolve("hearth.yaml"))
                .replace("idleTimeout: 60s", "idleTimeout: 1s"));
        deploy(dir);
        String hash = envUsedBy("env-restart:1").get("hash").asText();

        hearth.restart();
        assertThat(deployStreaming(dir).progress()).anyMatch(l -> l.contains(hash + " is ready (built before)"));
        assertThat(runToCompletion("env-restart").get("probe").asText()).isEqualTo("4.0");

        // what a build stopped midway leaves: a directory without the marker written last
        Path env = hearth.dataDir().resolve("envs").resolve(hash);
        Files.delete(env.resolve(".hearth-env.json"));
        Files.writeString(env.resolve("leftover"), "half-built");
        await().atMost(Duration.ofSeconds(30)).until(() -> hearth.workerCount("env-restart") == 0);
        String id = hearth.run("env-restart", "{}");
        await().atMost(Duration.ofSeconds(30)).until(() -> hearth.get("/v1/functions/env-restart").json()
                .path("reason").asText().contains(hash + " of env-restart version 2 is not built"));

        assertThat(deployStreaming(dir).progress()).anyMatch(l -> l.contains("building in"));
        assertThat(env.resolve("leftover")).doesNotExist();
        JsonNode done = hearth.awaitFinal("env-restart", id);
        assertThat(done.get("status").asText()).isEqualTo("COMPLETED");
        assertThat(done.get("output").get("probe").asText()).isEqualTo("4.0");
    }

    @Test
    void pruneRemovesTheEnvironmentsNoStoredVersionUses() {
        deploy(function("env-prune", "python:\n  systemSitePackages: true\n"));
        String hash = envUsedBy("env-prune:1").get("hash").asText();
        assertThat(hearth.delete("/v1/functions/env-prune").status()).isEqualTo(200);

        JsonNode removed = hearth.post("/v1/envs/prune", "").json().get("removed");

        assertThat(removed).extracting(e -> e.get("hash").asText()).containsExactly(hash);
        assertThat(hearth.dataDir().resolve("envs").resolve(hash)).doesNotExist();
        assertThat(hearth.get("/v1/envs").json().get("envs")).allMatch(e -> !e.get("usedBy").isEmpty());
    }

    private static JsonNode runToCompletion(String fn) {
        JsonNode done = hearth.awaitFinal(fn, hearth.run(fn, "{}"));
        assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("COMPLETED");
        return done.get("output");
    }

    private static JsonNode envUsedBy(String version) {
        for (JsonNode e : hearth.get("/v1/envs").json().get("envs")) {
            for (JsonNode user : e.get("usedBy")) {
                if (user.asText().equals(version)) {
                    return e;
                }
            }
        }
        throw new AssertionError("no environment is used by " + version + ": " + hearth.get("/v1/envs").body());
    }

    private static void deploy(Path dir) {
        TestServer.Response r = hearth.deploy(dir, "");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
    }

    private static Streamed deployStreaming(Path dir) {
        HttpRequest request = HttpRequest.newBuilder(hearth.url().resolve("/v1/functions"))
                .header("Authorization", "Bearer " + TestServer.KEY).header("Content-Type", "application/zip")
                .header("Accept", "application/x-ndjson").timeout(BUILD)
                .POST(HttpRequest.BodyPublishers.ofByteArray(TestServer.zip(dir))).build();
        try {
            HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            String type = r.headers().firstValue("Content-Type").orElse("");
            List<JsonNode> lines = new ArrayList<>();
            if (type.startsWith("application/x-ndjson")) {
                for (String line : r.body().split("\n")) {
                    lines.add(TestServer.JSON.readTree(line));
                }
            }
            return new Streamed(r.statusCode(), type, lines, r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A python function that answers with the probe's version and where it runs. */
    private static Path function(String name, String python) {
        try {
            Path dir = Files.createTempDirectory("hearth-env-fn");
            Files.writeString(dir.resolve("hearth.yaml"), "name: " + name + "\nhandler: handler.py:handler\n"
                    + "scaling: {maxWorkers: 1, idleTimeout: 60s}\n" + python);
            Files.writeString(dir.resolve("handler.py"), """
                    import os
                    import sys

                    def handler(job):
                        import hearth_env_probe
                        return {"probe": hearth_env_probe.VERSION, "prefix": sys.prefix,
                                "hearthPython": os.environ.get("HEARTH_PYTHON")}
                    """);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path wheels() {
        try {
            Path dir = Files.createTempDirectory("hearth-wheels");
            for (String v : List.of("1.0", "2.0", "3.0", "4.0")) {
                Wheels.write(dir, "hearth-env-probe", v, "VERSION = \"" + v + "\"\n");
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
