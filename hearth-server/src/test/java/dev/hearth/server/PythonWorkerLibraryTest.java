package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Runs the Python worker library's own unittest suite, so that {@code ./mvnw verify} covers it too. */
class PythonWorkerLibraryTest {

    @Test
    void thePythonWorkerLibrarySuitePasses() throws Exception {
        Path python = Path.of("..", "python").toAbsolutePath().normalize();
        Process p = new ProcessBuilder("python3", "-m", "unittest", "discover", "-s", "tests")
                .directory(python.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("OK");
    }
}
