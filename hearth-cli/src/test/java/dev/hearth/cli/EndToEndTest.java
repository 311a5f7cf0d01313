package dev.hearth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
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
        // The status call needs the function; without --function the CLI finds it in the job listings.
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
        assertThat(r.err()).contains("still IN_QUEUE after 2s").contains("A100").contains("./hearth cancel needs-a100 ");
        hearth.ok("delete", "needs-a100");
    }
}
