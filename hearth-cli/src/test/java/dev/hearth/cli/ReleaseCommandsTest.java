package dev.hearth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hearth.server.HearthServer;
import dev.hearth.server.ServerConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hearth deploy --canary}, {@code versions}, {@code promote} and {@code rollback} against a real server. */
class ReleaseCommandsTest {

    private static final Path ECHO = Path.of("..", "examples", "echo", "hearth.yaml").toAbsolutePath().normalize();

    @TempDir
    static Path dir;

    private static HearthServer server;
    private static Cli cli;

    @BeforeAll
    static void start() {
        server = HearthServer.start(ServerConfig.builder().host("127.0.0.1").port(0).dataDir(dir.resolve(".hearth"))
                .gpus("none").apiKey("release-key").build());
        ClientConfig.recordStart(dir.resolve(".hearth"), server.url(), "release-key");
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
    void aCanaryIsDeployedListedPromotedAndRolledBack() {
        ok("deploy", ECHO.toString());
        assertThat(ok("deploy", ECHO.toString(), "--canary", "10%").out())
                .startsWith("deployed echo version 2 as a canary for 10% of new jobs");

        String versions = ok("versions", "echo").out();
        assertThat(versions).contains("VERSION").containsPattern("2\\s+canary 10%").containsPattern("1\\s+active");

        assertThat(ok("promote", "echo").out().strip()).isEqualTo("echo: version 2 is active for every new job");
        assertThat(ok("rollback", "echo").out().strip()).isEqualTo("echo: version 1 is active (was version 2)");
        assertThat(ok("rollback", "echo", "2").out().strip()).isEqualTo("echo: version 2 is active (was version 1)");

        ok("deploy", ECHO.toString(), "--canary", "25");
        assertThat(ok("rollback", "echo").out().strip())
                .isEqualTo("echo: version 2 is active (canary version 3 cancelled)");
    }

    @Test
    void badReleaseCommandsSayWhatToFix() {
        Cli.Result share = cli.run("deploy", ECHO.toString(), "--canary", "half");
        assertThat(share.code()).isEqualTo(1);
        assertThat(share.err()).contains("whole percent from 1 to 99");
        Cli.Result nothing = cli.run("promote", "nothing");
        assertThat(nothing.code()).isEqualTo(1);
        assertThat(nothing.err()).contains("'nothing' is not deployed");
    }
}
