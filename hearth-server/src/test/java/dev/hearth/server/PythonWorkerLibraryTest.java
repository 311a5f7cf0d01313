package dev.hearth.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Runs the Python worker library's own unittest suite, so that {@code ./mvnw verify} covers it too. */
class PythonWorkerLibraryTest {

    @Test
    void thePythonWorkerLibrarySuitePasses() throws Exception {
        Path python = Path.of("..", "python").toAbsolutePath().normalize();
        Process p = new ProcessBuilder("python3", "-m", "unittest", "discover", "-s", "tests")
                .directory(python.toFile()).redirectErrorStream(true).start();
        // read on the side: reading here would wait for the end of the output, so a hung suite would hang the build
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        boolean finished = p.waitFor(5, TimeUnit.MINUTES);
        if (!finished) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor();
        }
        String output = out.get(30, TimeUnit.SECONDS);
        assertThat(finished).as("the suite finished within 5 minutes; its output:%n%s", output).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).contains("OK");
    }
}
