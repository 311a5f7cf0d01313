package dev.hearth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The client commands against a real in-process server running the repository's examples. */
class EndToEndTest {

    private static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();


    @RegisterExtension
    static final CliServer hearth = CliServer.onGpus("H100:1");

    @Test
    void deployRunStatusLogsAndDelete() {
        assertThat(Files.isDirectory(EXAMPLES)).as("examples at " + EXAMPLES).isTrue();
        assertThat(hearth.ok("deploy", EXAMPLES.resolve("echo/hearth.yaml").toString()).out())
                .startsWith("deployed echo version 1 (bundle sha256 ");
        // the worker outlives the test, so `workers` below has exactly one thing to show
        hearth.ok("scale", "echo", "--idle-timeout", "120s");

        assertThat(hearth.ok("run", "echo", "--input", "{\"hello\":\"world\"}").out()).contains("\"hello\" : \"world\"");

        String id = hearth.ok("run", "echo", "--async", "-i", "[1,2]").out().strip();
        assertThat(id).isNotBlank();
        // the id alone finds the job, whatever its function
        String status = hearth.ok("status", id).out();
        assertThat(status).contains("\"id\" : \"" + id + "\"");

        assertThat(hearth.ok("ls").out()).contains("echo").contains("NAME");
        assertThat(hearth.ok("workers").out()).contains("w-echo-").doesNotContain("no workers");
        assertThat(hearth.ok("logs", "echo", "--tail", "20").out()).contains("ready: handler=handler.py:handler");

        Cli.Result missing = hearth.run("run", "ech");
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("ech").doesNotContain("Exception");

        assertThat(hearth.ok("delete", "echo").out().strip()).isEqualTo("deleted echo");
    }

    @Test
    void aGpuFunctionGetsTheConfiguredGpu() {
        hearth.ok("deploy", EXAMPLES.resolve("gpu-info").toString());

        assertThat(hearth.ok("run", "gpu-info").out()).contains("\"gpu_type\" : \"H100\"");
    }

    @Test
    void aJobThatCannotBePlacedTimesOutWithTheReason() throws Exception {
        Path fn = Files.createDirectories(hearth.dir().resolve("needs-a100"));
        Files.writeString(fn.resolve("hearth.yaml"), "name: needs-a100\nhandler: handler.py:handler\ngpu: A100\n");
        Files.writeString(fn.resolve("handler.py"), "def handler(job):\n    return 1\n");
        hearth.ok("deploy", fn.toString());

        Cli.Result r = hearth.run("run", "needs-a100", "--timeout", "2s");

        assertThat(r.code()).isEqualTo(1);
        String id = r.err().replaceAll("(?s).*\\./hearth cancel (\\S+).*", "$1");
        assertThat(r.err()).contains("still IN_QUEUE after 2s").contains("A100").contains("./hearth status " + id);
        hearth.ok("delete", "needs-a100");
    }

    @Test
    void runPrintsAGeneratorsChunksAsTheyArrive() throws Exception {
        Path go = deployStepper();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Context ctx = new Context(Map.of(), hearth.dir(), new ByteArrayInputStream(new byte[0]),
                new PrintWriter(out, true), new PrintWriter(err, true));
        String input = "{\"go\":\"" + go + "\"}";
        CompletableFuture<Integer> code = CompletableFuture.supplyAsync(
                () -> Main.execute(ctx, "run", "stepper", "-i", input));

        // the handler yields "first", then waits for the go file before it yields "second" and ends
        await().atMost(Duration.ofSeconds(60)).until(() -> out.toString().contains("first"));
        assertThat(out.toString()).doesNotContain("second");
        Files.createFile(go);

        assertThat(code.get(60, TimeUnit.SECONDS)).as(err.toString()).isZero();
        assertThat(out.toString().lines()).containsExactly("\"first\"", "\"second\"");
    }

    @Test
    void runNoStreamPrintsAGeneratorsOutputAtTheEnd() throws Exception {
        Path go = Files.createFile(deployStepper());

        Cli.Result r = hearth.ok("run", "stepper", "--no-stream", "-i", "{\"go\":\"" + go + "\"}");

        assertThat(r.out()).contains("[ \"first\", \"second\" ]");
    }

    /** A generator function that yields "first", and "second" once the file {@code input.go} exists. */
    private static Path deployStepper() {
        if (!Files.isDirectory(hearth.dir().resolve("stepper"))) {
            hearth.deploy("stepper", "", """
                    import os, time
                    def handler(job):
                        yield "first"
                        while not os.path.exists(job["input"]["go"]):
                            time.sleep(0.05)
                        yield "second"
                    """);
        }
        return hearth.goFile();
    }

    @Test
    void cancelTakesTheJobIdAlone() throws Exception {
        hearth.deploy("waits-for-a100", "gpu: A100\n", "def handler(job):\n    return 1\n");
        String id = hearth.ok("run", "waits-for-a100", "--async").out().strip();

        assertThat(hearth.ok("cancel", id).out().strip()).isEqualTo(id + " CANCELLED");
        assertThat(hearth.ok("status", id).out()).contains("\"status\" : \"CANCELLED\"");
        Cli.Result unknown = hearth.run("cancel", "no-such-job");
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.err()).contains("no job 'no-such-job'");
        hearth.ok("delete", "waits-for-a100");
    }
}
