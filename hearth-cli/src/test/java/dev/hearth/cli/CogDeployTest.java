package dev.hearth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code hearth deploy path/to/cog.yaml}: a Cog model's directory deploys as it is, named after the directory. */
class CogDeployTest {

    private static final Path EXAMPLES = Path.of("..", "examples").toAbsolutePath().normalize();

    @RegisterExtension
    static final CliServer hearth = CliServer.onGpus("H100:1");

    @Test
    void aCogYamlDeploysItsDirectoryNamedAfterIt() {
        assertThat(hearth.ok("deploy", EXAMPLES.resolve("cog-words/cog.yaml").toString()).out())
                .startsWith("deployed cog-words version 1 (bundle sha256 ");

        assertThat(hearth.ok("run", "cog-words", "-i", "{\"prompt\": \"Hi\", \"words\": 2, \"seed\": 3}").out())
                .contains("\"Hi\"");
    }

    @Test
    void aDirectoryWithOnlyACogYamlDeploysToo() {
        assertThat(hearth.ok("deploy", EXAMPLES.resolve("cog-banner").toString()).out())
                .startsWith("deployed cog-banner version 1");
    }
}
