package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.runtime.slurm.SlurmCli;
import dev.hearth.server.envs.PipSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Workers on Slurm nodes build their function's Python environment in the node's cache, once per hash, and say
 * whether their start found the cache warm; placement prefers the node that holds it. Against the test cluster of
 * {@link SlurmRuntimeTest} (its three nodes are one machine, so they share the cache directory; which node holds what
 * is what each node's bootstrap reported). The cache directory is the tests' own, and each test's function has
 * requirements of its own, so its first start is cold.
 */
class SlurmNodeCacheTest {

    private static final Path WHEELS = wheels();

    @TempDir
    static Path cache;

    @RegisterExtension
    final TestServer hearth = TestServer.withFunctions("slurm-l4").onGpus(null)
            .configured(b -> b.slurm(new SlurmSettings("gpu", SlurmRuntimeTest.CONF, cache.resolve("node-cache")
                    .toString())).pip(new PipSettings(null, WHEELS.toString(), List.of("--no-index"))));

    @TempDir
    Path dir;

    @BeforeAll
    static void aSlurmClusterAnswers() {
        assumeTrue(Files.isRegularFile(SlurmRuntimeTest.CONF) && new SlurmCli(SlurmRuntimeTest.CONF).answers(),
                "no Slurm cluster answers with " + SlurmRuntimeTest.CONF + ": see SlurmRuntimeTest");
    }

    @Test
    void aFunctionsEnvironmentIsBuiltOnTheNodeOnceAndItsNextWorkerThereStartsWarm() {
        deploy("slurm-env", "hearth-env-probe==5.0", "L4");

        String first = hearth.run("slurm-env", "{}");
        JsonNode out = output(first);
        assertThat(out.get("probe").asText()).isEqualTo("5.0");
        assertThat(out.get("prefix").asText()).startsWith(cache.resolve("node-cache/envs").toString());
        assertThat(workerStarted(first).get("cache").asText()).isEqualTo("cold");
        assertThat(workerStarted(first).get("detail").asText()).contains("cold cache (").contains("environment");
        await().atMost(Duration.ofSeconds(30)).until(() -> hearth.workerCount("slurm-env") == 0);

        String second = hearth.run("slurm-env", "{}");

        assertThat(output(second).get("prefix").asText()).isEqualTo(out.get("prefix").asText());
        assertThat(workerStarted(second).get("cache").asText()).isEqualTo("warm");
        assertThat(workerStarted(second).get("detail").asText()).endsWith("; warm cache");
    }

    @Test
    void aNewWorkerGoesToTheNodeThatHoldsItsEnvironmentRatherThanTheBestFit() {
        deploy("slurm-any", "hearth-env-probe==6.0", "any");
        // the L4 of n3, the best fit for one GPU of any type, is busy: the first worker goes to n2's A100s
        String blocker = hearth.run("slurm-l4", "{\"seconds\": 15}");
        await().atMost(Duration.ofSeconds(60)).until(() -> "IN_PROGRESS".equals(hearth.status("slurm-l4", blocker)
                .path("status").asText()));
        String first = hearth.run("slurm-any", "{}");
        assertThat(output(first).get("node").asText()).isEqualTo("n2");
        hearth.awaitFinal("slurm-l4", blocker);
        await().atMost(Duration.ofSeconds(30)).until(() -> hearth.workerCount("slurm-any") == 0
                && hearth.workerCount("slurm-l4") == 0);

        String second = hearth.run("slurm-any", "{}");

        // n3 is free again and fits best, but n2 holds the environment
        assertThat(output(second).get("node").asText()).isEqualTo("n2");
        assertThat(workerStarted(second).get("cache").asText()).isEqualTo("warm");
    }

    private JsonNode output(String id) {
        JsonNode done = hearth.awaitFinal(functionOf(id), id);
        assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("COMPLETED");
        return done.get("output");
    }

    private String functionOf(String id) {
        return hearth.get("/v1/jobs/" + id + "/timeline").json().get("function").asText();
    }

    private JsonNode workerStarted(String id) {
        for (JsonNode e : hearth.get("/v1/jobs/" + id + "/timeline").json().get("events")) {
            if (e.get("type").asText().equals("worker_started")) {
                return e;
            }
        }
        throw new AssertionError("no worker_started event in the timeline of " + id);
    }

    private void deploy(String name, String requirement, String gpu) {
        try {
            Path fn = Files.createDirectories(dir.resolve(name));
            Files.writeString(fn.resolve("hearth.yaml"), "name: " + name + "\nhandler: handler.py:handler\n"
                    + "python:\n  requirements: [" + requirement + "]\ngpu: " + gpu + "\n"
                    + "scaling: {minWorkers: 0, maxWorkers: 1, idleTimeout: 1s, concurrency: 1}\ntimeout: 120s\n");
            Files.writeString(fn.resolve("handler.py"), """
                    import os, sys
                    import hearth_env_probe

                    def handler(job):
                        return {"probe": hearth_env_probe.VERSION, "prefix": sys.prefix,
                                "node": os.environ.get("SLURMD_NODENAME")}
                    """);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TestServer.Response r = hearth.deploy(dir.resolve(name), "");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
    }

    private static Path wheels() {
        try {
            Path d = Files.createTempDirectory("hearth-wheels");
            for (String v : List.of("5.0", "6.0")) {
                Wheels.write(d, "hearth-env-probe", v, "VERSION = \"" + v + "\"\n");
            }
            return d;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
