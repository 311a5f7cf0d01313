package dev.hearth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.server.HearthServer;
import dev.hearth.server.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client commands against a real in-process server running the repository's examples. */
class EndToEndTest {

    private static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();

    @TempDir
    static Path dir;

    private static HearthServer server;
    private static Cli cli;

    @BeforeAll
    static void start() {
        server = HearthServer.start(ServerConfig.builder().host("127.0.0.1").port(0).dataDir(dir.resolve(".hearth"))
                .gpus("H100:1").apiKey("e2e-key").build());
        ClientConfig.recordStart(dir.resolve(".hearth"), server.url(), "e2e-key");
        cli = new Cli(Map.of(), dir);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Cli.Result ok(String... args) {
        Cli.Result r = cli.run(args);
        assertThat(r.code()).as("hearth %s\nstdout: %s\nstderr: %s", String.join(" ", args), r.out(), r.err())
                .isZero();
        return r;
    }

    @Test
    void deployRunStatusLogsAndDelete() {
        assertThat(Files.isDirectory(EXAMPLES)).as("examples at " + EXAMPLES).isTrue();
        assertThat(ok("deploy", EXAMPLES.resolve("echo/hearth.yaml").toString()).out())
                .startsWith("deployed echo version 1 (bundle sha256 ");

        assertThat(ok("run", "echo", "--input", "{\"hello\":\"world\"}").out()).contains("\"hello\" : \"world\"");

        String id = ok("run", "echo", "--async", "-i", "[1,2]").out().strip();
        assertThat(id).isNotBlank();
        // The status call needs the function; without --function the CLI finds it in the job listings.
        String status = ok("status", id).out();
        assertThat(status).contains("\"id\" : \"" + id + "\"");

        assertThat(ok("ls").out()).contains("echo").contains("NAME");
        assertThat(ok("workers").out()).containsAnyOf("echo", "no workers");
        ok("logs", "echo", "--tail", "20");

        Cli.Result missing = cli.run("run", "ech");
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("ech").doesNotContain("Exception");

        assertThat(ok("delete", "echo").out().strip()).isEqualTo("deleted echo");
    }

    @Test
    void aGpuFunctionGetsTheConfiguredGpu() {
        ok("deploy", EXAMPLES.resolve("gpu-info").toString());

        assertThat(ok("run", "gpu-info").out()).contains("\"gpu_type\" : \"H100\"");
    }

    @Test
    void aJobThatCannotBePlacedTimesOutWithTheReason() throws Exception {
        Path fn = Files.createDirectories(dir.resolve("needs-a100"));
        Files.writeString(fn.resolve("hearth.yaml"), "name: needs-a100\nhandler: handler.py:handler\ngpu: A100\n");
        Files.writeString(fn.resolve("handler.py"), "def handler(job):\n    return 1\n");
        ok("deploy", fn.toString());

        Cli.Result r = cli.run("run", "needs-a100", "--timeout", "2s");

        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("still IN_QUEUE after 2s").contains("A100").contains("./hearth cancel needs-a100 ");
        ok("delete", "needs-a100");
    }
}
