package dev.hearth.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@link Fn#map} and {@link Fn#stream} against a real in-process control plane with real Python workers. */
class MapAndStreamTest {

    private static final Path FIXTURES = Path.of("..", "hearth-server", "src", "test", "resources", "functions");
    private static final Duration LONG = Duration.ofSeconds(60);

    @TempDir
    static Path dir;

    @RegisterExtension
    static final ControlPlane plane = ControlPlane.onGpus("none");

    private static Hearth hearth;

    @BeforeAll
    static void start() throws IOException {
        hearth = plane.hearth();
        for (String fixture : List.of("sleepy", "stream")) {
            hearth.deploy(FIXTURES.resolve(fixture).resolve("hearth.yaml"));
        }
        // Echo with one worker running 8 jobs at once, so that 10,000 inputs take seconds, not a minute.
        deploy("echo8", "def handler(job):\n    return job[\"input\"]\n", 8);
        // Echo, except that input 3 raises: one failure among successes.
        deploy("picky", """
                def handler(job):
                    if job["input"] == 3:
                        raise ValueError("three is not allowed")
                    return job["input"]
                """, 1);
        deploy("breaks-midway", """
                def handler(job):
                    yield "a"
                    yield "b"
                    raise RuntimeError("broke after two chunks")
                """, 1);
    }

    private static void deploy(String name, String handler, int concurrency) throws IOException {
        Path fn = Files.createDirectories(dir.resolve(name));
        Files.writeString(fn.resolve("handler.py"), handler);
        Files.writeString(fn.resolve("hearth.yaml"), "name: " + name + "\nhandler: handler.py:handler\n"
                + "scaling:\n  maxWorkers: 1\n  idleTimeout: 10s\n  concurrency: " + concurrency + "\n");
        hearth.deploy(fn.resolve("hearth.yaml"));
    }

    /** Integers 0..n-1 made on demand, recording how far the map pulled ahead of what was consumed. */
    private static final class Counting implements Iterable<Integer> {
        final int n;
        final AtomicInteger pulled = new AtomicInteger();
        final AtomicInteger consumed = new AtomicInteger();
        final AtomicInteger maxLead = new AtomicInteger();

        Counting(int n) {
            this.n = n;
        }

        @Override
        public Iterator<Integer> iterator() {
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return pulled.get() < n;
                }

