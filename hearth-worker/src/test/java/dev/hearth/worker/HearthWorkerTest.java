package dev.hearth.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.worker.ProtocolPeer.Recorded;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class HearthWorkerTest {

    private static final Duration BOUND = Duration.ofSeconds(5);

    private ProtocolPeer peer;
    private HearthWorker worker;

    record Greeting(String name) {
    }

    @BeforeAll
    static void bounds() {
        Awaitility.setDefaultTimeout(BOUND);
        Awaitility.setDefaultPollInterval(Duration.ofMillis(10));
    }

    @BeforeEach
    void startPeer() throws IOException {
        peer = new ProtocolPeer();
    }

    @AfterEach
    void stop() throws InterruptedException {
        try {
            if (worker != null) {
                worker.shutdown();
                assertThat(worker.awaitTermination(BOUND)).as("worker stopped").isTrue();
            }
        } finally {
            peer.close();
        }
    }

    private WorkerOptions.Builder options() {
        return WorkerOptions.newBuilder()
                .setEnvironment(peer.env())
                .setRetryBackoff(Duration.ofMillis(20))
                .setPollBackoff(Duration.ofMillis(50))
                .setPollTimeout(Duration.ofSeconds(10));
    }

    private void serve(WorkerOptions.Builder options, Handler handler) {
        worker = HearthWorker.create(options.build(), handler);
        worker.start();
    }

    private void serve(Handler handler) {
        serve(options(), handler);
    }

    private static JsonNode json(String text) throws IOException {
        return ProtocolPeer.JSON.readTree(text);
    }

    @Test
    void postsTheResultWithTheProtocolsUrlHeadersAndBody() throws IOException {
        peer.offer("job-1", "{\"name\":\"ada\"}");
        serve(job -> Map.of("hello", job.input(Greeting.class).name()));

        Recorded done = peer.awaitDone("job-1");
        assertThat(done.method()).isEqualTo("POST");
        assertThat(done.path()).isEqualTo("/v2/echo/job-done/w-1/job-1");
        assertThat(done.query()).isEqualTo("gpu=cpu&isStream=false");
        assertThat(done.header("Authorization")).isEqualTo(ProtocolPeer.TOKEN);
        assertThat(done.header("X-Request-ID")).isEqualTo("job-1");
        assertThat(done.json()).isEqualTo(json("{\"output\":{\"hello\":\"ada\"}}"));

        Recorded take = peer.requests("job-take").getFirst();
        assertThat(take.method()).isEqualTo("GET");
        assertThat(take.path()).isEqualTo("/v2/echo/job-take/w-1");
        assertThat(take.query()).isEqualTo("gpu=cpu&job_in_progress=0");
        assertThat(take.header("Authorization")).isEqualTo(ProtocolPeer.TOKEN);
    }

    @Test
    void heartbeatRenewsTheLeasesOfRunningJobs() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        peer.offer("job-1", "{}");
        serve(job -> {
            release.await();
            return "ok";
        });

        await().until(() -> peer.requests("ping").stream().anyMatch(r -> "job-1".equals(r.param("job_id"))));
        Recorded ping = peer.requests("ping").getFirst();
        assertThat(ping.path()).isEqualTo("/v2/echo/ping/w-1");
        assertThat(ping.param("gpu")).isEqualTo("cpu");
        assertThat(ping.param("runpod_version")).startsWith("hearth-java-");
        assertThat(ping.header("Authorization")).isEqualTo(ProtocolPeer.TOKEN);
        release.countDown();
        peer.awaitDone("job-1");
    }

    @Test
    void aThrowingHandlerPostsAnErrorPayload() throws IOException {
        peer.offer("job-1", "{}");
        serve(job -> {
            throw new IllegalStateException("model exploded");
        });

        JsonNode body = peer.awaitDone("job-1").json();
        assertThat(body.properties()).hasSize(1);
        assertThat(body.get("error").isTextual()).as("error is JSON text").isTrue();
        JsonNode error = json(body.get("error").asText());
        assertThat(error.get("error_type").asText()).isEqualTo("java.lang.IllegalStateException");
        assertThat(error.get("error_message").asText()).isEqualTo("model exploded");
        assertThat(error.get("error_traceback").asText())
                .contains("java.lang.IllegalStateException: model exploded")
                .contains("HearthWorkerTest");
        assertThat(error.get("worker_id").asText()).isEqualTo("w-1");
        assertThat(error.get("hostname").asText()).isNotEmpty();
    }

    @Test
    void aStreamingHandlerPostsEachChunkThenTheAggregate() throws IOException {
        peer.offer("job-1", "{}");
        worker = HearthWorker.create(options().build(), (job, out) -> {
            for (int i = 1; i <= 3; i++) {
                out.emit(Map.of("token", i));
            }
        });
        worker.start();

        Recorded done = peer.awaitDone("job-1");
        assertThat(peer.requests("job-stream")).hasSize(3).allSatisfy(chunk -> {
            assertThat(chunk.path()).isEqualTo("/v2/echo/job-stream/w-1/job-1");
            assertThat(chunk.query()).isEqualTo("gpu=cpu&isStream=false");
            assertThat(chunk.header("X-Request-ID")).isEqualTo("job-1");
        });
        assertThat(peer.requests("job-stream")).extracting(Recorded::json).containsExactly(
                json("{\"output\":{\"token\":1}}"), json("{\"output\":{\"token\":2}}"),
                json("{\"output\":{\"token\":3}}"));
        assertThat(done.query()).isEqualTo("gpu=cpu&isStream=true");
        assertThat(done.json()).isEqualTo(json("{\"output\":[{\"token\":1},{\"token\":2},{\"token\":3}]}"));
    }

    @Test
    void progressIsPostedAsAnInProgressUpdateBeforeTheResult() throws IOException {
        peer.offer("job-1", "{}");
        serve(job -> {
            job.progress(Map.of("percent", 50));
            return "done";
        });

        await().until(() -> peer.done("job-1").size() == 2);
        assertThat(peer.done("job-1")).extracting(Recorded::json).containsExactly(
                json("{\"status\":\"IN_PROGRESS\",\"output\":{\"percent\":50}}"),
                json("{\"output\":\"done\"}"));
        assertThat(peer.done("job-1").getFirst().query()).isEqualTo("gpu=cpu&isStream=false");
    }

    @Test
    void concurrencyTwoTakesABatchAndRunsBothJobsAtOnce() throws IOException {
        CountDownLatch bothRunning = new CountDownLatch(2);
        peer.offer("a", "{}");
        peer.offer("b", "{}");
        serve(options().setConcurrency(2), job -> {
            bothRunning.countDown();
            if (!bothRunning.await(BOUND.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("the jobs did not run at the same time");
            }
            return job.id();
        });

        assertThat(peer.awaitDone("a").json()).isEqualTo(json("{\"output\":\"a\"}"));
        assertThat(peer.awaitDone("b").json()).isEqualTo(json("{\"output\":\"b\"}"));
        Recorded take = peer.requests("job-take-batch").getFirst();
        assertThat(take.path()).isEqualTo("/v2/echo/job-take-batch/w-1");
        assertThat(take.param("batch_size")).isEqualTo("2");
        assertThat(take.param("job_in_progress")).isEqualTo("0");
    }

    @Test
    void aStoppedJobIsInterruptedAndItsResultIsNotPosted() throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean sawCancellation = new AtomicBoolean();
        peer.offer("job-1", "{}");
        serve(job -> {
            if (job.id().equals("job-1")) {
                started.countDown();
                try {
                    new CountDownLatch(1).await();
                } catch (InterruptedException e) {
                    sawCancellation.set(job.isCancelled());
                    throw e;
                }
            }
            return "ok";
        });
        assertThat(started.await(BOUND.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

        peer.stop("job-1");
        await().untilTrue(sawCancellation);
        // With concurrency 1 the next job runs only after job-1's result was dropped (or, wrongly, posted).
        peer.offer("job-2", "{}");
        peer.awaitDone("job-2");
        assertThat(peer.done("job-1")).isEmpty();
    }

    @Test
    void shutdownDrainsAnInFlightJobBeforeTerminating() throws InterruptedException, IOException {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        peer.offer("job-1", "{}");
        serve(job -> {
            started.countDown();
            release.await();
            return "finished";
        });
        assertThat(started.await(BOUND.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

        worker.shutdown();
        assertThat(worker.awaitTermination(Duration.ofMillis(200))).as("waits for the job").isFalse();
        release.countDown();
        assertThat(worker.awaitTermination(BOUND)).isTrue();
        assertThat(peer.done("job-1")).extracting(Recorded::json).containsExactly(json("{\"output\":\"finished\"}"));
    }

    @Test
    void aLostLeaseDropsTheResultAndTheWorkerGoesOn() {
        peer.doneStatus = r -> r.jobId().equals("job-1") ? 409 : 200;
        peer.offer("job-1", "{}");
        peer.offer("job-2", "{}");
        serve(JobContext::id);

        peer.awaitDone("job-2");
        assertThat(peer.done("job-1")).as("posted once, not retried").hasSize(1);
        assertThat(worker.isTerminated()).isFalse();
    }

    @Test
    void aFailedResultPostIsRetriedUntilItArrives() {
        AtomicInteger posts = new AtomicInteger();
        peer.doneStatus = r -> posts.incrementAndGet() <= 2 ? 503 : 200;
        peer.offer("job-1", "{}");
        serve(job -> "ok");

        await().until(() -> peer.done("job-1").size() == 3);
        assertThat(peer.done("job-1")).allSatisfy(post -> {
            assertThat(post.body()).isEqualTo("{\"output\":\"ok\"}");
            assertThat(post.header("X-Request-ID")).isEqualTo("job-1");
        });
    }

    @Test
    void aRevokedWorkerStopsOnItsOwn() throws InterruptedException {
        peer.doneStatus = r -> 401;
        peer.offer("job-1", "{}");
        serve(job -> "ok");

        assertThat(worker.awaitTermination(BOUND)).isTrue();
        assertThat(peer.done("job-1")).hasSize(1);
    }

    @Test
    void aThrottledTakeBacksOffAndTakesAgain() {
        peer.takeStatuses.add(429);
        peer.offer("job-1", "{}");
        serve(job -> "ok");

        peer.awaitDone("job-1");
        assertThat(peer.requests("job-take")).hasSizeGreaterThanOrEqualTo(2);
    }

    @Test
    void aMapWithAnErrorKeyReportsThatError() throws IOException {
        peer.offer("job-1", "{}");
        serve(job -> Map.of("error", "bad prompt", "refresh_worker", true));

        assertThat(peer.awaitDone("job-1").json()).isEqualTo(json("{\"error\":\"bad prompt\",\"stopPod\":true}"));
    }

    @Test
    void inputThatDoesNotFitTheTypeFailsTheJob() throws IOException {
        peer.offer("job-1", "{\"name\":{\"nested\":true},\"unknown\":1}");
        serve(job -> job.input(Greeting.class));

        JsonNode error = json(peer.awaitDone("job-1").json().get("error").asText());
        assertThat(error.get("error_type").asText()).isEqualTo("java.lang.IllegalArgumentException");
        assertThat(error.get("error_message").asText()).startsWith("job input does not fit Greeting");
    }
}
