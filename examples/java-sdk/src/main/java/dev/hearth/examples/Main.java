package dev.hearth.examples;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.client.Fn;
import dev.hearth.client.Hearth;
import dev.hearth.client.HearthApiException;
import dev.hearth.client.HearthRemoteException;
import dev.hearth.client.JobHandle;
import dev.hearth.client.MapOptions;
import dev.hearth.client.MapResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * A tour of the Hearth Java SDK against the functions {@code ./hearth up --examples} deploys ({@code echo} and
 * {@code stream}): remote, spawn, map and stream. Connects as {@code HEARTH_URL} and {@code HEARTH_API_KEY} say.
 */
public final class Main {

    /** What the example sends to echo and reads back, typed. */
    public record Greeting(String hello, int n) {
    }

    public static void main(String[] args) {
        try (Hearth hearth = Hearth.fromEnvironment()) {
            Fn echo = hearth.function("echo");

            // remote: call and wait, the output converted to a record by Jackson.
            Greeting g = echo.remote(new Greeting("world", 1), Greeting.class);
            System.out.println("remote  -> " + g);

            // spawn: submit now, look at it, collect later.
            JobHandle job = echo.spawn(Map.of("hello", "later"));
            System.out.println("spawn   -> job " + job.id() + " is " + job.status().status());
            System.out.println("get     -> " + job.get(Duration.ofSeconds(60)));

            // map: 1,000 inputs pulled lazily from a generator, at most 32 jobs in flight, outputs in input order.
            Iterable<Integer> inputs = () -> IntStream.rangeClosed(1, 1_000).iterator();
            try (Stream<Integer> out = echo.map(inputs, Integer.class, MapOptions.builder().maxInFlight(32).build())) {
                System.out.println("map     -> sum of 1..1000 = " + out.mapToLong(Integer::longValue).sum());
            }

            // mapResults: failures as values instead of an exception. echo never fails, so all succeed here.
            try (Stream<MapResult<String>> out = echo.mapResults(List.of("a", "b"), String.class,
                    MapOptions.defaults())) {
                out.forEach(r -> System.out.println("result  -> #" + r.index() + " " + (r.isSuccess()
                        ? r.output() : "failed: " + r.error().getMessage())));
            }

            // stream: a generator handler's chunks, printed as they arrive.
            try (Stream<String> words = hearth.function("stream")
                    .stream(Map.of("text", "hello from a hearth worker", "delay", 0.2), String.class)) {
                words.forEach(w -> System.out.println("stream  -> " + w));
            }

            // Errors say what happened: a refused call carries the HTTP status, a failed job its id and error.
            try {
                hearth.function("no-such-function").remote(1);
            } catch (HearthApiException e) {
                System.out.println("error   -> HTTP " + e.status() + ": " + e.getMessage());
            } catch (HearthRemoteException e) {
                System.out.println("error   -> job " + e.jobId() + ": " + e.error());
            }
        }
    }
}
