package dev.hearth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole scripted tour, on copies of the examples whose idle timeout is cut so scaling to zero is quick. */
class DemoCommandTest {

    private static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @Test
    void theTourRunsEveryStepAndExitsZero() throws IOException {
        copyExamplesWithIdleTimeout("2s");

        Cli.Result r = new Cli(Map.of(), dir).run("demo");

        assertThat(r.code()).as("stdout:\n%s\nstderr:\n%s", r.out(), r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(8);
        assertThat(lines.get(0)).startsWith("[1/8] server up at http://127.0.0.1:");
        assertThat(lines.get(1)).startsWith("[2/8] deployed echo v1");
        assertThat(lines.get(2)).startsWith("[3/8] cold call: echo -> {\"message\":\"hello from the demo\"}")
                .contains("coldStart true");
        assertThat(lines.get(3)).startsWith("[4/8] warm call").contains("coldStart false");
        assertThat(lines.get(4)).startsWith("[5/8] async call: job ").contains("COMPLETED");
        assertThat(lines.get(5)).startsWith("[6/8] GPU call: gpu-info was given ");
        assertThat(lines.get(6)).startsWith("[7/8] scaled to zero");
        assertThat(lines.get(7)).isEqualTo("[8/8] server stopped; demo OK");
    }

    @Test
    void aMissingPythonFailsAtOnceWithAClearMessage() throws IOException {
        copyExamplesWithIdleTimeout("2s");

        Cli.Result r = new Cli(Map.of(), dir).run("demo", "--python", "/nonexistent/python3");

        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().strip()).startsWith("demo: the example workers need Python 3: '/nonexistent/python3'")
                .endsWith("install python3 or pass --python PATH");
        assertThat(r.out()).isEmpty();
    }

    private void copyExamplesWithIdleTimeout(String idle) throws IOException {
        try (Stream<Path> files = Files.walk(EXAMPLES)) {
            for (Path p : files.toList()) {
                Path target = dir.resolve("examples").resolve(EXAMPLES.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else if (p.getFileName().toString().equals("hearth.yaml")) {
                    Files.writeString(target, Files.readString(p).replaceAll("idleTimeout: *\\S+",
                            "idleTimeout: " + idle));
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
