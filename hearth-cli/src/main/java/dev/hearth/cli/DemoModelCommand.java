package dev.hearth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.client.Hearth;
import dev.hearth.client.JobState;
import dev.hearth.client.JobStatus;
import dev.hearth.client.JobTimeline;
import dev.hearth.functions.ManifestParser;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code hearth demo model}: against a running server, the cold start of the real-model example ({@code
 * examples/model}) without and with its pre-initialized process. Deploys it twice under other names (preinit 1 and
 * preinit 0), calls each once from zero workers, prints both, and deletes them again.
 */
@Command(name = "model", description = "Against a running server: the model example's cold start with and without "
        + "its pre-initialized process (scaling.preinit).")
final class DemoModelCommand implements Callable<Integer> {

    /** Importing torch, setting up a venv, training the weights once: slow machines need their time. */
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration CALL_TIMEOUT = Duration.ofMinutes(5);

    @ParentCommand
    DemoCommand demo;

    @Mixin
    ClientOptions client;

    @Option(names = "--example", paramLabel = "DIR",
            description = "The example's directory (default: examples/model of this checkout).")
    Path example;

    private PrintWriter out;

    @Override
    public Integer call() throws IOException {
        Context ctx = demo.root.context();
        out = ctx.out();
        Path dir = example != null ? ctx.resolve(example) : Examples.find(ctx).map(e -> e.resolve("model"))
                .orElseThrow(() -> CliException.failure("demo model: cannot find Hearth's examples directory; run "
                        + "it from a Hearth checkout or pass --example DIR"));
        Path manifest = dir.resolve("hearth.yaml");
        if (!Files.isRegularFile(manifest)) {
            throw CliException.failure("demo model: no hearth.yaml in " + dir);
        }
        String yaml = Files.readString(manifest);
        ManagementCalls calls = ManagementCalls.of(client, ctx);
        requireGpu(calls);
        for (String volume : ManifestParser.parse(yaml).volumes().keySet()) {
            ensureVolume(calls, volume);
        }
        try (Hearth hearth = client.connect(ctx)) {
            // the pool first: its process writes the weights into the volume if there are none yet, so that the
            // cold start measured without the pool is not the one that trains them
            Run pooled = measure(hearth, calls, dir, yaml, "model-demo-pool", 1);
            Run cold = measure(hearth, calls, dir, yaml, "model-demo-cold", 0);
            out.println();
            out.println("cold start of " + dir.getFileName() + " from zero workers to its first result:");
            out.printf("  without a pre-initialized process: %,6d ms  (%s)%n", cold.millis(), cold.phases());
            out.printf("  with scaling.preinit: 1:           %,6d ms  (%s)%n", pooled.millis(), pooled.phases());
            out.println("  it ran on " + pooled.output().path("device").asText() + " with torch "
                    + pooled.output().path("torch").asText() + "; result: classes "
                    + pooled.output().path("classes") + " (model test accuracy "
                    + pooled.output().path("model").path("accuracy").asText() + ")");
        }
        return ExitCodes.OK;
    }

    private record Run(long millis, String phases, JsonNode output) {
    }

    private Run measure(Hearth hearth, ManagementCalls calls, Path dir, String yaml, String name, int preinit)
            throws IOException {
        Path copy = copyAs(dir, yaml, name, preinit);
        try {
            out.println("deploying " + name + " (preinit " + preinit + ")...");
            hearth.deploy(copy.resolve("hearth.yaml"));
            if (preinit > 0) {
                out.println("waiting for its pre-initialized process to import torch and run setup()...");
                await(calls, name, w -> count(w.path("preinitialized"), p -> p.path("state").asText()
                        .equals("WAITING_FOR_GPU")) >= preinit, "its pre-initialized process to be ready");
            }
            long t0 = System.nanoTime();
            JobStatus status = hearth.function(name).runSync(Map.of(), CALL_TIMEOUT);
            long millis = (System.nanoTime() - t0) / 1_000_000;
            if (status.status() != JobState.COMPLETED) {
                throw CliException.failure("demo model: the call to " + name + " ended " + status.status() + ": "
                        + status.error() + hint(status.error()));
            }
            String phases = hearth.timeline(status.id()).events().stream()
                    .filter(e -> e.type().equals("worker_started")).map(JobTimeline.Event::detail)
                    .filter(d -> d != null).findFirst().orElse("no phases reported");
            out.printf("  %s: first result in %,d ms%n", name, millis);
            return new Run(millis, phases, status.output());
        } finally {
            // deleting drains its workers and pool: the GPU is free for the next one
            try {
                hearth.deleteFunction(name);
                await(calls, name, w -> w.path("workers").isEmpty() && w.path("preinitialized").isEmpty(),
                        "its workers to stop");
            } finally {
                deleteTree(copy);
            }
        }
    }

    private static String hint(String error) {
        return error != null && error.contains("No module named 'torch'")
                ? " (the server's Python does not see torch: install Debian's python3-torch and start the server "
                + "with --python /usr/bin/python3 where another python3 comes first on the PATH)" : "";
    }

    private void requireGpu(ManagementCalls calls) {
        int gpus = 0;
        for (JsonNode n : calls.get("/v1/nodes").path("nodes")) {
            gpus += n.path("gpusTotal").asInt();
        }
        if (gpus == 0) {
            throw CliException.failure("demo model: the server has no GPU, and the example is a GPU function (the "
                    + "pool of pre-initialized processes is for GPU functions); start it with --gpus H100:1 to "
                    + "declare one: on a machine without one the model runs on the CPU");
        }
    }

    private void ensureVolume(ManagementCalls calls, String volume) {
        for (JsonNode v : calls.get("/v1/volumes").path("volumes")) {
            if (v.path("name").asText().equals(volume)) {
                return;
            }
        }
        calls.post("/v1/volumes", Json.MAPPER.createObjectNode().put("name", volume).toString());
        out.println("created volume " + volume + " for the model's weights");
    }

    private static void await(ManagementCalls calls, String function, Predicate<JsonNode> done, String what) {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (!done.test(calls.get("/v1/workers?function=" + function))) {
            if (System.nanoTime() > deadline) {
                throw CliException.failure("demo model: " + function + ": gave up waiting for " + what + " after "
                        + READY_TIMEOUT.toMinutes() + " min; see hearth logs " + function);
            }
            try {
                Thread.sleep(100); // polling the server, as a person would
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw CliException.failure("demo model: interrupted");
            }
        }
    }

    private static int count(JsonNode array, Predicate<JsonNode> p) {
        int n = 0;
        for (JsonNode e : array) {
            n += p.test(e) ? 1 : 0;
        }
        return n;
    }

    /** The example under another name and pool size, in a temporary directory. */
    private static Path copyAs(Path dir, String yaml, String name, int preinit) throws IOException {
        Path copy = Files.createTempDirectory("hearth-demo-model-");
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                if (Files.isRegularFile(f) && !f.getFileName().toString().equals("hearth.yaml")) {
                    Files.copy(f, copy.resolve(f.getFileName()));
                }
            }
        }
        Files.writeString(copy.resolve("hearth.yaml"), yaml.replaceFirst("(?m)^name: *\\S+", "name: " + name)
                .replaceFirst("(?m)^(\\s+)preinit: *\\d+", "$1preinit: " + preinit));
        return copy;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
