package dev.hearth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.client.Deployment;
import dev.hearth.client.Fn;
import dev.hearth.client.FunctionInfo;
import dev.hearth.client.Hearth;
import dev.hearth.client.HearthClientException;
import dev.hearth.client.JobHandle;
import dev.hearth.client.JobState;
import dev.hearth.client.JobStatus;
import dev.hearth.client.WorkerInfo;
import dev.hearth.errors.HearthException;
import dev.hearth.functions.Durations;
import dev.hearth.server.HearthServer;
import dev.hearth.server.ServerConfig;
import dev.hearth.store.StoreException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code hearth demo}: a scripted tour on a throwaway server: deploy, cold and warm calls, an async job, a GPU
 * function, scale to zero. Non-interactive, so it doubles as a smoke test of a build.
 */
@Command(name = "demo", description = "Run a scripted tour of Hearth on a temporary server (exits 0 on success).",
        subcommands = DemoModelCommand.class)
final class DemoCommand implements Callable<Integer> {

    private static final int STEPS = 8;
    /** Held here because java.util.logging keeps loggers only weakly: a level set on a dropped one is lost. */
    private static final Logger SERVER_LOG = Logger.getLogger("dev.hearth");
    /** A cold start includes starting Python; generous, so slow CI machines do not fail the demo. */
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration SCALE_DOWN_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration SCALE_DOWN_MARGIN = Duration.ofSeconds(25);

    @ParentCommand
    HearthCommand root;

    @Option(names = "--python", defaultValue = "python3", paramLabel = "PATH",
            description = "Python interpreter for the example workers (default: ${DEFAULT-VALUE}).")
    String python;

    private PrintWriter out;
    private int step;
    private String stepName = "start";

    @Override
    public Integer call() {
        Context ctx = root.context();
        out = ctx.out();
        Path examples = Examples.find(ctx).orElseThrow(() -> CliException.failure("demo: cannot find Hearth's "
                + "examples directory (looked upwards from " + ctx.cwd() + " and from the jar); run it from a "
                + "Hearth checkout"));
        checkPython();
        Path dataDir;
        try {
            dataDir = Files.createTempDirectory("hearth-demo-");
        } catch (IOException e) {
            throw CliException.failure("demo: cannot create a temporary data dir: " + e.getMessage());
        }
        Level logLevel = SERVER_LOG.getLevel();
        if (ctx.variable("HEARTH_DEBUG") == null) {
            // One line per step: the server's own log lines would bury them. Failures carry the server's reason.
            SERVER_LOG.setLevel(Level.SEVERE);
        }
        boolean realGpus = NvidiaSmi.hasGpus();
        String key = "demo-" + UUID.randomUUID();
        ServerConfig config = ServerConfig.builder().host("127.0.0.1").port(0).dataDir(dataDir)
                .gpus(realGpus ? null : "H100:1").apiKey(key).python(python).build();
        HearthServer server = null;
        Thread cleanup = null;
        try {
            begin("start server");
            HearthServer started = HearthServer.start(config);
            server = started;
            // Ctrl-C mid-demo must not leave worker processes behind.
            cleanup = new Thread(started::close, "hearth-demo-cleanup");
            Runtime.getRuntime().addShutdownHook(cleanup);
            say("server up at " + server.url() + " with GPUs: " + ServerRunner.describe(server.gpus())
                    + (realGpus ? " (detected)" : " (simulated: nvidia-smi found none)"));
            try (Hearth hearth = Hearth.connect(server.url(), key)) {
                tour(hearth, examples);
            }
            begin("stop server");
            Runtime.getRuntime().removeShutdownHook(cleanup);
            cleanup = null;
            server.close();
            server = null;
            say("server stopped; demo OK");
            return ExitCodes.OK;
        } catch (HearthClientException | HearthException | StoreException | UncheckedIOException
                 | IllegalStateException e) {
            throw CliException.failure("demo failed at step " + step + "/" + STEPS + " (" + stepName + "): "
                    + e.getMessage());
        } finally {
            if (cleanup != null) {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            }
            if (server != null) {
                server.close();
            }
            deleteQuietly(dataDir);
            SERVER_LOG.setLevel(logLevel);
        }
    }

