package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's side of the worker protocol, spoken by the test itself: the function's workers are real processes the
 * server starts, but they only write down their id and token and wait, so each request here is one the test chose.
 */
class WorkerProtocolTest {

    private static final String PUPPET = """
            import json, os, signal, sys, time
            if sys.argv[2] == "stubborn":  # finishes what it holds after SIGTERM, until the SIGKILL
                signal.signal(signal.SIGTERM, signal.SIG_IGN)
            out = os.path.join(sys.argv[1], os.environ["RUNPOD_POD_ID"] + ".json")
            with open(out + ".tmp", "w") as f:
                json.dump({k: os.environ[k] for k in ("RUNPOD_POD_ID", "RUNPOD_AI_API_KEY", "RUNPOD_WEBHOOK_GET_JOB")}, f)
            os.rename(out + ".tmp", out)
            # a sandboxed worker is not told the server's pid (its PID namespace has none): it watches its parent
            parent = int(os.environ.get("HEARTH_CONTROL_PLANE_PID") or 0)
            ppid = os.getppid()
            while True:  # until SIGTERM, or until the control plane is gone
                time.sleep(0.2)
                try:
                    os.kill(parent or ppid, 0)
                    if not parent and os.getppid() != ppid:
                        sys.exit(0)
                except ProcessLookupError:
                    sys.exit(0)
                except PermissionError:  # it is there, as another user (a sandbox's reaper is root)
                    pass
            """;

    @RegisterExtension
    final TestServer hearth = TestServer.withFunctions();

    @TempDir
    Path dir;

    Path env;

    private final HttpClient http = HttpClient.newHttpClient();

    /** A started worker of {@code function}, as its environment describes it. */
    record Puppet(String id, String token, URI base) {
    }

    @Test
    void aBatchOfResultsIsAnsweredResultByResultAndTakeHandsOutTheNextJobs() {
        deployPuppets("batch", 4);
        String first = hearth.run("batch", "1");
        Puppet w = awaitPuppet("batch");
        JsonNode taken = get(w, "/job-take-batch/" + w.id() + "?batch_size=1").json();
        assertThat(taken).hasSize(1);
        assertThat(taken.get(0).get("id").asText()).isEqualTo(first);
        String second = hearth.run("batch", "2");
        String third = hearth.run("batch", "3");

        TestServer.Response r = post(w, "/job-done-batch/" + w.id() + "?take=2", "{\"results\": [{\"id\": \"" + first
                + "\", \"output\": \"one\"}, {\"id\": \"job-nobody-holds\", \"output\": 0}]}");

        assertThat(r.status()).isEqualTo(200);
        JsonNode results = r.json().get("results");
        assertThat(results.get(0).get("id").asText()).isEqualTo(first);
        assertThat(results.get(0).get("status").asInt()).isEqualTo(200);
        assertThat(results.get(1).get("id").asText()).isEqualTo("job-nobody-holds");
        assertThat(results.get(1).get("status").asInt()).isEqualTo(409);
        assertThat(results.get(1).get("detail").asText()).contains("does not hold the lease");
        assertThat(r.json().get("jobs").findValuesAsText("id")).containsExactlyInAnyOrder(second, third);
        JsonNode done = hearth.awaitFinal("batch", first);
        assertThat(done.get("status").asText()).isEqualTo("COMPLETED");
        assertThat(done.get("output").asText()).isEqualTo("one");
    }

    @Test
    void aBatchOfOutputSentTwiceIsWrittenOnceToTheWorkersLog() {
        deployPuppets("remote-log", 1);
        hearth.run("remote-log", "1"); // a worker starts for it
        Puppet w = awaitPuppet("remote-log");

        assertThat(post(w, "/worker-log/" + w.id() + "?offset=0", "one\n").json().get("next").asLong()).isEqualTo(4);
        assertThat(post(w, "/worker-log/" + w.id() + "?offset=0", "one\n").json().get("next").asLong()).isEqualTo(4);
        assertThat(post(w, "/worker-log/" + w.id() + "?offset=4", "two\n").json().get("next").asLong()).isEqualTo(8);

        JsonNode logs = hearth.get("/v1/workers/" + w.id() + "/logs").json();
        assertThat(logs.get("lines").toString()).isEqualTo("[\"one\",\"two\"]");
    }

