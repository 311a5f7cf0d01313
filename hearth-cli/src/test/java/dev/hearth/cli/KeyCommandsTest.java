package dev.hearth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code hearth key create}, {@code ls} and {@code revoke} against a real server, and a made key in use. */
class KeyCommandsTest {

    private static final Path ECHO = Path.of("..", "examples", "echo", "hearth.yaml").toAbsolutePath().normalize();

    @RegisterExtension
    static final CliServer hearth = CliServer.onGpus("none");

    @Test
    void anInvokeKeyRunsItsFunctionButCannotDeployAndIsGoneOnceRevoked() {
        hearth.ok("deploy", ECHO.toString());
        Cli.Result made = hearth.ok("key", "create", "--scope", "invoke", "--function", "echo", "--name", "ci");
        String key = made.out().strip();
        assertThat(key).startsWith("hearth_");
        assertThat(made.err()).contains("the invoke key 'ci' for echo").contains("only time");
        assertThat(hearth.ok("key", "ls").out()).containsPattern("ci\\s+invoke\\s+echo").doesNotContain(key);

        Cli withKey = new Cli(Map.of("HEARTH_API_KEY", key), hearth.dir());
        assertThat(withKey.run("run", "echo", "--input", "{\"k\":1}").out()).contains("\"k\"");
        Cli.Result deploy = withKey.run("deploy", ECHO.toString());
        assertThat(deploy.code()).isEqualTo(1);
        assertThat(deploy.err()).contains("the invoke key 'ci' may not POST /v1/functions").contains("deploy");

        assertThat(hearth.ok("key", "revoke", "ci").out().strip()).isEqualTo("revoked the invoke key 'ci' for echo");
        Cli.Result revoked = withKey.run("run", "echo", "--input", "{}");
        assertThat(revoked.code()).isNotZero();
        assertThat(revoked.err()).contains("revoked");
    }

    @Test
    void theAuditLogShowsWhoMadeEachChange() {
        hearth.ok("deploy", ECHO.toString());
        hearth.ok("key", "create", "--scope", "read", "--name", "auditor");
        hearth.ok("scale", "echo", "--max", "3");

        String log = hearth.ok("audit", "--function", "echo").out();

        assertThat(log).contains("TIME").containsPattern("admin\\s+scale\\s+echo\\s+ok");
        assertThat(hearth.ok("audit", "--action", "key.create").out()).containsPattern("admin\\s+key.create\\s+auditor");
    }

    @Test
    void aBadKeyRequestSaysWhatToFix() {
        Cli.Result scope = hearth.run("key", "create", "--scope", "root");
        assertThat(scope.code()).isEqualTo(1);
        assertThat(scope.err()).contains("'scope' must be one of read, invoke, deploy, admin");
        Cli.Result unknown = hearth.run("key", "revoke", "nobody");
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.err()).contains("no key with id or name 'nobody'");
    }
}