    private void tour(Hearth hearth, Path examples) {
        begin("deploy examples");
        List<String> deployed = new ArrayList<>();
        for (String name : List.of("echo", "gpu-info", "stream")) {
            Path manifest = examples.resolve(name).resolve("hearth.yaml");
            if (Files.isRegularFile(manifest)) {
                Deployment d = hearth.deploy(manifest);
                deployed.add(d.name() + " v" + d.version() + " (" + d.bundleSha256().substring(0,
                        Math.min(12, d.bundleSha256().length())) + ")");
            } else if (!name.equals("stream")) {
                throw new IllegalStateException("missing example " + manifest);
            }
        }
        say("deployed " + String.join(", ", deployed));

        Fn echo = hearth.function("echo");
        ObjectNode input = Json.MAPPER.createObjectNode().put("message", "hello from the demo");

        begin("cold call");
        JobStatus cold = completed(echo.runSync(input, CALL_TIMEOUT));
        say("cold call: echo -> " + brief(cold.output()) + timings(cold));

        begin("warm call");
        JobStatus warm = completed(echo.runSync(input, CALL_TIMEOUT));
        say("warm call: echo -> " + brief(warm.output()) + timings(warm) + faster(cold, warm));

        begin("async call");
        JobHandle job = echo.spawn(input);
        List<JobState> seen = follow(job);
        JobStatus done = completed(job.status());
        say("async call: job " + job.id() + " " + seen.stream().map(Enum::name).collect(Collectors.joining(" -> "))
                + ", output " + brief(done.output()));

        begin("GPU call");
        JobStatus gpu = completed(hearth.function("gpu-info").runSync(Json.MAPPER.createObjectNode(), CALL_TIMEOUT));
        say("GPU call: gpu-info was given " + describeGpu(gpu.output()) + " on worker " + gpu.workerId());

        begin("scale to zero");
        Duration idle = longestIdleTimeout(hearth);
        // Workers go once idle for idleTimeout; allow for that plus the drain, however the examples are tuned.
        Duration bound = idle.plus(SCALE_DOWN_MARGIN).compareTo(SCALE_DOWN_TIMEOUT) > 0
                ? idle.plus(SCALE_DOWN_MARGIN) : SCALE_DOWN_TIMEOUT;
        Instant start = Instant.now();
        List<WorkerInfo> workers = hearth.workers(null);
        while (!workers.isEmpty()) {
            if (Duration.between(start, Instant.now()).compareTo(bound) > 0) {
                throw new IllegalStateException("workers still running after " + bound.toSeconds() + " s: "
                        + workers.stream().map(w -> w.id() + " " + w.function() + " " + w.state())
                        .collect(Collectors.joining(", ")));
            }
            sleep(Duration.ofMillis(250));
            workers = hearth.workers(null);
        }
        say(String.format("scaled to zero: no workers %.1f s after the last call (idleTimeout %s)",
                Duration.between(start, Instant.now()).toMillis() / 1000.0, Durations.format(idle)));
    }

    private static Duration longestIdleTimeout(Hearth hearth) {
        Duration longest = Duration.ZERO;
        for (FunctionInfo f : hearth.functions()) {
            try {
                Duration d = Durations.parse(f.scaling().idleTimeout());
                longest = d.compareTo(longest) > 0 ? d : longest;
            } catch (IllegalArgumentException | NullPointerException unreadable) {
                longest = Duration.ofSeconds(60).compareTo(longest) > 0 ? Duration.ofSeconds(60) : longest;
            }
        }
        return longest;
    }

    /** A missing interpreter would otherwise show only as a cold call that never starts. */
    private void checkPython() {
        String problem;
        try {
            Process p = new ProcessBuilder(python, "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            problem = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 ? null
                    : "'" + python + " --version' failed";
        } catch (IOException e) {
            problem = "'" + python + "' cannot be run (" + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            problem = "interrupted";
        }
        if (problem != null) {
            throw CliException.failure("demo: the example workers need Python 3: " + problem
                    + "; install python3 or pass --python PATH");
        }
    }

    /** Polls the job's status and records each state it passes through, to show the async life cycle. */
    private List<JobState> follow(JobHandle job) {
        List<JobState> seen = new ArrayList<>(List.of(JobState.IN_QUEUE));
        Instant deadline = Instant.now().plus(CALL_TIMEOUT);
        while (true) {
            JobStatus s = job.status();
            if (seen.getLast() != s.status()) {
                seen.add(s.status());
            }
            if (s.isFinal()) {
                return seen;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("job " + job.id() + " still " + s.status() + " after "
                        + CALL_TIMEOUT.toSeconds() + " s" + (s.reason() == null ? "" : " (" + s.reason() + ")"));
            }
            sleep(Duration.ofMillis(50));
        }
    }

    private static JobStatus completed(JobStatus s) {
        if (!s.isCompleted()) {
            throw new IllegalStateException("job " + s.id() + " ended " + s.status()
                    + (s.error() == null ? "" : ": " + s.error()));
        }
        return s;
    }

    private static String timings(JobStatus s) {
        return " | delayTime " + s.delayTime() + " ms, coldStart " + s.coldStart()
                + (s.initTime() == null ? "" : ", initTime " + s.initTime() + " ms");
    }

    private static String faster(JobStatus cold, JobStatus warm) {
        if (cold.delayTime() == null || warm.delayTime() == null || warm.delayTime() >= cold.delayTime()) {
            return "";
        }
        return " (" + (cold.delayTime() - warm.delayTime()) + " ms sooner than cold: the worker was already up)";
    }

    /** examples/gpu-info answers with what Hearth placed it on; anything else is shown as it came. */
    private static String describeGpu(JsonNode out) {
        if (out == null || !out.hasNonNull("gpu_type")) {
            return brief(out);
        }
        return out.get("gpu_type").asText() + " (HEARTH_GPU_IDS=" + out.path("gpu_ids").asText()
                + ", CUDA_VISIBLE_DEVICES=" + out.path("cuda_visible_devices").asText()
                + ", device " + (out.hasNonNull("device_name") ? out.get("device_name").asText() : "not visible")
                + ")";
    }

    private static String brief(JsonNode n) {
        String s = Json.compact(n);
        return s.length() > 160 ? s.substring(0, 157) + "..." : s;
    }

    private void begin(String name) {
        step++;
        stepName = name;
    }

    private void say(String line) {
        out.println("[" + step + "/" + STEPS + "] " + line);
        out.flush();
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // A temp dir left behind is harmless; the OS cleans /tmp.
        }
    }
}