    @Test
    void aBatchOfOutputOrACacheReportThatIsMalformedOrWithoutTokenIsRefusedSayingWhy() {
        deployPuppets("remote-log-bad", 1);
        hearth.run("remote-log-bad", "1");
        Puppet w = awaitPuppet("remote-log-bad");

        TestServer.Response noOffset = post(w, "/worker-log/" + w.id(), "x\n");
        TestServer.Response tooLarge = post(w, "/worker-log/" + w.id() + "?offset=0", "x".repeat((1 << 20) + 1));
        TestServer.Response stranger = post(new Puppet(w.id(), "not-its-token", w.base()),
                "/worker-log/" + w.id() + "?offset=0", "x\n");

        assertThat(noOffset.status()).isEqualTo(400);
        assertThat(noOffset.json().get("detail").asText()).contains("'offset'");
        assertThat(tooLarge.status()).isEqualTo(413);
        assertThat(stranger.status()).isEqualTo(401);
        assertThat(hearth.get("/v1/workers/" + w.id() + "/logs").json().get("lines")).isEmpty();
        TestServer.Response badCache = post(w, "/worker-cache/" + w.id(), "{\"envs\": \"not a list\"}");
        assertThat(badCache.status()).isEqualTo(400);
        assertThat(badCache.json().get("detail").asText()).contains("'envs'");
        assertThat(post(w, "/worker-cache/" + w.id(), "{\"bundles\": [\"../etc\"]}").status()).isEqualTo(400);
    }

    @Test
    void aResultAfterTheLeaseRanOutIsRefusedWith409() {
        deployPuppets("lapse", 1);
        String id = hearth.run("lapse", "1");
        Puppet w = awaitPuppet("lapse");
        assertThat(get(w, "/job-take/" + w.id()).json().get("id").asText()).isEqualTo(id);

        // no heartbeat names the job: its lease (three 500 ms ping intervals here) runs out
        await().atMost(Duration.ofSeconds(30)).until(() ->
                !hearth.status("lapse", id).get("status").asText().equals("IN_PROGRESS"));
        TestServer.Response late = post(w, "/job-done/" + w.id() + "/" + id, "{\"output\": \"late\"}");

        assertThat(late.status()).isEqualTo(409);
        assertThat(late.json().get("detail").asText()).contains("does not hold the lease of job " + id);
        assertThat(hearth.status("lapse", id).path("output").asText()).isNotEqualTo("late");
    }

    @Test
    void aResultAfterItsNodeWasDrainedIsRefusedWith409AndTheJobRunsAgain() {
        deployPuppets("drained", 1, "stubborn");
        String id = hearth.run("drained", "1");
        Puppet w = awaitPuppet("drained");
        assertThat(get(w, "/job-take/" + w.id()).json().get("id").asText()).isEqualTo(id);
        Thread pinger = Thread.ofVirtual().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                get(w, "/ping/" + w.id() + "?job_id=" + id);
                try {
                    Thread.sleep(200); // a heartbeat interval, as a worker keeps it
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        try {
            assertThat(hearth.post("/v1/nodes/local/drain?grace=0s", "").status()).isEqualTo(200);
            // the grace is over at once: the job goes back to the queue, without spending a retry
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    !hearth.status("drained", id).get("status").asText().equals("IN_PROGRESS"));

            TestServer.Response late = post(w, "/job-done/" + w.id() + "/" + id, "{\"output\": \"late\"}");

            assertThat(late.status()).isEqualTo(409);
            assertThat(hearth.status("drained", id).get("status").asText()).isEqualTo("IN_QUEUE");
        } finally {
            pinger.interrupt();
        }
    }

