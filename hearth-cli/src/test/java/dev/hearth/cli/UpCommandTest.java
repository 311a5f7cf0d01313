package dev.hearth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code hearth up --examples} against a real in-process server, up to where it would wait for Ctrl-C. */
class UpCommandTest {

    private static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();
    /** Where bubblewrap cannot run, up is told to run workers without it, as its message says. */
    private static final boolean SANDBOXED = dev.hearth.runtime.local.Bubblewrap.onHost();

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private ServerRunner.Started up(Map<String, String> env, String... args) {
        Context ctx = new Context(env, dir, new ByteArrayInputStream(new byte[0]), new PrintWriter(out, true),
                new PrintWriter(err, true));
        CommandLine cli = Main.commandLine(ctx);
        boolean sandboxChosen = Stream.of(args).anyMatch(a -> a.equals("--bwrap") || a.equals("--unsafe-no-sandbox"));
        CommandLine.ParseResult parsed = cli.parseArgs(SANDBOXED || sandboxChosen ? args
                : Stream.concat(Stream.of(args), Stream.of("--unsafe-no-sandbox")).toArray(String[]::new));
        UpCommand up = (UpCommand) parsed.subcommand().commandSpec().userObject();
        return up.startAndReport(ctx);
    }

    @Test
    void deploysTheExamplesAndSaysHowToCallThem() throws IOException {
        copyExamples();

        ServerRunner.Started s = up(Map.of(), "up", "--examples", "--port", "0", "--gpus", "H100:1");
        try (var server = s.server()) {
            String text = out.toString();
            assertThat(text).contains("Hearth is up at " + server.url())
                    .contains("API key:  " + server.newApiKey().orElseThrow() + "   (new: shown only this once")
                    .contains("GPUs:     1x H100")
                    .contains("deployed: cog-banner v1, cog-words v1, echo v1, gpu-info v1, stream v1")
                    .contains("not deployed: examples/model (it needs the volume(s) model-weights")
                    .contains("KEY=" + server.newApiKey().orElseThrow() + "; curl -H \"Authorization: Bearer $KEY\""
                            + " -d '{\"input\":{\"x\":1}}' " + server.url() + "/v2/echo/runsync")
                    .contains("open " + server.url() + "/ in a browser for the dashboard");
            assertThat(err.toString()).isEmpty();
            // What up printed works: the client commands find the server and key in .hearth/client.json.
            Cli.Result ls = new Cli(Map.of(), dir).run("ls");
            assertThat(ls.out()).contains("echo", "gpu-info", "stream");
        }
    }

    @Test
    void thePrintedCurlWorksWhenPasted() throws Exception {
        copyExamples();

        try (var server = up(Map.of(), "up", "--examples", "--port", "0", "--gpus", "none").server()) {
            assertThat(pasted(printedCurl())).contains("\"status\":\"COMPLETED\"").contains("\"output\":{\"x\":1}");
        }
    }

    @Test
    void afterARestartThePrintedCurlReadsTheKeyFromClientJsonWithoutShowingIt() throws Exception {
        copyExamples();
        up(Map.of(), "up", "--port", "0", "--gpus", "none").server().close();
        out.getBuffer().setLength(0);

        try (var server = up(Map.of(), "up", "--examples", "--port", "0", "--gpus", "none").server()) {
            String curl = printedCurl();
            assertThat(curl).doesNotContain("hearth_").contains(".hearth/client.json");
            assertThat(pasted(curl)).contains("\"status\":\"COMPLETED\"").contains("\"output\":{\"x\":1}");
        }
    }

    @Test
    void withoutBubblewrapUpSaysWorkersCannotRunAndWhatToDo() {
        try (var server = up(Map.of(), "up", "--port", "0", "--gpus", "none", "--bwrap", "/no/such/bwrap")
                .server()) {
            assertThat(out.toString()).contains("workers:  NOT RUNNING: bubblewrap (/no/such/bwrap) is not installed")
                    .contains("apt-get install bubblewrap").contains("restart with --unsafe-no-sandbox");
        }
    }

    @Test
    void withUnsafeNoSandboxUpSaysWorkersAreUnsandboxed() {
        try (var server = up(Map.of(), "up", "--port", "0", "--gpus", "none", "--unsafe-no-sandbox").server()) {
            assertThat(out.toString()).contains("workers:  UNSANDBOXED (--unsafe-no-sandbox)");
        }
    }

    /** The line under "Try it:". */
    private String printedCurl() {
        var lines = out.toString().lines().toList();
        return lines.get(lines.indexOf("Try it:") + 1).strip();
    }

    /** What the command prints when pasted into a shell, from another directory. */
    private static String pasted(String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", "-c", command + " --silent --show-error")
                .directory(Path.of(System.getProperty("java.io.tmpdir")).toFile()).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(text).isZero();
        return text;
    }

    @Test
    void aSecondStartDoesNotShowTheKeyAgain() {
        up(Map.of(), "up", "--port", "0", "--gpus", "none").server().close();
        out.getBuffer().setLength(0);

        try (var server = up(Map.of(), "up", "--port", "0", "--gpus", "none").server()) {
            assertThat(out.toString()).contains("API key:  stored in .hearth/client.json")
                    .doesNotContain("hearth_").contains("GPUs:     none");
        }
    }

    @Test
    void withoutExamplesUpSaysSoAndRuns() {
        try (var server = up(Map.of("HEARTH_API_KEY", "k"), "up", "--examples", "--port", "0", "--gpus", "none")
                .server()) {
            assertThat(err.toString()).contains("found no examples/*/hearth.yaml");
            assertThat(out.toString()).contains("API key:  from $HEARTH_API_KEY");
        }
    }

    private void copyExamples() throws IOException {
        try (Stream<Path> files = Files.walk(EXAMPLES)) {
            for (Path p : files.toList()) {
                Path target = dir.resolve("examples").resolve(EXAMPLES.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
