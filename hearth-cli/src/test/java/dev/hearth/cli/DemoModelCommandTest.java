package dev.hearth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The real-model example ({@code examples/model}: Debian's python3-torch, weights in a volume, setup(), preinit 1)
 * deployed on a real server by {@code hearth demo model}, which calls it with and without its pre-initialized
 * process. Skipped where Debian's python3-torch is not installed; {@code .ci/run} installs it.
 */
class DemoModelCommandTest {

    /** Debian's interpreter: python3-torch is installed for it, whatever python3 comes first on the PATH. */
    private static final String DEBIAN_PYTHON = "/usr/bin/python3";
    private static final Path EXAMPLE = Path.of("..", "examples", "model").toAbsolutePath().normalize();

    @RegisterExtension
    static final CliServer server = CliServer.onGpus("H100:1").withPython(DEBIAN_PYTHON);

    @BeforeAll
    static void debianTorchIsInstalled() throws Exception {
        boolean torch;
        try {
            Process p = new ProcessBuilder(DEBIAN_PYTHON, "-c", "import torch").redirectErrorStream(true).start();
            torch = p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (java.io.IOException e) {
            torch = false;
        }
        Assumptions.assumeTrue(torch, "skipped: Debian's python3-torch is not installed (" + DEBIAN_PYTHON
                + " cannot import torch); apt-get install python3-torch, as .ci/run does");
    }

    @Test
    void theModelAnswersWithAndWithoutItsPreinitializedProcessAndTheDemoPrintsBothColdStarts() {
        Cli.Result r = server.run("demo", "model", "--example", EXAMPLE.toString());

        assertThat(r.code()).as("stdout:\n%s\nstderr:\n%s", r.out(), r.err()).isZero();
        assertThat(r.out()).contains("created volume model-weights")
                .contains("model-demo-pool: first result in").contains("model-demo-cold: first result in")
                .contains("without a pre-initialized process:").contains("with scaling.preinit: 1:")
                .contains("it ran on cpu with torch").contains("classes [0,1,0,1]");
        // the worker that started cold loaded the weights the pooled process had trained into the volume
        assertThat(server.dir().resolve(".hearth").resolve("volumes").resolve("model-weights")
                .resolve("moons-mlp.pt")).exists();
    }
}