    @Test
    void aWorkerTokenIsGoodOnlyForItsOwnFunction() {
        deployPuppets("mine", 1);
        deployPuppets("theirs", 1);
        hearth.run("mine", "1");
        hearth.run("theirs", "1");
        Puppet mine = awaitPuppet("mine");
        Puppet theirs = awaitPuppet("theirs");
        Puppet mineOnTheirs = new Puppet(mine.id(), mine.token(), theirs.base());
        Puppet theirIdMyToken = new Puppet(theirs.id(), mine.token(), theirs.base());

        TestServer.Response wrongFunction = get(mineOnTheirs, "/job-take/" + mine.id());
        TestServer.Response wrongWorker = get(theirIdMyToken, "/job-take/" + theirs.id());
        TestServer.Response own = get(mine, "/job-take/" + mine.id());

        assertThat(wrongFunction.status()).isEqualTo(401);
        assertThat(wrongFunction.json().get("detail").asText()).contains("wrong worker token for function 'theirs'");
        assertThat(wrongWorker.status()).isEqualTo(401);
        assertThat(own.status()).isEqualTo(200);
        assertThat(hearth.get("/v2/theirs/health").json().get("jobs").get("inQueue").asInt())
                .as("nothing of theirs was handed to the wrong worker").isEqualTo(1);
    }

    /** Deploys a function whose workers are puppets, one at most, taking {@code concurrency} jobs at once. */
    private void deployPuppets(String function, int concurrency) {
        deployPuppets(function, concurrency, "leaves");
    }

    /** {@code onSigterm}: {@code leaves} at once, or {@code stubborn}: stays until killed, like a busy worker. */
    private void deployPuppets(String function, int concurrency, String onSigterm) {
        try {
            Path fn = Files.createDirectories(dir.resolve("fn-" + function));
            Files.createDirectories(env());
            Files.writeString(fn.resolve("handler.py"), PUPPET);
            Files.writeString(fn.resolve("hearth.yaml"), "name: " + function + "\nruntime: command\ncommand: [python3, "
                    + "handler.py, '" + env() + "', " + onSigterm + "]\nscaling: {maxWorkers: 1, idleTimeout: 120s, "
                    + "concurrency: " + concurrency + "}\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThat(hearth.deploy(dir.resolve("fn-" + function), "").status()).isEqualTo(201);
    }

    /** Where puppets write what they got: a directory that the sandboxed workers see too. */
    private Path env() {
        if (env == null) {
            env = TestSandbox.sharedDir("puppets");
        }
        return env;
    }

    private Puppet awaitPuppet(String function) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> findPuppet(function), Optional::isPresent)
                .orElseThrow();
    }

    private Optional<Puppet> findPuppet(String function) throws IOException {
        try (Stream<Path> files = Files.list(env())) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).toList()) {
                JsonNode env = TestServer.JSON.readTree(f.toFile());
                String take = env.get("RUNPOD_WEBHOOK_GET_JOB").asText();
                if (take.contains("/v2/" + function + "/")) {
                    return Optional.of(new Puppet(env.get("RUNPOD_POD_ID").asText(),
                            env.get("RUNPOD_AI_API_KEY").asText(), URI.create(take.substring(0,
                                    take.indexOf("/job-take/")))));
                }
            }
        }
        return Optional.empty();
    }

    private TestServer.Response get(Puppet w, String path) {
        return send(HttpRequest.newBuilder(URI.create(w.base() + path)).header("Authorization", w.token()).GET());
    }

    private TestServer.Response post(Puppet w, String path, String json) {
        return send(HttpRequest.newBuilder(URI.create(w.base() + path)).header("Authorization", w.token())
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    private TestServer.Response send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = http.send(request.timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new TestServer.Response(r.statusCode(), r.body(), r.headers().firstValue("Content-Type")
                    .orElse(""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
