package dev.hearth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parsing, usage errors and exit codes: everything that needs no server. */
class CommandLineTest {

    @TempDir
    Path dir;

    private Cli cli() {
        return new Cli(Map.of(), dir);
    }

    @Test
    void helpListsEveryCommand() {
        Cli.Result r = cli().run("--help");

        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("up", "serve", "demo", "deploy", "ls", "run", "status", "cancel", "logs",
                "workers", "delete", "nodes", "node");
    }

    @Test
    void noCommandIsAUsageError() {
        Cli.Result r = cli().run();

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("a command is required").contains("Usage: hearth");
    }

    @Test
    void anUnknownCommandIsAUsageError() {
        Cli.Result r = cli().run("launch");

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("Unmatched argument").contains("launch");
    }

    @Test
    void missingParametersAreUsageErrors() {
        assertThat(cli().run("run").code()).isEqualTo(2);
        assertThat(cli().run("cancel").code()).isEqualTo(2);
        assertThat(cli().run("cancel", "echo", "j1", "extra").code()).isEqualTo(2);
        assertThat(cli().run("deploy").code()).isEqualTo(2);
        assertThat(cli().run("serve", "--port", "eighty").code()).isEqualTo(2);
        assertThat(cli().run("logs", "echo", "--tail", "x").code()).isEqualTo(2);
    }

    @Test
    void badSandboxFlagsAreUsageErrorsThatSayWhatIsWrong() {
        Cli.Result relative = cli().run("serve", "--port", "0", "--worker-bind", "datasets");
        Cli.Result unknownUser = cli().run("serve", "--port", "0", "--worker-user", "no-such-user-hearth");
        Cli.Result userWithoutSandbox = cli().run("serve", "--port", "0", "--unsafe-no-sandbox", "--worker-user",
                "nobody");

        assertThat(relative.code()).isEqualTo(2);
        assertThat(relative.err()).contains("--worker-bind datasets: give an absolute path");
        assertThat(unknownUser.code()).isEqualTo(2);
        assertThat(unknownUser.err()).contains("--worker-user no-such-user-hearth: no such user");
        assertThat(userWithoutSandbox.code()).isEqualTo(2);
        assertThat(userWithoutSandbox.err()).contains("with --unsafe-no-sandbox workers run as the server's own user");
    }

    @Test
    void badJsonInputIsAUsageErrorThatQuotesTheParser() {
        Cli.Result r = cli().run("run", "echo", "--input", "{x:1}", "--key", "k");

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("--input is not valid JSON");
    }

    @Test
    void badJsonOnStdinIsAUsageError() {
        Cli.Result r = cli().withStdin("not json").run("run", "echo", "--input", "-", "--key", "k");

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("the input on stdin is not valid JSON");
    }

    @Test
    void aNonPositiveTailIsAUsageError() {
        Cli.Result r = cli().run("logs", "echo", "--tail", "0", "--key", "k");

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--tail must be at least 1");
    }

    @Test
    void aMissingKeySaysHowToSetOne() {
        Cli.Result r = cli().run("ls");

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("no API key for http://127.0.0.1:8420")
                .contains("--key").contains("HEARTH_API_KEY").contains("client.json");
        assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void aMissingManifestIsAUsageError() {
        Cli.Result r = cli().run("deploy", "nowhere/hearth.yaml", "--key", "k");

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("no manifest at");
    }

    @Test
    void noServerGivesTheStartHintAndNoStackTrace() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Cli.Result r = cli().run("ls", "--url", "http://127.0.0.1:" + port, "--key", "k");

        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("no Hearth server at http://127.0.0.1:" + port
                + "; start one with ./hearth up");
    }

    @Test
    void aBadUrlIsAUsageError() {
        Cli.Result r = cli().run("ls", "--url", "http://", "--key", "k");

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("is not a URL");
    }

    @Test
    void aBadTimeoutIsAUsageError() {
        Cli.Result r = cli().run("run", "echo", "--timeout", "soon", "--key", "k");

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("--timeout: 'soon' is not a duration");
    }
}