                @Override
                public Integer next() {
                    int i = pulled.getAndIncrement();
                    maxLead.accumulateAndGet(i + 1 - consumed.get(), Math::max);
                    return i;
                }
            };
        }
    }

    @Test
    void mapReturnsTenThousandOutputsInInputOrderWithABoundedWindow() {
        Counting inputs = new Counting(10_000);
        int window = 32;

        List<Integer> out;
        try (Stream<Integer> s = hearth.function("echo8").map(inputs, Integer.class,
                MapOptions.builder().maxInFlight(window).build())) {
            out = s.peek(x -> inputs.consumed.incrementAndGet()).toList();
        }

        assertThat(out).isEqualTo(IntStream.range(0, 10_000).boxed().toList());
        // At most the window in flight, plus the one result being handed out when its slot is refilled; and the
        // window is really used (the map does not run one job at a time).
        assertThat(inputs.maxLead.get()).isLessThanOrEqualTo(window + 1).isGreaterThan(window / 2);
    }

    @Test
    void theServerNeverSeesMoreJobsThanTheWindow() throws Exception {
        AtomicLong maxOpen = new AtomicLong();
        AtomicReference<Boolean> done = new AtomicReference<>(false);
        Thread watcher = Thread.ofVirtual().start(() -> {
            while (!done.get()) {
                JsonNode jobs = health("sleepy").path("jobs");
                maxOpen.accumulateAndGet(jobs.path("inQueue").asLong() + jobs.path("inProgress").asLong(), Math::max);
                // a pause between samples, so the sampler does not take the CPU the workers and server need; the
                // window stays full for most of the map, so 5 ms steps still see it
                LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
            }
        });
        List<Map<String, Double>> inputs = IntStream.range(0, 24).mapToObj(i -> Map.of("seconds", 0.05)).toList();

        try (Stream<JsonNode> s = hearth.function("sleepy").map(inputs, MapOptions.builder().maxInFlight(5).build())) {
            assertThat(s.count()).isEqualTo(24);
        } finally {
            done.set(true);
            watcher.join();
        }

        assertThat(maxOpen.get()).isBetween(3L, 5L);
    }

    private static JsonNode health(String fn) {
        return hearth.function(fn).http().get("/v2/" + fn + "/health", Http.Query.none());
    }

    @Test
    void theFirstFailedInputThrowsAtItsPositionWithTheJobIdAndRemoteError() {
        List<Integer> seen = new ArrayList<>();

        try (Stream<Integer> s = hearth.function("picky").map(List.of(0, 1, 2, 3, 4, 5), Integer.class)) {
            assertThatThrownBy(() -> s.forEach(seen::add))
                    .isInstanceOfSatisfying(HearthRemoteException.class, e -> {
                        assertThat(e.jobId()).isNotBlank();
                        assertThat(e.status()).isEqualTo(JobState.FAILED);
                        assertThat(e.error()).contains("three is not allowed");
                        assertThat(e).hasMessageStartingWith("job " + e.jobId() + " FAILED");
                        assertThat(hearth.function("picky").job(e.jobId()).status().status())
                                .isEqualTo(JobState.FAILED);
                    });
        }
        assertThat(seen).containsExactly(0, 1, 2);
    }

    @Test
    void mapResultsYieldsFailuresAsValuesInPlace() {
        List<MapResult<Integer>> results;
        try (Stream<MapResult<Integer>> s = hearth.function("picky").mapResults(List.of(1, 2, 3, 4), Integer.class,
                MapOptions.defaults())) {
            results = s.toList();
        }

        assertThat(results).extracting(MapResult::index).containsExactly(0L, 1L, 2L, 3L);
        assertThat(results).extracting(MapResult::output).containsExactly(1, 2, null, 4);
        MapResult<Integer> failed = results.get(2);
        assertThat(failed.isSuccess()).isFalse();
        assertThat(failed.error().jobId()).isEqualTo(failed.jobId());
        assertThat(failed.error().error()).contains("three is not allowed");
        assertThatThrownBy(failed::get).isSameAs(failed.error());
    }

    @Test
    void closingAMapCancelsTheJobsInFlightAndPullsNoMoreInputs() {
        Counting inputs = new Counting(50);
        Iterable<Map<String, Integer>> slow = () -> new Iterator<>() {
            final Iterator<Integer> it = inputs.iterator();

            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public Map<String, Integer> next() {
                return Map.of("seconds", 60 + it.next());
            }
        };
        Stream<JsonNode> s = hearth.function("sleepy").map(slow, MapOptions.builder().maxInFlight(4).build());
        AtomicReference<Throwable> consumerSaw = new AtomicReference<>();
        Thread consumer = Thread.ofVirtual().start(() -> {
            try {
                s.findFirst();
            } catch (Throwable t) {
                consumerSaw.set(t);
            }
        });
        await().atMost(LONG).until(() -> open("sleepy") == 4);

        s.close();

        assertThat(inputs.pulled.get()).isEqualTo(4);
        await().atMost(LONG).until(() -> open("sleepy") == 0);
        assertThat(hearth.jobs("sleepy", Set.of(JobState.CANCELLED), 100)).hasSize(4);
        await().atMost(LONG).until(() -> !consumer.isAlive());
        assertThat(consumerSaw.get()).isInstanceOfSatisfying(HearthRemoteException.class,
                e -> assertThat(e.status()).isEqualTo(JobState.CANCELLED));
    }

    private static long open(String fn) {
        JsonNode jobs = health(fn).path("jobs");
        return jobs.path("inQueue").asLong() + jobs.path("inProgress").asLong();
    }

    record Chunk(int i) {
    }

    @Test
    void streamYieldsAGeneratorsChunksInOrderAsTheyArrive() {
        try (Stream<Chunk> chunks = hearth.function("stream").stream(Map.of("n", 6, "delay", 0.05), Chunk.class)) {
            assertThat(chunks.toList()).containsExactly(new Chunk(0), new Chunk(1), new Chunk(2), new Chunk(3),
                    new Chunk(4), new Chunk(5));
        }
    }

    @Test
    void aStreamThatBreaksDeliversItsChunksThenThrowsWithTheJobId() {
        List<String> seen = new ArrayList<>();

        try (Stream<String> chunks = hearth.function("breaks-midway").stream(Map.of(), String.class)) {
            assertThatThrownBy(() -> chunks.forEach(seen::add))
                    .isInstanceOfSatisfying(HearthRemoteException.class, e -> {
                        assertThat(e.jobId()).isNotBlank();
                        assertThat(e.status()).isEqualTo(JobState.FAILED);
                        assertThat(e.error()).contains("broke after two chunks");
                    });
        }
        assertThat(seen).containsExactly("a", "b");
    }

    @Test
    void closingAStreamEarlyCancelsItsJob() {
        JobHandle job = hearth.function("stream").spawn(Map.of("n", 1000, "delay", 0.05));

        try (Stream<JsonNode> chunks = job.stream()) {
            assertThat(chunks.findFirst()).hasValueSatisfying(c -> assertThat(c.path("i").asInt()).isZero());
        }

        await().atMost(LONG).until(() -> job.status().status() == JobState.CANCELLED);
    }
}
