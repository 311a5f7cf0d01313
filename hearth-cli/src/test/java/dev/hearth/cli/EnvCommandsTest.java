package dev.hearth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code hearth deploy} of a function with a {@code python:} block prints the environment's build as it goes;
 * {@code hearth env ls} and {@code hearth env prune} against a real server. No packages: the environment sees the
 * host's ({@code systemSitePackages}), so nothing is downloaded.
 */
class EnvCommandsTest {

    @RegisterExtension
    static final CliServer hearth = CliServer.onGpus("none");

    @Test
    void aDeployPrintsTheBuildAndTheEnvironmentIsListedThenPrunedOnceUnused() throws IOException {
        Path manifest = function("env-cli", "python: {systemSitePackages: true}\n");

        Cli.Result deploy = hearth.ok("deploy", manifest.toString());

        assertThat(deploy.out()).startsWith("deployed env-cli version 1");
        assertThat(deploy.err()).contains("creating the virtualenv").containsPattern("environment \\w{16} is ready");
        String ls = hearth.ok("env", "ls").out();
        assertThat(ls).contains("HASH", "USED BY", "LAST USED").containsPattern("\\w{16}\\s+3\\.\\d+ \\+system")
                .contains("env-cli:1");

        hearth.ok("delete", "env-cli");
        assertThat(hearth.ok("env", "ls").out()).contains("(unused)");
        assertThat(hearth.ok("env", "prune").out()).startsWith("removed 1 environment (");
        assertThat(hearth.ok("env", "ls").out()).startsWith("no Python environments");
    }

    @Test
    void aPythonTheServerLacksFailsTheDeployNamingIt() throws IOException {
        Cli.Result r = hearth.run("deploy", function("env-cli-missing", "python: {version: \"3.99\"}\n").toString());

        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("python3.99");
    }

    private static Path function(String name, String python) throws IOException {
        Path dir = Files.createDirectories(hearth.dir().resolve(name));
        Files.writeString(dir.resolve("hearth.yaml"), "name: " + name + "\nhandler: handler.py:handler\n" + python);
        Files.writeString(dir.resolve("handler.py"), "def handler(job):\n    return job[\"input\"]\n");
        return dir.resolve("hearth.yaml");
    }
}
